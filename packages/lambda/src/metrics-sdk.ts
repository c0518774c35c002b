// The one module that imports Powertools Metrics. Loaded with a dynamic import only when
// POWERTOOLS_METRICS_NAMESPACE is set, which also makes the bundler put it in a chunk of its own.
export { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
