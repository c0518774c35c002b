import { readFile, rm } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_JOURNAL_PATH } from "../local/defaults.js";
import { putStoredSecret } from "../local/stored-secret-calls.js";
import {
  bodyOf,
  readWebhooks,
  serverStatePath,
  type WebhookJournalEntry,
  webhookJournalPath,
} from "../local/webhook-journal.js";
import { webhookLine } from "../local/webhook-line.js";
import { CliError, type CliIo, SECRET_OPTIONS, secretOf } from "./io.js";
import { DEFAULT_URL, type Delivery, deliver, formatDelivery } from "./send.js";

// The local server's side of `alma-webhook deliveries`: every webhook `make run` received, from its journal.
// (A deployed function's delivery history lives in DynamoDB; that reader takes --table.)

const journalOf = (io: CliIo, given: string | undefined): string =>
  given === undefined ? webhookJournalPath(io.env, io.cwd) : resolve(io.cwd, given);

/** `--since 10m`, `2h`, `1d` or an ISO time: the earliest entry shown. */
function sinceOf(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const relative = /^(\d+)([smhd])$/.exec(value.trim());
  if (relative) {
    const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as "s" | "m" | "h" | "d"];
    return now - Number(relative[1]) * unit;
  }
  const time = Date.parse(value);
  if (Number.isNaN(time))
    throw new CliError(`--since takes a duration (10m, 2h, 1d) or an ISO time, not '${value}'`, 2);
  return time;
}

/**
 * `deliveries [--since T] [--failed] [--json] [--journal PATH]`: every webhook the local server received,
 * oldest first, one line each as `make run` printed it; `--failed` keeps the 4xx and 5xx answers and the
 * failed dispatches.
 */
export async function localDeliveriesCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      since: { type: "string" },
      failed: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      journal: { type: "string" },
    },
    allowPositionals: true,
  });
  if (positionals.length > 0) throw new CliError("deliveries takes no arguments", 2);
  const path = journalOf(io, values.journal);
  const { entries, skipped } = await readWebhooks(path);
  if (skipped > 0) io.stderr(`warning: skipped ${skipped} unreadable line(s) in ${path}\n`);
  const since = sinceOf(values.since, Date.now());
  const shown = entries.filter(
    (entry) =>
      (since === undefined || Date.parse(entry.time) >= since) &&
      (!values.failed || entry.status >= 400 || entry.decisions.some((d) => d.decision === "failed")),
  );
  if (values.json) {
    io.stdout(`${JSON.stringify(shown, null, 2)}\n`);
    return 0;
  }
  if (shown.length === 0) {
    io.stdout(
      `No webhooks${entries.length > 0 ? " match" : " yet"} in ${path} (make run journals every one it receives)\n`,
    );
    return 0;
  }
  io.stdout(`${shown.map(webhookLine).join("\n")}\n`);
  io.stdout(`${shown.length} webhook(s); alma-webhook resend ID sends one again.\n`);
  return 0;
}

/**
 * The journalled webhook an id names: the newest entry with that short id, or whose request id starts with it.
 *
 * @example
 * ```ts
 * findWebhook(entries, "a1b2c3d4")?.kind; // "LOAN.LOAN_CREATED"
 * ```
 */
export function findWebhook(
  entries: readonly WebhookJournalEntry[],
  id: string,
): WebhookJournalEntry | undefined {
  if (id === "") return undefined;
  return entries.filter((entry) => entry.id === id || entry.requestId.startsWith(id)).at(-1);
}

/**
 * Why a journalled request cannot be sent again (a GET, or a POST without a body), or undefined when it can.
 *
 * @example
 * ```ts
 * notResendable(challengeEntry); // "Webhook 1a2b3c4d was a GET without a body: nothing to resend"
 * ```
 */
export function notResendable(entry: WebhookJournalEntry): string | undefined {
  return entry.method !== "POST" || entry.body === ""
    ? `Webhook ${entry.id} was a ${entry.method} without a body: nothing to resend`
    : undefined;
}

/**
 * Sends a journalled webhook again, the same bytes with the same content type, signed with `secret`: the
 * one path of `alma-webhook resend` and of the local redelivery (`POST /_/redeliver`, the deliveries page).
 * The same bytes give the same identity, so a target that had it already sees a duplicate.
 *
 * @param headers sent besides (the local server's redelivery mark).
 * @throws CliError when the server cannot be reached.
 * @example
 * ```ts
 * const { status } = await resendWebhook(entry, "http://127.0.0.1:9000/", "itsasecret");
 * ```
 */
export function resendWebhook(
  entry: WebhookJournalEntry,
  url: string,
  secret: string,
  headers: Readonly<Record<string, string>> = {},
): Promise<Delivery> {
  return deliver(url, {
    kind: "post",
    body: bodyOf(entry),
    secret,
    contentType: entry.contentType ?? "application/json",
    headers,
  });
}

async function entryOf(io: CliIo, id: string, journal: string | undefined): Promise<WebhookJournalEntry> {
  const path = journalOf(io, journal);
  const { entries } = await readWebhooks(path);
  const entry = findWebhook(entries, id);
  if (entry === undefined)
    throw new CliError(`No webhook '${id}' in ${path}: alma-webhook deliveries lists them`);
  const refusal = notResendable(entry);
  if (refusal !== undefined) throw new CliError(refusal.replace(entry.id, id));
  return entry;
}

/**
 * `resend ID [--url URL] [--secret-file PATH|-] [--secret S] [--journal PATH]`: POSTs the journalled body
 * again, byte for byte, signed with the current secret (as `send` signs). Exit code 1 on a 4xx or 5xx.
 */
export async function resendCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      url: { type: "string", default: DEFAULT_URL },
      journal: { type: "string" },
      ...SECRET_OPTIONS,
    },
    allowPositionals: true,
  });
  const [id] = positionals;
  if (id === undefined || positionals.length > 1)
    throw new CliError("resend takes one webhook ID (see deliveries)", 2);
  const entry = await entryOf(io, id, values.journal);
  const secret = await secretOf(values, io, false);
  const delivery = await resendWebhook(entry, values.url, secret);
  io.stdout(`${formatDelivery(delivery)}\n`);
  return delivery.status >= 400 ? 1 : 0;
}

/** `clear`: empties the webhook journal and the executions journal of the local server. */
export async function clearCommand(args: readonly string[], io: CliIo): Promise<number> {
  if (args.length > 0) throw new CliError("clear takes no arguments", 2);
  const paths = [
    journalOf(io, undefined),
    resolve(io.cwd, io.env.ALMA_LOCAL_JOURNAL?.trim() || DEFAULT_JOURNAL_PATH),
  ];
  for (const path of paths) {
    await rm(path, { force: true });
    io.stdout(`cleared ${path}\n`);
  }
  return 0;
}

/**
 * `rotate-secret NEW`: the running `make run` serves its stored secret (ALMA_CHALLENGE_SECRET_ARN or
 * _PARAMETER) from its local endpoint; this writes NEW there, as a rotation in AWS would. The handler
 * re-reads the store when a signature matches none, so webhooks signed with NEW are accepted at once.
 */
export async function rotateSecretCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { positionals } = parseArgs({ args: [...args], options: {}, allowPositionals: true });
  const [secret] = positionals;
  if (secret === undefined || positionals.length > 1 || secret === "") {
    throw new CliError("rotate-secret takes the new secret: alma-webhook rotate-secret NEW", 2);
  }
  const LOCAL_STATE_PATH = serverStatePath(journalOf(io, undefined));
  let state: { endpoint?: string; storedSecret?: { store: string; id: string } };
  try {
    state = JSON.parse(await readFile(LOCAL_STATE_PATH, "utf8"));
  } catch {
    throw new CliError(
      `No local server is running (${LOCAL_STATE_PATH} is missing): start one with make run`,
    );
  }
  const stored = state.storedSecret;
  if (state.endpoint === undefined || stored === undefined) {
    throw new CliError(
      "The local server has no stored secret: start it with ALMA_CHALLENGE_SECRET_ARN=arn:aws:secretsmanager:us-east-1:123456789012:secret:alma-webhook make run (or _PARAMETER=/alma/webhook-secret)",
    );
  }
  const response = await putStoredSecret(state.endpoint, stored, secret).catch((error: unknown) => {
    throw new CliError(`Could not reach the local endpoint ${state.endpoint}: ${String(error)}`);
  });
  if (!response.ok) throw new CliError(`The local endpoint refused the rotation: ${await response.text()}`);
  io.stdout(
    `${stored.id} now holds the new secret. Sign with it: ALMA_CHALLENGE_SECRET=<the new secret> make send (accepted once the handler re-reads the store, within 5 s; until then 503, which Alma retries).\n`,
  );
  return 0;
}
