// The one module that imports Sentry. Loaded with a dynamic import only when SENTRY_DSN is set, which
// also makes the bundler put Sentry (and the OpenTelemetry it brings) in a chunk of its own.
export {
  captureException,
  contextLinesIntegration,
  flush,
  functionToStringIntegration,
  inboundFiltersIntegration,
  init,
  linkedErrorsIntegration,
  nodeContextIntegration,
  onUncaughtExceptionIntegration,
  onUnhandledRejectionIntegration,
  systemErrorIntegration,
  withScope,
} from "@sentry/aws-serverless";
