import { parseArgs } from "node:util";
import { ConfigurationError } from "@alma-webhooks/core";
import { LocalSettingsError } from "../local/defaults.js";
import { ListenError, PortInUseError } from "../local/server.js";
import { executionsCommand } from "./executions.js";
import { CliError, type CliIo } from "./io.js";
import { replayCommand } from "./replay.js";
import { DEFAULT_URL, sendCommand } from "./send.js";
import { signCommand } from "./sign.js";

/** `alma-webhook help`. */
export const USAGE = `alma-webhook: run and exercise the Alma webhook handler locally

Usage:
  alma-webhook serve [--port N]
      Start the local server (what make run starts): Function URL at /, the runtime emulator at
      POST /2015-03-31/functions/function/invocations, and a local Step Functions endpoint.
      Settings come from the environment; unset ones get development defaults (printed at start).
  alma-webhook sign [FILE|-] [--secret S]
      Print the X-Exl-Signature of a payload's exact bytes (stdin when no FILE or -).
  alma-webhook send [FILE|-] [--url URL] [--secret S] [--unsigned]
  alma-webhook send --challenge VALUE [--url URL]
      POST a signed payload (or GET a challenge) and print the status and body.
      Exit code 1 on a 5xx answer.
  alma-webhook replay [DIR] [--url URL] [--secret S]
      send every *.json file of DIR (default: the payload templates) in name order.
  alma-webhook executions [--journal PATH] [--json]
      List the executions the local Step Functions endpoint started.
  alma-webhook help

Defaults: URL ${DEFAULT_URL}; secret ALMA_CHALLENGE_SECRET, else the development secret itsasecret;
journal ALMA_LOCAL_JOURNAL, else .local/executions.jsonl at the repository root.
`;

type Command = (args: readonly string[], io: CliIo) => Promise<number>;

const COMMANDS: Readonly<Record<string, Command>> = {
  sign: signCommand,
  send: sendCommand,
  replay: replayCommand,
  executions: executionsCommand,
  serve: async (args, io) => {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: { port: { type: "string" } },
      allowPositionals: true,
    });
    if (positionals.length > 0) throw new CliError("serve takes no arguments", 2);
    // Written into the environment it reads, so that --port and PORT are one setting.
    if (values.port !== undefined) io.env.PORT = values.port;
    // Loaded only here: the handler, tsyringe and the plugins are not needed to sign or send.
    const { serveUntilSignal } = await import("../local/run.js");
    return serveUntilSignal({ env: io.env, out: (line) => io.stdout(`${line}\n`), cwd: io.cwd });
  },
  help: async (_args, io) => {
    io.stdout(USAGE);
    return 0;
  },
};

/** Errors whose message is the whole story: printed as one line, no stack. */
const EXPECTED = [CliError, PortInUseError, ListenError, LocalSettingsError, ConfigurationError];

/**
 * Runs one CLI command and resolves to the process exit code: 0 success, 1 failure (or a 5xx answer),
 * 2 usage error. Never throws.
 *
 * @example
 * ```ts
 * process.exitCode = await runCli(process.argv.slice(2), processIo());
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === "--help" || name === "-h") {
    (name === undefined ? io.stderr : io.stdout)(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    io.stderr(`alma-webhook: unknown command '${name}'. Run 'alma-webhook help' for usage.\n`);
    return 2;
  }
  try {
    return await command(args, io);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS")) {
      io.stderr(`alma-webhook ${name}: ${(error as Error).message}. Run 'alma-webhook help' for usage.\n`);
      return 2;
    }
    if (EXPECTED.some((type) => error instanceof type)) {
      io.stderr(`alma-webhook ${name}: ${(error as Error).message}\n`);
      return error instanceof CliError ? error.exitCode : 1;
    }
    io.stderr(
      `alma-webhook ${name}: unexpected error: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    return 1;
  }
}
