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
