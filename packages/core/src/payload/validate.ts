import { type SchemaError, validators } from "./compiled.js";
import type { JobEndPayload, WebhookEnvelope } from "./types.js";

/**
 * What {@link parseWebhookBody} returns: the payload, or a sentence naming what is wrong with it.
 *
 * @example
 * ```ts
 * const result: ParseResult = parseWebhookBody(request.body);
 * if (!result.ok) return { statusCode: 400, body: result.reason };
 * ```
 */
export type ParseResult =
  | { readonly ok: true; readonly payload: WebhookEnvelope }
  | { readonly ok: false; readonly reason: string };

const typeNames: Record<string, string> = {
  object: "an object",
  array: "an array",
  string: "a string",
};

/**
 * Turns a JSON pointer from ajv into the dotted path that error messages use.
 *
 * @example
 * ```ts
 * pathOf("/job_instance/counter/0/value"); // "job_instance.counter[0].value"
 * ```
 */
export function pathOf(pointer: string): string {
  return pointer
    .split("/")
    .slice(1)
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), "");
}

function describe(error: SchemaError): string {
  const path = pathOf(error.instancePath);
  const at = (name: string): string => (path ? `${path}.${name}` : name);
  switch (error.keyword) {
    case "required":
      return `${at(String(error.params.missingProperty))} is required`;
    case "type":
      return `${path || "the body"} must be ${typeNames[String(error.params.type)] ?? error.params.type}`;
    case "minLength":
      return `${path} must not be empty`;
    case "pattern":
      return path.endsWith("end_time")
        ? `${path} must be an ISO 8601 date-time`
        : `${path} must be a whole number written as a string, like "12"`;
    default:
      return `${path || "the body"} ${error.message ?? "is invalid"}`;
  }
}

function problems(errors: readonly SchemaError[] | null | undefined): string {
  return (errors ?? []).slice(0, 5).map(describe).join("; ");
}

/**
 * Parses a webhook body (its bytes, or the same as `text` when the caller has it) and validates the envelope and, for JOB_END, the `job_instance` fields that are
 * used. Unknown fields are allowed. Never throws: a bad body yields a reason fit for a 400 answer.
 *
 * @example
 * ```ts
 * const result = parseWebhookBody(Buffer.from('{"action":"JOB_END"}'));
 * // { ok: false, reason: "Invalid JOB_END webhook body: job_instance is required." }
 * ```
 */
export function parseWebhookBody(body: Buffer, text?: string): ParseResult {
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
  const { envelope, jobEnd } = validators;
  if (!envelope(payload)) return { ok: false, reason: `Invalid webhook body: ${problems(envelope.errors)}.` };
  if (payload.action === "JOB_END" && !jobEnd(payload)) {
    return { ok: false, reason: `Invalid JOB_END webhook body: ${problems(jobEnd.errors)}.` };
  }
  return { ok: true, payload };
}

/**
 * Narrows a validated envelope to a JOB_END payload.
 *
 * @example
 * ```ts
 * if (isJobEnd(payload)) console.log(payload.job_instance.name);
 * ```
 */
export function isJobEnd(payload: WebhookEnvelope): payload is JobEndPayload {
  return payload.action === "JOB_END";
}
