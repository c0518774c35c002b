// The one module that imports Sentry. Loaded with a dynamic import only when SENTRY_DSN is set, which
// also makes the bundler put Sentry (and the OpenTelemetry it brings) in a chunk of its own.
export { captureException, flush, init, withScope } from "@sentry/aws-serverless";
