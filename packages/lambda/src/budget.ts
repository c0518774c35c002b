import type { Clock } from "@alma-webhooks/core";

/**
 * The one deadline of an invocation, in milliseconds from its start. The function's timeout is 4 s (infra
 * WEBHOOK_TIMEOUT) and Alma waits 5 s: the answer leaves by `answerMs`, or by what the Lambda context has
 * left less `marginMs`, whichever comes first. Everything between the request and the answer measures its
 * time against it on one clock:
 * - the webhook's deadline (router `deadline`: the stored-secret read, the ledger's claim, every dispatch, the
 *   ledger's completion or release, the claim check's S3 write) ends `afterDecisionMs` before the answer;
 * - the steps after the decision (the Sentry report and its flush, the history write, the kept bytes'
 *   S3 write) share what is left until the answer, and are not waited for past it.
 *
 * @example
 * ```ts
 * const budget = new InvocationBudget(systemClock);
 * budget.begin(context); // at the start of each invocation
 * createWebhookRouter({ ...options, deadline: () => budget.dispatchBy });
 * ```
 */
export const INVOCATION_BUDGET = Object.freeze({
  /** The answer leaves by this long after the invocation starts, whatever hangs. */
  answerMs: 3_300,
  /** Kept back from the context's remaining time, for the answer's own way out. */
  marginMs: 300,
  /** The steps after the decision: reports, history, kept bytes. */
  afterDecisionMs: 800,
});

/** What the handler needs of Lambda's context. */
export interface RemainingTime {
  getRemainingTimeInMillis?(): number;
}

/**
 * One invocation's deadline ({@link INVOCATION_BUDGET}), on the one clock. Lambda runs one invocation at a
 * time per process: `begin` starts one, `end` closes it. Outside an invocation (tests that call the router
 * alone) the limits count from each use.
 *
 * @example
 * ```ts
 * budget.begin(context);
 * await raceDeadline(history.settle(), budget.left(), () => undefined);
 * ```
 */
export class InvocationBudget {
  private answerAt: number | undefined;

  constructor(
    readonly clock: Clock,
    private readonly limits: typeof INVOCATION_BUDGET = INVOCATION_BUDGET,
  ) {}

  /**
   * Starts an invocation's budget: `answerMs` from when the invocation started (`elapsedMs` ago: a cold
   * start builds the handler inside its first invocation), or the context's remaining time less the margin,
   * whichever ends first.
   */
  begin(context?: RemainingTime, elapsedMs = 0): void {
    const remaining = context?.getRemainingTimeInMillis?.();
    const hosted =
      typeof remaining === "number" && Number.isFinite(remaining)
        ? remaining - this.limits.marginMs
        : Number.POSITIVE_INFINITY;
    this.answerAt = this.clock.now() + Math.max(0, Math.min(this.limits.answerMs - elapsedMs, hosted));
  }

  /** The invocation is over: until the next `begin`, the limits count from each use. */
  end(): void {
    this.answerAt = undefined;
  }

  /** When the answer must leave (outside an invocation: `answerMs` from now). */
  get answerBy(): number {
    return this.answerAt ?? this.clock.now() + this.limits.answerMs;
  }

  /**
   * When the webhook's deadline is: the answer's, less the time the steps after the decision need.
   * Undefined outside an invocation (the router's `timeBudgetMs` alone applies).
   */
  get dispatchBy(): number | undefined {
    return this.answerAt === undefined ? undefined : this.answerAt - this.limits.afterDecisionMs;
  }

  /** Milliseconds left until the answer must leave (0 once it is due). */
  left(): number {
    return Math.max(0, this.answerBy - this.clock.now());
  }
}
