import type { DeliveryLedger, ReadSecret, UndeliveredStore } from "@alma-webhooks/aws";
import type { ExecutionDispatcher, Secrets, WebhookPlugin, WebhookRouter } from "@alma-webhooks/core";
import type { InjectionToken } from "tsyringe";
import type { InvocationBudget } from "./budget.js";
import type { Configuration } from "./config.js";
import type { WebhookKeeper } from "./keeper.js";
import type { DecisionMetrics } from "./metrics.js";
import type { Clock, ErrorReporter, LambdaLogger } from "./services.js";

/** Dependency-injection tokens: one per service the container provides. */
export const TOKENS = {
  /** The environment variables, read once: `process.env` unless a test gives its own. */
  Environment: Symbol("Environment") as InjectionToken<Readonly<Record<string, string | undefined>>>,
  /** Every plugin, registered once each under this token and collected with `resolveAll`. */
  Plugin: Symbol("Plugin") as InjectionToken<WebhookPlugin>,
  Configuration: Symbol("Configuration") as InjectionToken<Configuration>,
  Logger: Symbol("Logger") as InjectionToken<LambdaLogger>,
  Clock: Symbol("Clock") as InjectionToken<Clock>,
  Dispatcher: Symbol("Dispatcher") as InjectionToken<ExecutionDispatcher>,
  ErrorReporter: Symbol("ErrorReporter") as InjectionToken<ErrorReporter>,
  /** Reads a stored webhook secret (Secrets Manager or SSM); used only when one is configured. */
  ReadSecret: Symbol("ReadSecret") as InjectionToken<ReadSecret>,
  /** The webhook secrets: as set, or a source reading the stored ones. */
  Secrets: Symbol("Secrets") as InjectionToken<Secrets>,
  /** Decision metrics: registered at start-up only when POWERTOOLS_METRICS_NAMESPACE is set. */
  Metrics: Symbol("Metrics") as InjectionToken<DecisionMetrics>,
  /** The router, built once from everything above: what the handler serves. */
  Router: Symbol("Router") as InjectionToken<WebhookRouter>,
  /** The delivery ledger's table (`ALMA_IDEMPOTENCY_TABLE`), or null without one. Loads nothing until used. */
  Ledger: Symbol("Ledger") as InjectionToken<DeliveryLedger | null>,
  /** The invocation's one deadline, on the Clock: begun by the handler at each invocation. */
  Budget: Symbol("Budget") as InjectionToken<InvocationBudget>,
  /** The bucket of undelivered webhooks (`ALMA_UNDELIVERED_BUCKET`), or null without one. Loads nothing until used. */
  Undelivered: Symbol("Undelivered") as InjectionToken<UndeliveredStore | null>,
  /** Keeps the bytes of the invocation's webhook when it is not delivered (into `Undelivered`). */
  Keeper: Symbol("Keeper") as InjectionToken<WebhookKeeper>,
} as const;
