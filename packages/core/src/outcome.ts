/**
 * What happened for one plugin that claimed the job.
 *
 * @example
 * ```ts
 * const outcome = await router.outcomeOf(request);
 * if (outcome.kind === "handled") {
 *   for (const result of outcome.results) if (result.decision === "started") console.log(result.executionName);
 * }
 * ```
 */
export type PluginResult =
  | { readonly plugin: string; readonly decision: "status-not-accepted"; readonly status: string }
  | { readonly plugin: string; readonly decision: "misconfigured"; readonly error: string }
  | { readonly plugin: string; readonly decision: "zero-records" }
  | { readonly plugin: string; readonly decision: "declined"; readonly reason: string }
  | {
      readonly plugin: string;
      readonly decision: "started" | "duplicate";
      readonly executionName: string;
      /** Where the webhook went (`DispatchResult.deliveredTo`): named so in the decision line, a contract. */
      readonly executionArn?: string;
      /** For a queue or a bus: the id of the message or event sent. */
      readonly messageId?: string;
      /** The target is a queue or a bus: the webhook was forwarded, not a pipeline started. */
      readonly forwarded?: boolean;
      /** The target is a function (a handler of `createWebhooks`): the webhook was handled. */
      readonly handled?: boolean;
      /** How long the dispatcher took. */
      readonly durationMs?: number;
    }
  | {
      readonly plugin: string;
      /** The webhook is larger than the target takes: not sent, answered 413. */
      readonly decision: "too-large";
      readonly size: number;
      readonly limit: number;
      readonly error: string;
      readonly executionName?: string;
      readonly durationMs?: number;
    }
  | {
      readonly plugin: string;
      readonly decision: "failed";
      readonly transient: boolean;
      readonly error: string;
      readonly executionName?: string;
      readonly durationMs?: number;
    };

/**
 * The typed result of every step of the decision chain; {@link toHttpResponse} is the one place that
 * turns it into an HTTP answer.
 *
 * @example
 * ```ts
 * const outcome = await router.outcomeOf(request);
 * if (outcome.kind === "handled") console.log(outcome.results.map((r) => r.decision));
 * ```
 */
export type Outcome =
  | { readonly kind: "not-http"; readonly reason: string }
  | { readonly kind: "method-not-allowed"; readonly method: string }
  | { readonly kind: "challenge"; readonly challenge: string; readonly format: ChallengeFormat }
  | { readonly kind: "challenge-missing" }
  | { readonly kind: "challenge-too-long"; readonly limit: number }
  | { readonly kind: "too-large"; readonly size: number; readonly limit: number }
  | { readonly kind: "body-already-read"; readonly cause: string }
  | { readonly kind: "unauthorized" }
  | { readonly kind: "unsupported-body" }
  | { readonly kind: "invalid-body"; readonly reason: string }
  /** No plugin claims this action at all (the name is the previous deployment's answer, kept for the logs). */
  | { readonly kind: "not-job-end"; readonly action: string }
  | { readonly kind: "other-environment"; readonly workspace: string; readonly jobName: string }
  | { readonly kind: "unclaimed"; readonly jobName: string }
  | { readonly kind: "unclaimed-event"; readonly action: string }
  | { readonly kind: "too-old"; readonly time: string; readonly jobName?: string; readonly action?: string }
  | {
      readonly kind: "handled";
      /** The job's name (JOB_END), or the action of another event. */
      readonly jobName?: string;
      readonly action?: string;
      readonly results: readonly PluginResult[];
    }
  | { readonly kind: "secret-unavailable"; readonly error: string }
  | { readonly kind: "internal-error"; readonly error: string };

/**
 * How a GET challenge is answered: the bare value as text (Alma's default) or `{"challenge": …}`.
 *
 * @example
 * ```ts
 * const router = createWebhookRouter({ ...options, challengeFormat: "json" });
 * ```
 */
export type ChallengeFormat = "text" | "json";

/**
 * Why a webhook was not delivered, in the words of the `WebhooksNotDelivered` metric's `reason` dimension:
 * `invalid-body` (400 after the signature: malformed, unusable values), `too-large` (413: larger than the
 * router's or an adapter's limit, or than a target takes), `unsupported-body` (415), `dispatch-failed` (a
 * dispatch refused or failed: 500 or 503), `deadline` (a dispatch given up at the webhook's deadline: 503),
 * `secret-unavailable` (503), `internal-error` (500, a bug), `misconfigured` (500: a broken plugin, or a
 * body an adapter's server had already read).
 *
 * @example
 * ```ts
 * const reason: NotDeliveredReason = "dispatch-failed";
 * ```
 */
export type NotDeliveredReason =
  | "invalid-body"
  | "too-large"
  | "unsupported-body"
  | "dispatch-failed"
  | "deadline"
  | "secret-unavailable"
  | "internal-error"
  | "misconfigured";

/** A transient failure whose error says the time ran out (the dispatch budget or the webhook's deadline). */
const TIMED_OUT = /^(DispatchTimeoutError|TimeoutError|AbortError|RequestTimeout\w*)\b/;

/** Each plugin result's reason, or undefined when it was delivered or deliberately not (declined, filtered). */
function resultReason(result: PluginResult): NotDeliveredReason | undefined {
  switch (result.decision) {
    case "misconfigured":
      return "misconfigured";
    case "too-large":
      return "too-large";
    case "failed":
      return result.transient && TIMED_OUT.test(result.error) ? "deadline" : "dispatch-failed";
    default:
      return undefined;
  }
}

/** The order the answer weighs results in (toHttpResponse): a broken plugin, then a failure, then a size. */
const RESULT_ORDER: readonly NotDeliveredReason[] = [
  "misconfigured",
  "deadline",
  "dispatch-failed",
  "too-large",
];

/**
 * The one classification of a decision as not delivered: the reason a webhook that may be Alma's (its
 * signature verified, or not checkable: too large to check, the secret unavailable) was not delivered, or
 * undefined for everything else: delivered, a duplicate, and the deliberate non-actions (no plugin or route
 * claims it, another environment, a status filter, zero records, too old, declined), the challenge, a
 * refused signature, a wrong method. The router logs a not-delivered decision at ERROR and reports it; the
 * metrics, the delivery history and the kept bytes read it from {@link DecisionRecord.notDelivered}.
 *
 * @example
 * ```ts
 * notDeliveredReason({ kind: "invalid-body", reason: "…" }); // "invalid-body"
 * notDeliveredReason({ kind: "unclaimed", jobName: "Export" }); // undefined
 * ```
 */
export function notDeliveredReason(outcome: Outcome): NotDeliveredReason | undefined {
  switch (outcome.kind) {
    case "too-large":
    case "invalid-body":
    case "unsupported-body":
    case "secret-unavailable":
    case "internal-error":
      return outcome.kind;
    case "body-already-read":
      return "misconfigured";
    case "handled": {
      const reasons = new Set(outcome.results.map(resultReason));
      return RESULT_ORDER.find((reason) => reasons.has(reason));
    }
    default:
      return undefined;
  }
}
