import { signedPost } from "@alma-webhooks/core/testing";
import { expect } from "chai";
import sinon from "sinon";
import { createDecisionMetrics } from "../src/metrics.js";
import { SECRET, VALID_ENV } from "./support/environment.js";
import { handlerWithFakes } from "./support/handler.js";
import { TRIGGERS } from "./support/response-table.js";

/** The EMF lines written while `act` runs, parsed. */
async function emitted(act: () => Promise<unknown> | unknown): Promise<Record<string, unknown>[]> {
  const chunks: string[] = [];
  const write = sinon.stub(process.stdout, "write").callsFake((chunk: unknown) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    await act();
  } finally {
    write.restore();
  }
  return chunks
    .join("")
    .split("\n")
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line));
}

const metricNames = (lines: Record<string, unknown>[]): string[] =>
  lines.flatMap((line) =>
    (
      (line._aws as { CloudWatchMetrics: { Metrics: { Name: string }[] }[] }).CloudWatchMetrics[0]?.Metrics ??
      []
    ).map((metric) => metric.Name),
  );

describe("decision metrics (Powertools, embedded metric format)", () => {
  afterEach(() => sinon.restore());

  it("are off when POWERTOOLS_METRICS_NAMESPACE is unset", async () => {
    expect(await createDecisionMetrics({})).to.equal(undefined);
    expect(await createDecisionMetrics({ POWERTOOLS_METRICS_NAMESPACE: " " })).to.equal(undefined);
  });

  it("count a signature failure under the namespace and service, and the outcome", async () => {
    const metrics = await createDecisionMetrics({ POWERTOOLS_METRICS_NAMESPACE: "AlmaWebhooks" });
    const lines = await emitted(() => metrics?.record({ outcome: "unauthorized", statusCode: 401 }));
    const main = lines.find((line) => "SignatureFailures" in line);
    expect(main).to.include({
      SignatureFailures: 1,
      DispatchFailures: 0,
      service: "alma-webhooks",
      ColdStart: 1,
    });
    const aws = main?._aws as { CloudWatchMetrics: { Namespace: string }[] } | undefined;
    expect(aws?.CloudWatchMetrics[0]?.Namespace).to.equal("AlmaWebhooks");
    expect(lines.find((line) => line.outcome === "unauthorized")).to.include({ Decisions: 1 });
  });

  it("count dispatch failures, each plugin's decision and the dispatch latency, cold start once", async () => {
    const metrics = await createDecisionMetrics({
      POWERTOOLS_METRICS_NAMESPACE: "AlmaWebhooks",
      POWERTOOLS_SERVICE_NAME: "webhooks-dev",
    });
    await emitted(() => metrics?.record({ outcome: "unclaimed", statusCode: 200 }));
    const lines = await emitted(() =>
      metrics?.record({
        outcome: "handled",
        statusCode: 503,
        plugins: [
          { plugin: "PPOD", decision: "failed", transient: true, error: "Throttling", durationMs: 12 },
          { plugin: "TIMDEX", decision: "started", executionName: "n", durationMs: 30 },
        ],
      }),
    );
    expect(lines.find((line) => "DispatchFailures" in line)).to.include({
      DispatchFailures: 1,
      service: "webhooks-dev",
    });
    expect(metricNames(lines)).not.to.include("ColdStart");
    expect(lines.find((line) => line.plugin === "TIMDEX" && "DispatchLatency" in line)).to.include({
      DispatchLatency: 30,
    });
    expect(lines.find((line) => line.plugin === "PPOD" && line.decision === "failed")).to.include({
      PluginDecisions: 1,
    });
  });

  it("count WebhooksNotDelivered (C1): 0 or 1 with [service] on every decision, and by reason when 1", async () => {
    const metrics = await createDecisionMetrics({ POWERTOOLS_METRICS_NAMESPACE: "AlmaWebhooks" });
    const delivered = await emitted(() => metrics?.record({ outcome: "handled", statusCode: 200 }));
    expect(delivered.find((line) => "WebhooksNotDelivered" in line)).to.include({
      WebhooksNotDelivered: 0,
      service: "alma-webhooks",
    });
    expect(delivered.filter((line) => "reason" in line)).to.deep.equal([]);
    const lost = await emitted(() =>
      metrics?.record({ outcome: "invalid-body", statusCode: 400, notDelivered: "invalid-body" }),
    );
    const alarmed = lost.find((line) => "WebhooksNotDelivered" in line && !("reason" in line));
    expect(alarmed).to.include({ WebhooksNotDelivered: 1, SignatureFailures: 0 });
    expect(
      (alarmed?._aws as { CloudWatchMetrics: { Dimensions: string[][] }[] } | undefined)?.CloudWatchMetrics[0]
        ?.Dimensions,
    ).to.deep.equal([["service"]]);
    expect(lost.find((line) => line.reason === "invalid-body")).to.include({
      WebhooksNotDelivered: 1,
      service: "alma-webhooks",
    });
  });

  it("are written by the handler for every decision when the namespace is set", async () => {
    const { handler } = handlerWithFakes({
      env: { ...VALID_ENV, POWERTOOLS_METRICS_NAMESPACE: "AlmaWebhooks" },
    });
    const lines = await emitted(() => handler(signedPost(TRIGGERS.pod(), SECRET)));
    expect(lines.find((line) => line.outcome === "handled")).to.include({ Decisions: 1 });
    const wrong = await emitted(() => handler(signedPost(TRIGGERS.pod(), "not the secret")));
    expect(wrong.find((line) => "SignatureFailures" in line)).to.include({ SignatureFailures: 1 });
  });
});
