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
 * - `WebhooksNotDelivered` (Count): 0 or 1 on every decision, 1 when a webhook that may be Alma's was not
 *   delivered (`Decision.notDelivered`, core's `notDeliveredReason`) — the stack alarms on it; when 1, also
 *   by `reason` (`invalid-body`, `too-large`, `dispatch-failed`, `deadline`, …) for the dashboard;
 * - `Decisions` (Count) by `outcome`; `PluginDecisions` (Count) by `plugin` and `decision`;
 * - `DispatchLatency` (Milliseconds) by `plugin` and `decision`; `ColdStart` (Count), once per cold start.
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
  const options = { namespace, serviceName: env.POWERTOOLS_SERVICE_NAME || SERVICE };
  // One long-lived Metrics object per dimension set: `singleMetric()` would build a whole new one a line.
  const alarms = new Metrics(options); // [service]: what the alarms watch
  const outcomes = new Metrics(options); // [service, outcome]
  const plugins = new Metrics(options); // [service, plugin, decision]
  const reasons = new Metrics(options); // [service, reason]
  let cold = true;
  return {
    record(decision) {
      if (cold) {
        cold = false;
        alarms.addMetric("ColdStart", MetricUnit.Count, 1);
      }
      let failures = 0;
      for (const result of decision.plugins ?? []) {
        if (result.decision === "failed") failures += 1;
        plugins.addDimension("plugin", result.plugin).addDimension("decision", result.decision);
        plugins.addMetric("PluginDecisions", MetricUnit.Count, 1);
        if ("durationMs" in result && result.durationMs !== undefined) {
          plugins.addMetric("DispatchLatency", MetricUnit.Milliseconds, result.durationMs);
        }
        plugins.publishStoredMetrics();
      }
      outcomes.addDimension("outcome", decision.outcome).addMetric("Decisions", MetricUnit.Count, 1);
      outcomes.publishStoredMetrics();
      alarms.addMetric("SignatureFailures", MetricUnit.Count, decision.outcome === "unauthorized" ? 1 : 0);
      alarms.addMetric("DispatchFailures", MetricUnit.Count, failures);
      alarms.addMetric("WebhooksNotDelivered", MetricUnit.Count, decision.notDelivered ? 1 : 0);
      alarms.publishStoredMetrics();
      if (decision.notDelivered) {
        reasons
          .addDimension("reason", decision.notDelivered)
          .addMetric("WebhooksNotDelivered", MetricUnit.Count, 1);
        reasons.publishStoredMetrics();
      }
    },
  };
}
