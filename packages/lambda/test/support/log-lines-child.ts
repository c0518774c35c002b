// A child process for logger.spec.ts: logs through createLogger's own writer, then reports (last line on
// stderr) which stream modules the process loaded. argv[2]: "plain", or "large" (process.stdout made first,
// so that fd 1 is non-blocking, then a megabyte line while the parent does not read).
import { writeSync } from "node:fs";
import { createLogger } from "../../src/logger.js";

const mode = process.argv[2];
if (mode === "large") process.stdout.write(""); // makes process.stdout: libuv sets the pipe non-blocking
const logger = createLogger({});
if (mode === "large") {
  logger.info("before");
  logger.info("x".repeat(1024 * 1024));
  logger.info("last");
} else {
  logger.info("first");
  logger.info("second");
  logger.warn("a warning");
}
// What making process.stdout or process.stderr loads: node:net and the pipe binding for a pipe, the
// synchronous write stream for a file.
const loaded = (process as unknown as { moduleLoadList: string[] }).moduleLoadList.filter((name) =>
  /^(NativeModule (net|internal\/fs\/sync_write_stream)|Internal Binding (pipe|tty)_wrap)$/.test(name),
);
writeSync(2, `${JSON.stringify({ loaded })}\n`);
