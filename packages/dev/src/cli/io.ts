import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { LocalToolingError } from "@alma-webhooks/local-aws/errors";
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
export class CliError extends LocalToolingError {
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
        throw new CliError("Nothing on standard input: give a FILE, or pipe the body (or secret) to it.");
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
    env: process.env,
    cwd: process.cwd(),
  };
}

/** The `parseArgs` options of every command that signs: `--secret S` and `--secret-file PATH|-`. */
export const SECRET_OPTIONS = {
  secret: { type: "string" },
  "secret-file": { type: "string" },
} as const;

/** What the secret options parsed to. */
export interface SecretOptions {
  readonly secret?: string | undefined;
  readonly "secret-file"?: string | undefined;
}

/** Reads a file of the CLI's (a payload or a secret), or says in one line why it cannot. */
async function readCliFile(file: string, io: CliIo): Promise<Buffer> {
  try {
    return await readFile(resolve(io.cwd, file));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(`Cannot read ${file}: ${code === "ENOENT" ? "no such file" : String(error)}`);
  }
}

/**
 * The secret to sign with: `--secret S`, else the contents of `--secret-file PATH` (`-`: standard input; one
 * trailing newline dropped), else `ALMA_CHALLENGE_SECRET`, else the development secret.
 *
 * @param stdinIsPayload the payload comes from standard input, which `--secret-file -` cannot share.
 * @throws CliError (exit code 2) for both options at once, or `--secret-file -` with a payload on stdin.
 * @example
 * ```ts
 * const secret = await secretOf(values, io, file === undefined);
 * ```
 */
export async function secretOf(options: SecretOptions, io: CliIo, stdinIsPayload: boolean): Promise<string> {
  const file = options["secret-file"];
  if (options.secret !== undefined && file !== undefined) {
    throw new CliError("Give the secret one way: --secret or --secret-file, not both", 2);
  }
  if (options.secret !== undefined) return options.secret;
  if (file === undefined) return io.env.ALMA_CHALLENGE_SECRET || DEV_SECRET;
  if (file === "-" && stdinIsPayload) {
    throw new CliError("--secret-file - reads the secret from standard input: give the payload as a FILE", 2);
  }
  const bytes = file === "-" ? await io.stdin() : await readCliFile(file, io);
  const secret = bytes.toString("utf8").replace(/\r?\n$/, "");
  if (secret === "") throw new CliError(`The secret in ${file === "-" ? "standard input" : file} is empty`);
  return secret;
}

/** A payload to send or sign, and what to call it. */
export interface Payload {
  readonly name: string | undefined;
  readonly body: Buffer;
}

/**
 * The payload a command works on: the bytes of FILE (never re-encoded), of standard input for `-` or no
 * FILE, or with `--sample NAME[:N]` the N-th (default first) sample payload of the plugin named NAME.
 *
 * @example
 * ```ts
 * const { body } = await readPayload(undefined, "TIMDEX:2", io);
 * ```
 */
export async function readPayload(
  file: string | undefined,
  sample: string | undefined,
  io: CliIo,
): Promise<Payload> {
  if (sample !== undefined) {
    if (file !== undefined) throw new CliError("Give a payload FILE or --sample, not both", 2);
    return sampleNamed(sample);
  }
  if (file === undefined || file === "-") return { name: undefined, body: await io.stdin() };
  return { name: file, body: await readCliFile(file, io) };
}

async function sampleNamed(spec: string): Promise<Payload> {
  // Loaded only here: the plugins are not needed to sign or send a file.
  const { samplePayloads } = await import("../local/pipelines.js");
  const [name = "", index = "1"] = spec.split(":");
  const { eventSamples } = await import("../local/event-samples.js");
  // A plugin's samples first (PPOD, TIMDEX:2), then one per kind of webhook (LOAN, BIB, JOB_END).
  const samples = [...samplePayloads(undefined, { unrelated: false }), ...eventSamples()];
  // The plugin's name as typed anywhere else: make new-plugin NAME=course-reserves makes COURSE_RESERVES.
  const folded = (text: string) => text.toUpperCase().replaceAll("-", "_");
  const ofPlugin = samples.filter(
    (sample) => sample.plugin !== undefined && folded(sample.plugin) === folded(name),
  );
  const plugins = [...new Set(samples.map((sample) => sample.plugin))].join(", ");
  if (ofPlugin.length === 0)
    throw new CliError(`No sample payload for '${name}': the samples are ${plugins}`, 2);
  const chosen = /^\d+$/.test(index) ? ofPlugin[Number(index) - 1] : undefined;
  if (chosen === undefined) {
    throw new CliError(`'${spec}': ${name} has sample payloads 1 to ${ofPlugin.length}`, 2);
  }
  return chosen;
}
