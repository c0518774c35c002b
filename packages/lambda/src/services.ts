import type { Logger } from "@alma-webhooks/core";
import type { Context } from "aws-lambda";

/** Core's logger plus Lambda's per-invocation context (Powertools' Logger has both). */
export interface LambdaLogger extends Logger {
  addContext(context: Context): void;
}

/** Time, injectable so tests control it. */
export interface Clock {
  now(): number;
}

/** The real clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** Where unexpected errors go: Sentry when `SENTRY_DSN` is set, nowhere otherwise. */
export interface ErrorReporter {
  readonly enabled: boolean;
  /** Captures the error and flushes, so it is sent before the function answers. */
  report(error: unknown, context: Readonly<Record<string, unknown>>): Promise<void>;
}

/** The reporter used when no error tracker is configured. */
export const noErrorReporter: ErrorReporter = { enabled: false, report: async () => {} };
