import type { Decision, Environment } from "@alma-webhooks/core";

/** Where decisions become CloudWatch metrics (embedded metric format, written to the log: no AWS call). */
export interface DecisionMetrics {
  /** Counts one decision: its outcome, each plugin's result, dispatch latency, and the two alarm metrics. */
  record(decision: Decision): void;
}

/** The default `service` dimension, as the logger's service name. */
const SERVICE = "alma-webhooks";

type MetricsSdk = typeof import("./metrics-sdk.js");

/**
 * Powertools Metrics for every decision, under the namespace `POWERTOOLS_METRICS_NAMESPACE`; undefined (no
 * metrics) when it is unset, so nothing changes by default. Powertools Metrics is imported here, and only
 * when the namespace is set: without metrics a cold start neither reads nor evaluates it
 * (docs/performance.md). Metrics, all with the `service` dimension
 * (`POWERTOOLS_SERVICE_NAME`, default `alma-webhooks`):
 * - `SignatureFailures` (Count): requests answered 401, a changed secret or a forged call — alarm on it;
 * - `DispatchFailures` (Count): pipeline starts that failed, transient or permanent — alarm on it;
 * - `Decisions` (Count) by `outcome`; `PluginDecisions` (Count) by `plugin` and `decision`;
 * - `DispatchLatency` (Milliseconds) by `plugin`; `ColdStart` (Count), once per cold start.
 *
 * @example
 * ```ts
 * const metrics = await createDecisionMetrics(process.env);
 * createWebhookRouter({ ...options, onDecision: (decision) => metrics?.record(decision) });
 * ```
 */
export async function createDecisionMetrics(env: Environment): Promise<DecisionMetrics | undefined> {
  const namespace = env.POWERTOOLS_METRICS_NAMESPACE?.trim();
  if (!namespace) return undefined;
  // Loaded before the first request (not at its first decision): every request records one, and a line
  // written after the answer could be lost when Lambda freezes the process.
  const { Metrics, MetricUnit }: MetricsSdk = await import("./metrics-sdk.js");
  const metrics = new Metrics({ namespace, serviceName: env.POWERTOOLS_SERVICE_NAME || SERVICE });
  let cold = true;
  const single = (
    dimensions: Record<string, string>,
    name: string,
    unit: (typeof MetricUnit)[keyof typeof MetricUnit],
    value: number,
  ): void => {
    const metric = metrics.singleMetric();
    for (const [key, dimension] of Object.entries(dimensions)) metric.addDimension(key, dimension);
    metric.addMetric(name, unit, value);
  };
  return {
    record(decision) {
      if (cold) {
        cold = false;
        metrics.addMetric("ColdStart", MetricUnit.Count, 1);
      }
      single({ outcome: decision.outcome }, "Decisions", MetricUnit.Count, 1);
      metrics.addMetric("SignatureFailures", MetricUnit.Count, decision.outcome === "unauthorized" ? 1 : 0);
      let failures = 0;
      for (const result of decision.plugins ?? []) {
        single({ plugin: result.plugin, decision: result.decision }, "PluginDecisions", MetricUnit.Count, 1);
        if (result.decision === "failed") failures += 1;
        if ("durationMs" in result && result.durationMs !== undefined) {
          single({ plugin: result.plugin }, "DispatchLatency", MetricUnit.Milliseconds, result.durationMs);
        }
      }
      metrics.addMetric("DispatchFailures", MetricUnit.Count, failures);
      metrics.publishStoredMetrics();
    },
  };
}
