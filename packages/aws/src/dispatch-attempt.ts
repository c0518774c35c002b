// What every service's dispatcher does around its call: time it, bound it, and log and answer a failure one way.
import type { DispatchResult, ExecutionRequest, LogFields, Logger } from "@alma-webhooks/core";
import { budgetEndOf, type Clock, type DISPATCH_BUDGET, describe, isTransient } from "./deadline.js";

/**
 * One dispatch of a request by a service's dispatcher: when it began, when its budget ends (the request's
 * deadline or {@link DISPATCH_BUDGET} from the start), the fields of its log lines, and the one way a
 * failure is logged (an ERROR line with `transient`, `error` and `durationMs`) and answered (`failed`).
 *
 * @example
 * ```ts
 * const attempt = new DispatchAttempt(request, { plugin: request.plugin, queueArn: request.target }, logger, clock);
 * try {
 *   await send(attempt.end);
 * } catch (error) {
 *   return attempt.failedWith("message not sent", error); // { status: "failed", transient, error }
 * }
 * ```
 */
export class DispatchAttempt {
  /** When the dispatch began, by the clock. */
  readonly started: number;
  /** When its budget ends: what every call of the dispatch is bounded by. */
  readonly end: number;

  constructor(
    request: ExecutionRequest,
    readonly fields: LogFields,
    private readonly logger: Logger,
    private readonly clock: Clock,
  ) {
    this.started = clock.now();
    this.end = budgetEndOf(request, this.started);
  }

  /** Milliseconds since the dispatch began. */
  elapsed(): number {
    return this.clock.now() - this.started;
  }

  /** Logs `message` at ERROR with the failure and answers it as a failed dispatch. */
  failed(message: string, error: string, transient: boolean): DispatchResult {
    this.logger.error(message, { ...this.fields, transient, error, durationMs: this.elapsed() });
    return { status: "failed", transient, error };
  }

  /** {@link failed} for a thrown error: its text, and transient as {@link isTransient} says. */
  failedWith(message: string, error: unknown): DispatchResult {
    const transient = isTransient(error);
    return this.failed(message, describe(error), transient);
  }
}
