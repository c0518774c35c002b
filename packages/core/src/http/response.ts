import type { Outcome, PluginResult } from "../outcome.js";

/**
 * The answer to every Lambda HTTP front: Function URL, API Gateway (v1 and v2) and ALB all accept it.
 *
 * @example
 * ```ts
 * const response: HttpResponse = await router.handleRequest(request);
 * // { statusCode: 200, headers: { "content-type": "text/plain; charset=utf-8" }, body: "…" }
 * ```
 */
export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly isBase64Encoded: false;
}

const TEXT = "text/plain; charset=utf-8";
const VALIDATED = "Webhook POST request received and validated";

function respond(statusCode: number, body: string, contentType = TEXT): HttpResponse {
  return {
    statusCode,
    headers: {
      "content-type": contentType,
      "x-content-type-options": "nosniff",
      "cache-control": "no-store",
    },
    body,
    isBase64Encoded: false,
  };
}

const started = (result: PluginResult): boolean =>
  result.decision === "started" || result.decision === "duplicate";

function handled(subject: string, results: readonly PluginResult[]): HttpResponse {
  const broken = results.filter((result) => result.decision === "misconfigured");
  if (broken.length > 0) {
    const names = broken.map((result) => result.plugin).join(", ");
    return respond(
      500,
      `${VALIDATED}, but the ${names} pipeline is misconfigured; the event was not processed and may be retried.`,
    );
  }
  const failed = results.filter((result) => result.decision === "failed");
  const transient = failed.filter((result) => result.transient);
  if (transient.length > 0) {
    const names = transient.map((result) => result.plugin).join(", ");
    return respond(503, `${VALIDATED}, but starting the ${names} pipeline failed for now; retry later.`);
  }
  if (failed.length > 0) {
    const names = failed.map((result) => result.plugin).join(", ");
    return respond(500, `${VALIDATED}, but starting the ${names} pipeline failed.`);
  }
  const tooLarge = results.flatMap((result) => (result.decision === "too-large" ? [result] : []));
  if (tooLarge.length > 0) {
    const sizes = tooLarge
      .map((result) => `${result.plugin}: ${result.size} bytes, over its limit of ${result.limit} bytes`)
      .join("; ");
    return respond(
      413,
      `${VALIDATED}, but the webhook is too large to deliver (${sizes}); it was not delivered.`,
    );
  }
  const done = results.filter(started);
  const flag = (result: PluginResult, name: "forwarded" | "handled"): boolean =>
    name in result && (result as { readonly [key: string]: unknown })[name] === true;
  const initiated = done.filter((result) => !flag(result, "forwarded") && !flag(result, "handled"));
  const forwarded = done.filter((result) => flag(result, "forwarded"));
  const handledBy = done.filter((result) => flag(result, "handled"));
  if (done.length > 0) {
    const names = (list: readonly PluginResult[]) => list.map((result) => result.plugin).join(", ");
    const noun = initiated.length === 1 ? "pipeline" : "pipelines";
    const parts = [
      ...(initiated.length > 0 ? [`${names(initiated)} ${noun} initiated`] : []),
      ...(forwarded.length > 0 ? [`${names(forwarded)} forwarded`] : []),
      ...(handledBy.length > 0 ? [`${names(handledBy)} handled`] : []),
    ];
    return respond(200, `${VALIDATED}, ${parts.join(", ")}.`);
  }
  const [first] = results;
  if (first?.decision === "zero-records") {
    return respond(200, `${VALIDATED}, ${subject} exported zero records so no action was taken.`);
  }
  if (first?.decision === "declined") {
    return respond(
      200,
      `${VALIDATED}, ${first.plugin} declined ${subject} (${first.reason}) so no action was taken.`,
    );
  }
  return respond(200, `${VALIDATED}, ${subject} failed so no action was taken.`);
}

/** A client's text quoted in an answer: control characters escaped, as the logs write them. */
function escapeControls(text: string): string {
  let escaped = "";
  for (const char of text) {
    const code = char.charCodeAt(0);
    escaped +=
      code < 0x20 || (code >= 0x7f && code <= 0x9f) ? `\\u${code.toString(16).padStart(4, "0")}` : char;
  }
  return escaped;
}

const subjectOf = (outcome: { readonly jobName?: string; readonly action?: string }): string =>
  outcome.jobName !== undefined
    ? `Alma job '${outcome.jobName}'`
    : `the ${outcome.action ?? "webhook"} webhook`;

/**
 * Maps an {@link Outcome} to its HTTP answer. The bodies are the compatibility contract: existing checks
 * compare them to the character.
 *
 * @example
 * ```ts
 * toHttpResponse({ kind: "unclaimed", jobName: "Some job" }).body;
 * // "Webhook POST request received and validated, no action taken."
 * ```
 */
export function toHttpResponse(outcome: Outcome): HttpResponse {
  switch (outcome.kind) {
    case "challenge":
      return outcome.format === "json"
        ? respond(200, JSON.stringify({ challenge: outcome.challenge }), "application/json")
        : respond(200, outcome.challenge);
    case "challenge-missing":
      return respond(400, "Malformed request, 'challenge' query parameter required.");
    case "challenge-too-long":
      return respond(
        400,
        `Malformed request, 'challenge' query parameter longer than ${outcome.limit} characters.`,
      );
    case "method-not-allowed":
      return respond(405, `HTTP method ${outcome.method} not allowed. Supported methods: GET, POST.`);
    case "not-http":
      return respond(400, `Malformed request: ${outcome.reason}.`);
    case "too-large":
      return respond(
        413,
        `Request body of ${outcome.size} bytes is larger than the limit of ${outcome.limit} bytes.`,
      );
    case "body-already-read":
      return respond(500, `The webhook body could not be read: ${outcome.cause}`);
    case "unauthorized":
      return respond(401, "Unable to validate signature. Has the webhook challenge secret changed?");
    case "unsupported-body":
      return respond(
        415,
        "Unsupported webhook body: send JSON or XML, as the Alma webhook integration profile's message type says.",
      );
    case "invalid-body":
      return respond(400, `Malformed webhook body. ${escapeControls(outcome.reason)}`);
    case "not-job-end":
      return respond(200, `${VALIDATED}, not a JOB_END webhook so no action was taken.`);
    case "other-environment":
      return respond(
        200,
        `${VALIDATED} in ${outcome.workspace} env for job '${outcome.jobName}', no action taken.`,
      );
    case "unclaimed":
    case "unclaimed-event":
      return respond(200, `${VALIDATED}, no action taken.`);
    case "too-old":
      return respond(
        200,
        `${VALIDATED}, ${subjectOf(outcome)} is too old (${escapeControls(outcome.time)}), no action taken.`,
      );
    case "handled":
      return handled(subjectOf(outcome), outcome.results);
    case "secret-unavailable":
      return respond(
        503,
        "The webhook secret could not be read; the event was not processed and may be retried.",
      );
    case "internal-error":
      return respond(
        500,
        "Internal error while handling the webhook; it was not acted on and may be retried.",
      );
  }
}
