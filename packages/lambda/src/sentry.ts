import type { ErrorReporter } from "./services.js";

/** How long an unexpected error may take to reach Sentry before the function answers. */
export const SENTRY_FLUSH_TIMEOUT_MS = 1000;

/**
 * Loads Sentry, only when asked: it is the heaviest dependency by far, so a deployment without
 * `SENTRY_DSN` never imports it and does not pay for it on cold start.
 *
 * @example
 * ```ts
 * const reporter = configuration.sentryDsn ? await loadSentryReporter(dsn, "dev") : noErrorReporter;
 * ```
 */
export async function loadSentryReporter(dsn: string, environment: string): Promise<ErrorReporter> {
  const Sentry = await import("./sentry-sdk.js");
  Sentry.init({
    dsn,
    environment,
    sendDefaultPii: false,
    tracesSampleRate: 0,
    // Cold-start cost, measured (docs/performance.md). This function only reports errors: no tracing and
    // no auto-instrumentation, so no OpenTelemetry set-up and no ESM loader hooks (a worker thread, ~90 ms),
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
      Sentry.onUncaughtExceptionIntegration(),
      Sentry.onUnhandledRejectionIntegration(),
    ],
  });
  return {
    enabled: true,
    async report(error, context) {
      Sentry.withScope((scope) => {
        scope.setContext("webhook", { ...context });
        Sentry.captureException(error);
      });
      await Sentry.flush(SENTRY_FLUSH_TIMEOUT_MS);
    },
  };
}
