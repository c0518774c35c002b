import type { WebhookPayload } from "./types.js";

/** What {@link parseWebhookBody} returns: the payload, or a sentence naming what is wrong with it. */
export type ParseResult =
  | { readonly ok: true; readonly payload: WebhookPayload }
  | { readonly ok: false; readonly reason: string };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Parses a JSON webhook body (its bytes, or the same as `text` when the front delivered text) and checks the
 * one field every decision starts from: `action`. Never throws.
 */
export function parseJsonBody(body: Buffer, text?: string): ParseResult {
  if (body.length === 0) return { ok: false, reason: "The body is empty; a JSON webhook body is required." };
  let payload: unknown;
  try {
    // A leading byte-order mark is not JSON; the signature was already checked over the raw bytes.
    payload = JSON.parse((text ?? body.toString("utf8")).replace(/^\uFEFF/, ""));
  } catch (error) {
    // V8 quotes the body in its message; keep only the diagnosis, so client bytes never reach the logs.
    const diagnosis = (error as Error).message.split(/, (?:\.\.\.)?"/)[0];
    return { ok: false, reason: `The body is not valid JSON (${diagnosis}).` };
  }
  return checkEnvelope(payload);
}

/** Alma's bodies nest a handful of levels; far deeper ones cannot be handled (re-serialised, validated). */
export const MAX_BODY_DEPTH = 64;

/**
 * Whether a parsed value nests deeper than {@link MAX_BODY_DEPTH}. Recursive, but never past that depth; no
 * allocation per node (a 1 MiB MARC record has tens of thousands of them).
 */
function tooDeep(value: unknown, depth = 1): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (depth > MAX_BODY_DEPTH) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (tooDeep(item, depth + 1)) return true;
    return false;
  }
  for (const key in value) {
    if (Object.hasOwn(value, key) && tooDeep((value as Record<string, unknown>)[key], depth + 1)) return true;
  }
  return false;
}

/** The envelope check shared by both body formats: an object with an `action`, not nested too deep. */
export function checkEnvelope(payload: unknown): ParseResult {
  if (!isObject(payload)) {
    const what = Array.isArray(payload) ? "an array" : payload === null ? "null" : `a ${typeof payload}`;
    return { ok: false, reason: `The body must be a JSON object with an 'action', not ${what}.` };
  }
  if (tooDeep(payload)) {
    return {
      ok: false,
      reason: `The body nests more than ${MAX_BODY_DEPTH} levels deep; Alma's webhooks nest a few.`,
    };
  }
  if (!("action" in payload)) return { ok: false, reason: "action is required." };
  // Any other value is simply not an action a plugin claims (the previous deployment compared it to
  // "JOB_END" and ignored the rest); it is kept as text for the decision line.
  const { action } = payload;
  if (typeof action === "string") return { ok: true, payload: payload as WebhookPayload };
  return { ok: true, payload: { ...payload, action: JSON.stringify(action) } as WebhookPayload };
}
