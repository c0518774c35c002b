import { appendFileSync, mkdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

// Resolved from this file (dist/src/local/), as the executions journal is: `make run` and the CLI agree.

/** Where the local server keeps every webhook it received, unless `ALMA_LOCAL_WEBHOOKS` says otherwise. */
export const DEFAULT_WEBHOOK_JOURNAL_PATH = fileURLToPath(
  new URL("../../../../../.local/webhooks.jsonl", import.meta.url),
);

/**
 * The webhook journal of an environment: `ALMA_LOCAL_WEBHOOKS`, else webhooks.jsonl beside the executions
 * journal (`ALMA_LOCAL_JOURNAL`), else .local/webhooks.jsonl at the repository root.
 *
 * @example
 * ```ts
 * webhookJournalPath({ ALMA_LOCAL_JOURNAL: "/tmp/x/executions.jsonl" }, "/"); // "/tmp/x/webhooks.jsonl"
 * ```
 */
export function webhookJournalPath(env: Readonly<Record<string, string | undefined>>, cwd: string): string {
  const own = env.ALMA_LOCAL_WEBHOOKS?.trim();
  if (own) return resolve(cwd, own);
  const executions = env.ALMA_LOCAL_JOURNAL?.trim();
  return executions
    ? join(dirname(resolve(cwd, executions)), "webhooks.jsonl")
    : DEFAULT_WEBHOOK_JOURNAL_PATH;
}

/** Where a running local server describes itself (for `rotate-secret`): server.json beside its webhook journal. */
export const serverStatePath = (journal: string): string => join(dirname(journal), "server.json");

/** What one plugin or route made of a webhook, as the local server prints it. */
export interface JournalDecision {
  /** The plugin's or route's name: PPOD, LOANS. */
  readonly name: string;
  /** started, forwarded, duplicate, skipped, failed, ... */
  readonly decision: string;
  /** Why, in words; empty when the decision says it all. */
  readonly reason: string;
  /** Where it went or would go: the state machine, queue or bus (its name), when known. */
  readonly target?: string;
  /** The execution started (its ARN when the dispatcher gave one, else its name), or the message sent. */
  readonly execution?: string;
}

/** One webhook the local server received, whatever its answer (401s and 4xx included). */
export interface WebhookJournalEntry {
  /** Short id for `alma-webhook resend ID`: the first 8 characters of the request id. */
  readonly id: string;
  readonly requestId: string;
  /** ISO 8601, when it arrived. */
  readonly time: string;
  readonly method: string;
  readonly path: string;
  /** The job name of a JOB_END, `LOAN.LOAN_CREATED` for the other kinds; `GET challenge`, `POST` otherwise. */
  readonly kind: string;
  readonly status: number;
  /** The router's outcome (`handled`, `unauthorized`, `unclaimed-event`, ...); undefined for the emulator. */
  readonly outcome?: string;
  /** The answer's body, as sent back. */
  readonly answer: string;
  /** Why it was answered so, in words. */
  readonly reason: string;
  readonly decisions: readonly JournalDecision[];
  /** The identity consumers de-duplicate on (`alma-webhook-id`), once a plugin or route claimed the webhook. */
  readonly identity?: string;
  /** The id of the webhook this one redelivers (the deliveries page's or `redeliver`'s), when it is one. */
  readonly redeliveryOf?: string;
  readonly ms: number;
  readonly signed: boolean;
  readonly contentType?: string;
  /** The body exactly as received: UTF-8 text, or base64 when `bodyEncoding` says so. */
  readonly body: string;
  readonly bodyEncoding?: "base64";
}

/**
 * Appends one entry (one JSON line), creating the folder when needed. Synchronous: the entry is on disk
 * before the next request's.
 *
 * @example
 * ```ts
 * appendWebhook(DEFAULT_WEBHOOK_JOURNAL_PATH, entry);
 * ```
 */
export function appendWebhook(path: string, entry: WebhookJournalEntry): void {
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, `${JSON.stringify(entry)}\n`);
}

/**
 * The entries of a webhook journal, oldest first; a missing file is an empty journal, a line that is not
 * an entry is skipped and counted.
 *
 * @example
 * ```ts
 * const { entries } = await readWebhooks(DEFAULT_WEBHOOK_JOURNAL_PATH);
 * ```
 */
export async function readWebhooks(
  path: string,
): Promise<{ entries: WebhookJournalEntry[]; skipped: number }> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { entries: [], skipped: 0 };
    throw error;
  }
  const entries: WebhookJournalEntry[] = [];
  let skipped = 0;
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      const entry = JSON.parse(line) as WebhookJournalEntry;
      if (typeof entry.id === "string" && typeof entry.status === "number") entries.push(entry);
      else skipped += 1;
    } catch {
      skipped += 1;
    }
  }
  return { entries, skipped };
}

/** The bytes of an entry's body, as received. */
export const bodyOf = (entry: WebhookJournalEntry): Buffer =>
  Buffer.from(entry.body, entry.bodyEncoding === "base64" ? "base64" : "utf8");
