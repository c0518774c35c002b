import type { Logger } from "@alma-webhooks/core";
import type { Context } from "aws-lambda";

export { type Clock, systemClock } from "@alma-webhooks/aws";

/** Core's logger plus Lambda's per-invocation context (Powertools' Logger has both). */
export interface LambdaLogger extends Logger {
  addContext(context: Context): void;
}

/**
 * Where unexpected errors go: Sentry when `SENTRY_DSN` is set, nowhere otherwise. Built without loading
 * anything (Sentry's SDK is imported by the first `report`), so it costs a cold start nothing.
 */
export interface ErrorReporter {
  /** Whether reports go anywhere (known at start-up, before anything is loaded). */
  readonly enabled: boolean;
  /**
   * Captures the error and flushes, so it is sent before the function answers; the first call loads the
   * error tracker. Bounded in time (`SENTRY_REPORT_BUDGET_MS`).
   */
  report(error: unknown, context: Readonly<Record<string, unknown>>): Promise<void>;
}

/** The reporter used when no error tracker is configured. */
export const noErrorReporter: ErrorReporter = { enabled: false, report: async () => {} };
