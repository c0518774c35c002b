import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { DEV_SECRET } from "../local/defaults.js";

/** What a command may touch of the outside world; tests pass their own. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** The whole of standard input. */
  readonly stdin: () => Promise<Buffer>;
  /** `serve` writes the AWS SDK variables into it, so in the real CLI it is `process.env` itself. */
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

/** A failure to report as one line, without a stack trace; `exitCode` 2 for usage errors. */
export class CliError extends Error {
  override readonly name = "CliError";
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** The process's own streams and environment. */
export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stdin: async () => {
      // A terminal would wait for input with no prompt: say what is expected instead.
      if (process.stdin.isTTY)
        throw new CliError("No payload: give a FILE, or pipe the body to standard input.");
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
    env: process.env,
    cwd: process.cwd(),
  };
}

/** The secret to sign with: `--secret`, else `ALMA_CHALLENGE_SECRET`, else the development secret. */
export function secretOf(option: string | undefined, io: CliIo): string {
  return option ?? (io.env.ALMA_CHALLENGE_SECRET || DEV_SECRET);
}

/** The bytes of a payload file, or of standard input for `-` or no file; never re-encoded. */
export async function readPayload(file: string | undefined, io: CliIo): Promise<Buffer> {
  if (file === undefined || file === "-") return io.stdin();
  try {
    return await readFile(resolve(io.cwd, file));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(`Cannot read ${file}: ${code === "ENOENT" ? "no such file" : String(error)}`);
  }
}
