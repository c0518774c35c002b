import type { LedgerTable, ReadSecret } from "@alma-webhooks/aws";
import type { ExecutionDispatcher, WebhookPlugin } from "@alma-webhooks/core";
import type { InjectionToken } from "tsyringe";
import type { Configuration } from "./config.js";
import type { Clock, ErrorReporter, LambdaLogger } from "./services.js";

/** Dependency-injection tokens: one per service the container provides. */
export const TOKENS = {
  /** The environment variables, read once: `process.env` unless a test gives its own. */
  Environment: Symbol("Environment") as InjectionToken<Readonly<Record<string, string | undefined>>>,
  /** Every job plugin, registered once each under this token and collected with `resolveAll`. */
  JobPlugin: Symbol("JobPlugin") as InjectionToken<WebhookPlugin>,
  Configuration: Symbol("Configuration") as InjectionToken<Configuration>,
  Logger: Symbol("Logger") as InjectionToken<LambdaLogger>,
  Clock: Symbol("Clock") as InjectionToken<Clock>,
  Dispatcher: Symbol("Dispatcher") as InjectionToken<ExecutionDispatcher>,
  ErrorReporter: Symbol("ErrorReporter") as InjectionToken<ErrorReporter>,
  /** Reads a stored webhook secret (Secrets Manager or SSM); used only when one is configured. */
  ReadSecret: Symbol("ReadSecret") as InjectionToken<ReadSecret>,
  /** The delivery ledger's table (`ALMA_IDEMPOTENCY_TABLE`), or null without one. Loads nothing until used. */
  Ledger: Symbol("Ledger") as InjectionToken<LedgerTable | null>,
} as const;
