import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { ConfigurationError } from "@alma-webhooks/core";
import { LocalToolingError } from "@alma-webhooks/local-aws/errors";
import { deliveriesCommand } from "./deliveries.js";
import { deliveriesPageCommand } from "./deliveries-page.js";
import { executionsCommand } from "./executions.js";
import { CliError, type CliIo } from "./io.js";
import {
  clearCommand,
  localDeliveriesCommand,
  resendCommand,
  rotateSecretCommand,
} from "./local-deliveries.js";
import { redeliverCommand } from "./redeliver.js";
import { replayCommand } from "./replay.js";
import { DEFAULT_URL, sendCommand } from "./send.js";
import { signCommand } from "./sign.js";

/** `alma-webhook help`. */
export const USAGE = `alma-webhook: run and exercise the Alma webhook handler locally

Usage:
  alma-webhook serve [--port N] [--host ADDRESS]
      Start the local server (what make run starts): Function URL at /, the runtime emulator at
      POST /2015-03-31/functions/function/invocations, and a local Step Functions endpoint.
      Settings come from the environment; unset ones get development defaults (printed at start).
      It binds to 127.0.0.1 and serves only requests whose Host is 127.0.0.1, localhost or [::1]
      with its port (421 otherwise); --host (or ALMA_LOCAL_HOST) chooses the address and serves
      any Host. With ALMA_LOCAL_SFN=off (real AWS) it needs ALMA_CHALLENGE_SECRET, not the dev one.
  alma-webhook sign [FILE|-|--sample NAME[:N]] [--secret-file PATH|-] [--secret S]
      Print the X-Exl-Signature of a payload's exact bytes (stdin when no FILE or -).
  alma-webhook send [FILE|-|--sample NAME[:N]] [--url URL] [--secret-file PATH|-] [--secret S] [--unsigned]
  alma-webhook send --challenge VALUE [--url URL]
      POST a signed payload (or GET a challenge) and print the status and body.
      --sample PPOD sends the first sample payload of the PPOD plugin (TIMDEX:2 the second of TIMDEX);
      --sample LOAN (REQUEST, USER, BIB, ITEM, NOTIFICATION, JOB_END) one webhook of that kind.
      Exit code 1 on a 4xx or 5xx answer.
  alma-webhook replay [DIR] [--url URL] [--secret-file PATH|-] [--secret S]
      Send every *.json file of DIR in name order; without DIR, every plugin's sample payloads
      and one job that no plugin claims.
  alma-webhook samples [DIR]
      Write the sample payloads (every plugin's, and one per kind: loan.json, bib.json, ...) into DIR
      (list them without DIR), to edit or replay.
  alma-webhook executions [--journal PATH] [--json]
      List the executions the local Step Functions endpoint started (nothing runs them: each stays RUNNING).
  alma-webhook deliveries [--since 10m|ISO] [--failed] [--json] [--journal PATH]
      List every webhook the local server received (401s and 4xx included), one line each with its id.
  alma-webhook deliveries --table NAME [--since 24h] [--failed] [--json]
      The delivery history in AWS: one line per verified webhook (received at, answer, action and event
      or job, identity, each plugin's or route's fate), from the ledger table (ALMA_IDEMPOTENCY_TABLE;
      AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL as usual). --failed: only failed or refused deliveries.
  alma-webhook deliveries --table NAME --serve [--function NAME[:QUALIFIER]] [--bucket NAME] [--port 9001] [--since 24h]
      The deliveries page for a deployed stage on http://127.0.0.1:9001/_/deliveries: the history read
      with your AWS credentials; Redeliver invokes --function (pass NAME:live behind the canary alias);
      --bucket (the stack's UndeliveredBucketName) shows the bytes kept of what was not delivered.
      make run serves the same page for the local server at http://127.0.0.1:9000/_/deliveries.
  alma-webhook resend ID [--url URL] [--secret-file PATH|-] [--secret S]
      Send a received webhook again, the same bytes, signed with the current secret.
  alma-webhook redeliver ID... [--function NAME[:QUALIFIER]] [--url URL] [--dry-run]
  alma-webhook redeliver --failed [--since 24h] [--table TABLE] [--function NAME[:QUALIFIER]] [--dry-run]
      Have kept webhooks (signed, not delivered) routed again under the same identity, so nothing already
      delivered repeats. --function invokes the deployed function (Lambda Invoke, ids only; the function
      reads the bytes it kept; pass NAME:live where the Function URL serves the live alias; AWS_REGION,
      AWS_PROFILE as usual); without it, the local server (--url). --failed: every failed webhook since
      --since, from the delivery history (--table, or ALMA_IDEMPOTENCY_TABLE with --function) or the local
      journal. --dry-run prints what it would redeliver and invokes nothing. One line per id with its
      answer; exit code 1 when any was not delivered.
  alma-webhook clear
      Empty the local journals (webhooks and executions).
  alma-webhook rotate-secret NEW
      Stored-secret mode (make run with ALMA_CHALLENGE_SECRET_ARN or _PARAMETER): the local endpoint
      now holds NEW under that ARN or name, as a rotation in AWS would.
  alma-webhook help

The secret: ALMA_CHALLENGE_SECRET, or --secret-file PATH (- reads it from standard input), else the
development secret itsasecret. --secret S works too but is the least safe: a command line is visible
to every user of the machine (ps) and is kept in your shell history.

Defaults: URL ${DEFAULT_URL}; journals ALMA_LOCAL_JOURNAL (else .local/executions.jsonl) and
ALMA_LOCAL_WEBHOOKS (else .local/webhooks.jsonl) at the repository root.
`;

type Command = (args: readonly string[], io: CliIo) => Promise<number>;

const COMMANDS: Readonly<Record<string, Command>> = {
  sign: signCommand,
  send: sendCommand,
  replay: replayCommand,
  executions: executionsCommand,
  deliveries: (args, io) =>
    args.includes("--serve")
      ? deliveriesPageCommand(args, io)
      : args.some((arg) => arg === "--table" || arg.startsWith("--table="))
        ? deliveriesCommand(args, io)
        : localDeliveriesCommand(args, io),
  resend: resendCommand,
  redeliver: redeliverCommand,
  clear: clearCommand,
  "rotate-secret": rotateSecretCommand,
  serve: async (args, io) => {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: { port: { type: "string" }, host: { type: "string" } },
      allowPositionals: true,
    });
    if (positionals.length > 0) throw new CliError("serve takes no arguments", 2);
    // Written into the environment it reads, so that --port and PORT (--host and ALMA_LOCAL_HOST) are one setting.
    if (values.port !== undefined) io.env.PORT = values.port;
    if (values.host !== undefined) io.env.ALMA_LOCAL_HOST = values.host;
    // Loaded only here: the handler, tsyringe and the plugins are not needed to sign or send.
    const { serveUntilSignal } = await import("../local/run.js");
    return serveUntilSignal({ env: io.env, out: (line) => io.stdout(`${line}\n`), cwd: io.cwd });
  },
  samples: async (args, io) => {
    const { positionals } = parseArgs({ args: [...args], options: {}, allowPositionals: true });
    if (positionals.length > 1) throw new CliError("samples takes one folder", 2);
    const { samplePayloads } = await import("../local/pipelines.js");
    const { eventSamples } = await import("../local/event-samples.js");
    const samples = [...samplePayloads(), ...eventSamples()];
    const [dir] = positionals;
    if (dir === undefined) {
      for (const sample of samples) io.stdout(`${sample.name}\n`);
      return 0;
    }
    const folder = resolve(io.cwd, dir);
    await mkdir(folder, { recursive: true });
    for (const sample of samples) {
      await writeFile(join(folder, sample.name), sample.body);
      io.stdout(`${join(dir, sample.name)}\n`);
    }
    return 0;
  },
  help: async (_args, io) => {
    io.stdout(USAGE);
    return 0;
  },
};

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
    // Errors whose message is the whole story: printed as one line, no stack.
    if (error instanceof LocalToolingError || error instanceof ConfigurationError) {
      io.stderr(`alma-webhook ${name}: ${error.message}\n`);
      return error instanceof CliError ? error.exitCode : 1;
    }
    io.stderr(
      `alma-webhook ${name}: unexpected error: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    return 1;
  }
}
