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
  Sentry.init({ dsn, environment, sendDefaultPii: false, tracesSampleRate: 0 });
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
