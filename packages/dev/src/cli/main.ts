import { runCli } from "./cli.js";
import { processIo } from "./io.js";

// The CLI's entry point (bin/alma-webhook.js and `make run` start it): importing it runs it.
// Before `serve` loads the AWS SDK: Node 20 is a supported development Node here (bin/alma-webhook.js too).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const [command] = process.argv.slice(2);
const code = await runCli(process.argv.slice(2), processIo());
process.exitCode = code;
if (command === "serve") {
  // Once stopped, nothing should keep the process alive; if a stray handle (a keep-alive socket of the
  // SDK) still does, Ctrl-C must not appear to hang.
  setTimeout(() => process.exit(code), 1000).unref();
}
