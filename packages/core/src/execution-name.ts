import { isUtf8 } from "node:buffer";
import { createHash } from "node:crypto";
import { compactEndTime } from "./payload/job-end.js";
import type { JobInstance, WebhookPayload } from "./payload/types.js";

const MAX_LENGTH = 80; // The longest name AWS pipelines accept, and so the portable limit.
const ALLOWED = /^[0-9A-Za-z_-]+$/;
const HASH_LENGTH = 22; // 132 bits of SHA-256, base64url: only characters every target allows.

/** A job's (or a named webhook's) id as text: a string, or a whole number Alma sent unquoted. */
const idOf = (job: JobInstance): string | undefined =>
  typeof job.id === "string" || Number.isSafeInteger(job.id) ? String(job.id) : undefined;

const hash = (data: string | Buffer): string =>
  createHash("sha256").update(data).digest("base64url").slice(0, HASH_LENGTH);

/**
 * A deterministic execution name from a prefix and the Alma job itself, never from the clock: a
 * redelivered webhook gets the same name, so a target that de-duplicates by name never acts twice. The job
 * part is its end time and id; a body without an `id` is named by a hash of its bytes instead, so a
 * redelivery of the same bytes still gets the same name. The name always obeys the portable rules (at
 * most 80 characters of `[0-9A-Za-z_-]`): when the plain form would not, the id becomes a hash too.
 */
export function executionName(prefix: string, job: JobInstance, body: Buffer): string {
  const clean = prefix.replace(/-+$/, "");
  const head = clean.replace(/[^0-9A-Za-z_-]/g, "_") || "execution";
  const time = compactEndTime(job) ?? "notime";
  const id = idOf(job);
  if (id === undefined)
    return `${head.slice(0, MAX_LENGTH - time.length - HASH_LENGTH - 2)}-${time}-${hash(body)}`;
  const plain = `${head}-${time}-${id}`;
  if (plain.length <= MAX_LENGTH && ALLOWED.test(plain) && head === clean) return plain;
  const room = MAX_LENGTH - time.length - HASH_LENGTH - 2;
  return `${head.slice(0, room)}-${time}-${hash(`${prefix}\n${String(job.end_time)}\n${id}`)}`;
}

/**
 * The payload in one canonical text: keys sorted, `null` and absent alike left out, every scalar as its
 * text. The JSON and the XML form of one Alma event (XML has no numbers, booleans or nulls) give one text.
 */
function canonical(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) return `[${value.map((item) => canonical(item) ?? "").join(",")}]`;
  if (typeof value === "object") {
    const fields = Object.keys(value as Record<string, unknown>)
      .sort()
      .flatMap((key) => {
        const text = canonical((value as Record<string, unknown>)[key]);
        return text === undefined ? [] : [`${JSON.stringify(key)}:${text}`];
      });
    return `{${fields.join(",")}}`;
  }
  return JSON.stringify(String(value));
}

/** Whether a parsed value holds a number that may not be what the body said (JSON.parse rounds past 2^53). */
function hasInexactNumber(value: unknown): boolean {
  if (typeof value === "number") return !Number.isSafeInteger(value);
  if (Array.isArray(value)) return value.some(hasInexactNumber);
  if (value !== null && typeof value === "object") return Object.values(value).some(hasInexactNumber);
  return false;
}

/**
 * A hash (22 characters of `[0-9A-Za-z_-]`) of the webhook's content: its action, event, record, time and
 * everything else it says, as parsed (so its JSON and XML forms share it). A redelivery of the same webhook
 * gets the same one; two webhooks that differ in anything get two. Where the parsed form may hide a
 * difference of the bytes, the raw bytes (`body`) are hashed in too: a body that is not valid UTF-8 (its
 * invalid sequences all parse as U+FFFD) and a body holding a number that is not a safe integer (unquoted
 * `12345678901234567891` and `…892` parse as one number; a fraction may be rounded). Every other webhook
 * keeps the identity it had before this rule.
 *
 * @example
 * ```ts
 * contentHash(payload, request.body); // "q0Vx3…", 22 characters
 * ```
 */
export function contentHash(payload: WebhookPayload, body?: Buffer): string {
  const text = canonical(payload) ?? "";
  if (body === undefined || (isUtf8(body) && !hasInexactNumber(payload))) return hash(text);
  return hash(`${text}\n${createHash("sha256").update(body).digest("base64url")}`);
}

/**
 * The webhook's identity, `<compact time>-<what>`: for a JOB_END the job run (end time and job id, as the
 * Step Functions execution names of the pipelines have always been), for every other kind its time and
 * {@link contentHash}. A forward's deduplication id and `alma-webhook-id` attribute are the route's prefix
 * followed by it (shortened by a hash where Step Functions' 80 characters demand).
 */
export function webhookIdentity(
  payload: WebhookPayload,
  job?: JobInstance,
  named: JobInstance = namedWebhook(payload, job),
): string {
  return `${compactEndTime(named) ?? "notime"}-${idOf(named) ?? "noid"}`;
}

/**
 * What a webhook's executions are named after: the job of a JOB_END; for any other kind its action and
 * time, with its {@link contentHash} as the id (Alma sends one `id` and `time` for several events, a loan's
 * four, which must not share a name). Computed once per webhook, for its identity and every plugin's names.
 */
export const namedWebhook = (payload: WebhookPayload, job?: JobInstance, body?: Buffer): JobInstance =>
  // `time` is not checked here (compactEndTime reads it as it is): an untyped payload's field, cast as before.
  job ?? {
    name: payload.action,
    id: contentHash(payload, body),
    end_time: payload.time as string | undefined,
  };

/**
 * The identity of a webhook that was not delivered before it was named (a body refused after its signature
 * verified): `body-` and a hash (22 characters) of its bytes, so Alma's retries of the same bytes share it.
 *
 * @example
 * ```ts
 * bodyIdentity(Buffer.from("{}")); // "body-RBNvo1WzZ4oRRq0W9-hknp"
 * ```
 */
export const bodyIdentity = (body: Buffer): string => `body-${hash(body)}`;
