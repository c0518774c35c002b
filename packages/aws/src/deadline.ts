// What every dispatcher of the shell shares: the time budget that keeps a request inside Alma's 5 seconds,
// the SDK client settings that enforce it per attempt, and which failures are worth a retry (503).

// The one clock of the project is core's: re-exported here, where the shell's modules have always found it.
import type { Clock } from "@alma-webhooks/core";
import { isTransient as isTransientOf, messageOf, raceDeadline } from "@alma-webhooks/core";
import { DispatchTimeoutError } from "./errors.js";

export { type Clock, systemClock } from "@alma-webhooks/core";

/**
 * The time budget of a webhook, so that its answer leaves inside the function's 4 s timeout and Alma's 5 s
 * (Alma treats a slower answer as a failure). One deadline per webhook, `webhookMs` after the router takes
 * the POST, is shared by the stored-secret read and every dispatch (`ExecutionRequest.deadline`): a slow
 * store leaves the dispatches less, never more. Each attempt may take up to 0.5 s to connect and 1 s to be
 * answered; one dispatch gives up, as transient, after `totalMs` or at the deadline, whichever comes first.
 * The Lambda shell's invocation budget (lambda budget.ts) may end the webhook's deadline earlier, so that
 * the steps after the decision (the Sentry report, the history write, the kept bytes) fit before the
 * answer, due 3.3 s into the invocation.
 */
export const DISPATCH_BUDGET = Object.freeze({
  /** TCP/TLS connect, per attempt. */
  connectionTimeoutMs: 500,
  /** Waiting for the response, per attempt. */
  requestTimeoutMs: 1000,
  /** The SDK's standard retry strategy: the first try and two retries. */
  maxAttempts: 3,
  /**
   * Whatever the attempts and back-off add up to, the dispatch gives up (as transient) after this. The
   * follow-up calls (DescribeExecution after `ExecutionAlreadyExists`, DescribeStateMachine at the first
   * dispatch to a state machine) share it: they get what StartExecution left, never more.
   */
  totalMs: 3000,
  /** The webhook's deadline: secret read and dispatches together, from when the router takes the POST. */
  webhookMs: 2800,
  /** At most this much of what is left goes to the one-off DescribeStateMachine check. */
  stateMachineCheckMs: 500,
});

/**
 * The settings every SDK client of a dispatcher is built with (Step Functions, SQS, EventBridge): the
 * attempts and the per-attempt timeouts of {@link DISPATCH_BUDGET}.
 */
export const BUDGETED_CLIENT = Object.freeze({
  maxAttempts: DISPATCH_BUDGET.maxAttempts,
  requestHandler: {
    connectionTimeout: DISPATCH_BUDGET.connectionTimeoutMs,
    requestTimeout: DISPATCH_BUDGET.requestTimeoutMs,
    // Without it the SDK only warns when requestTimeout passes, and keeps waiting.
    throwOnRequestTimeout: true,
  },
});

/**
 * The settings of a client whose sends must not be repeated blindly: one attempt. A standard SQS queue or an
 * event bus keeps every copy it is given, and an attempt that timed out or failed with a 5xx may have
 * arrived; the SDK's retry of it would deliver twice. Only a refusal that proves nothing arrived (a 4xx
 * throttling answer) is tried again, by {@link retryRefused}.
 */
export const SINGLE_ATTEMPT_CLIENT = Object.freeze({ ...BUDGETED_CLIENT, maxAttempts: 1 });

/** Throttling names an AWS service answers with a 4xx, before it takes the request. */
const THROTTLING_NAMES = new Set([
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "RequestThrottled",
  "RequestThrottledException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "ProvisionedThroughputExceededException",
  "KmsThrottled",
  "KmsThrottlingException",
]);

/**
 * Whether the service answered, and the answer proves it took nothing: a throttling refusal with a 4xx
 * status. A timeout, a reset, a 5xx prove nothing (the message may be on the queue).
 *
 * @example
 * ```ts
 * refusedBeforeArrival({ name: "ThrottlingException", $metadata: { httpStatusCode: 400 } }); // true
 * refusedBeforeArrival({ name: "TimeoutError" }); // false
 * ```
 */
export function refusedBeforeArrival(error: unknown): boolean {
  if (error === null || typeof error !== "object") return false;
  const { name = "", $metadata } = error as AwsErrorFields;
  const status = $metadata?.httpStatusCode ?? 0;
  return THROTTLING_NAMES.has(name) && status >= 400 && status < 500;
}

/**
 * One send of a single-attempt client, tried again (at most 3 tries, 50 ms then 100 ms apart, within the
 * budget) only while the service refuses it in a way that proves nothing arrived ({@link refusedBeforeArrival}).
 */
export async function retryRefused<T>(
  clock: Clock,
  operation: string,
  budgetEnd: number,
  send: (abortSignal: AbortSignal) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await callWithin(clock, operation, budgetEnd, DISPATCH_BUDGET.totalMs, send);
    } catch (error) {
      const pause = 50 * attempt;
      if (attempt >= DISPATCH_BUDGET.maxAttempts || !refusedBeforeArrival(error)) throw error;
      if (budgetEnd - clock.now() <= pause) throw error;
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}

/** What this module reads of an AWS error: its name and HTTP status (core's transient.ts reads the rest). */
type AwsErrorFields = { name?: string; $metadata?: { httpStatusCode?: number } };

/**
 * Whether a failed AWS call may succeed if tried later, so the webhook answers 503 and Alma retries: core's
 * one `isTransient` (throttling, unavailable and timeout names, 429 and 5xx, network resets, the budget
 * running out, `ExecutionLimitExceeded`), re-exported where the shell's modules have always found it.
 *
 * @example
 * ```ts
 * isTransient({ name: "ThrottlingException" }); // true
 * ```
 */
export const isTransient = isTransientOf;

export const nameOf = (error: unknown): string => ((error ?? {}) as AwsErrorFields).name ?? "";

/** The one error-text helper, core's `messageOf`, under the name the shell's modules use. */
export const describe = messageOf;

/**
 * When the dispatch of `request` must be over: its own budget from `started`, or the request's deadline
 * (the secret read and every dispatch of one webhook share it) when that comes first.
 *
 * @example
 * ```ts
 * const budgetEnd = budgetEndOf(request, clock.now());
 * ```
 */
export const budgetEndOf = (request: { readonly deadline?: number }, started: number): number =>
  Math.min(started + DISPATCH_BUDGET.totalMs, request.deadline ?? Number.POSITIVE_INFINITY);

/**
 * One SDK call with what is left of the budget that ends at `budgetEnd` (at most `capMs`). The abort signal
 * stops the SDK's attempts and back-off; the race makes sure the answer does not wait for them.
 */
export async function callWithin<T>(
  clock: Clock,
  operation: string,
  budgetEnd: number,
  capMs: number,
  send: (abortSignal: AbortSignal) => Promise<T>,
): Promise<T> {
  const ms = Math.min(capMs, budgetEnd - clock.now());
  if (ms <= 0) throw new DispatchTimeoutError(operation, 0);
  const controller = new AbortController();
  return raceDeadline(send(controller.signal), ms, (): never => {
    controller.abort();
    throw new DispatchTimeoutError(operation, ms);
  });
}
