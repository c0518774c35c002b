import { raceDeadline } from "@alma-webhooks/core";
import type { ErrorReporter } from "./services.js";

/**
 * How long one report may take, loading Sentry included on the first one: import, init, capture and
 * flush all happen before the function answers, and never past the invocation's answer deadline
 * (`INVOCATION_BUDGET` in budget.ts: the webhook's deadline ends 0.8 s before it).
 */
export const SENTRY_REPORT_BUDGET_MS = 800;

type SentrySdk = typeof import("./sentry-sdk.js");

function initialise(Sentry: SentrySdk, dsn: string, environment: string): void {
  Sentry.init({
    dsn,
    environment,
    sendDefaultPii: false,
    tracesSampleRate: 0,
    // Cost, measured (docs/performance.md). This function only reports errors: no tracing and no
    // auto-instrumentation, so no OpenTelemetry set-up and no ESM loader hooks (a worker thread, ~90 ms),
    // and only the integrations that build and filter an error event. Sentry's defaults would also start
    // an inspector session (local variables), patch http, fetch and the AWS SDK, and load ICU time-zone
    // data for the culture context (~25 ms, even when filtered out afterwards: it runs in the factory).
    registerEsmLoaderHooks: false,
    skipOpenTelemetrySetup: true,
    defaultIntegrations: false,
    integrations: [
      Sentry.inboundFiltersIntegration(),
      Sentry.functionToStringIntegration(),
      Sentry.linkedErrorsIntegration(),
      Sentry.systemErrorIntegration(),
      Sentry.nodeContextIntegration({ culture: false }),
      Sentry.contextLinesIntegration(),
      // Installed with the first report, not at start-up (see the package README): the handler catches
      // everything, so these only matter for an error outside any request.
      Sentry.onUncaughtExceptionIntegration(),
      Sentry.onUnhandledRejectionIntegration(),
    ],
  });
}

/**
 * The Sentry reporter, returned at once: Sentry is the heaviest dependency by far, so it is imported and
 * initialised on the first report, not at start-up. A cold start (with or without `SENTRY_DSN`) then costs
 * the same; only the first error of a process pays for loading Sentry (about 0.1 s), inside
 * {@link SENTRY_REPORT_BUDGET_MS}. Every report goes through here (the handler never throws), captures
 * and flushes before the function answers. Should loading outlast the budget, the answer leaves without
 * waiting: the error is captured once Sentry is loaded and sent with a later flush.
 *
 * @example
 * ```ts
 * const reporter = configuration.sentryDsn ? createSentryReporter(dsn, "dev") : noErrorReporter;
 * ```
 */
export function createSentryReporter(
  dsn: string,
  environment: string,
  /** What the invocation has left (InvocationBudget): a report never waits past the answer's deadline. */
  left: () => number = () => SENTRY_REPORT_BUDGET_MS,
): ErrorReporter {
  let loading: Promise<SentrySdk> | undefined;
  const load = (): Promise<SentrySdk> => {
    loading ??= import("./sentry-sdk.js").then(
      (Sentry) => {
        initialise(Sentry, dsn, environment);
        return Sentry;
      },
      (error: unknown) => {
        // Not cached: the next report tries again.
        loading = undefined;
        throw error;
      },
    );
    return loading;
  };
  return {
    enabled: true,
    async report(error, context) {
      const budget = Math.max(0, Math.min(SENTRY_REPORT_BUDGET_MS, left()));
      const deadline = Date.now() + budget;
      const captured = load().then((Sentry) => {
        Sentry.withScope((scope) => {
          scope.setContext("webhook", { ...context });
          Sentry.captureException(error);
        });
        return Sentry;
      });
      const Sentry = await raceDeadline(captured, budget, () => undefined);
      // Still loading after the budget: the error is captured once Sentry is loaded, and sent by a
      // later flush (or, in Lambda, when the process next runs); the answer does not wait for it.
      if (Sentry === undefined) {
        captured.catch(() => {});
        return;
      }
      const flushMs = deadline - Date.now();
      if (flushMs > 0) await Sentry.flush(flushMs);
    },
  };
}
