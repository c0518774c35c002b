import { loadPlugins } from "@alma-webhooks/core";
import {
  counter,
  createPluginHarness,
  deliverSamples,
  failedJobEndPayload,
  jobEndPayload,
  legacyJobEndPayload,
} from "@alma-webhooks/core/testing";
import { expect } from "chai";
import { bursarPlugin } from "../src/index.js";

const JOB = "Export to bursar using profile Bursar Export to Dev1";
const ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:bursar-dev";
const ENV = { ALMA_BURSAR_EXPORT_JOB_NAME: JOB, BURSAR_STATE_MACHINE_ARN: ARN };
const FEES = "com.exlibris.external.bursar.report.fines_fees_count";
const OK = "Webhook POST request received and validated, BURSAR pipeline initiated.";

const bursar = (job: Record<string, unknown> = {}) =>
  jobEndPayload({
    job_instance: {
      name: JOB,
      id: "7019873450004761",
      counter: [
        counter(FEES, 57, "Fines and fees exported"),
        counter("c.jobs.bursar.users", 12),
        counter("label.new.records", 0),
      ],
      ...job,
    },
  });

describe("bursarPlugin", () => {
  it("starts its pipeline for each of its sample payloads under its example settings", async () => {
    const deliveries = await deliverSamples(bursarPlugin);
    expect(deliveries).to.have.length((await bursarPlugin.samplePayloads?.())?.length ?? 0).and.not.be.empty;
    for (const { response, request } of deliveries) {
      expect(response.body).to.equal(
        "Webhook POST request received and validated, BURSAR pipeline initiated.",
      );
      expect(request).not.to.equal(undefined);
    }
  });

  const harness = () => createPluginHarness(bursarPlugin, ENV);

  it("claims the Bursar export job and passes the job id", async () => {
    const { response, request, input } = await harness().deliver(bursar());
    expect(response.body).to.equal(OK);
    expect(input).to.deep.equal({ job_id: "7019873450004761" });
    expect(request).to.deep.include({
      plugin: "BURSAR",
      target: ARN,
      name: "bursar-20241106T144310-7019873450004761",
    });
  });

  it("claims the job name in any case, and the older payload shape", async () => {
    expect((await harness().deliver(bursar({ name: JOB.toLowerCase() }))).response.body).to.equal(OK);
    const legacy = legacyJobEndPayload({ job_instance: bursar().job_instance });
    expect((await harness().deliver(legacy)).input).to.deep.equal({ job_id: "7019873450004761" });
  });

  for (const name of [`${JOB} 2`, "Export to bursar using profile Bursar Export to Dev"]) {
    it(`does not claim a neighbouring name: '${name}'`, async () => {
      expect((await harness().deliver(bursar({ name }))).request).to.equal(undefined);
    });
  }

  it("ignores another environment's Bursar job", async () => {
    const { response } = await harness().deliver(bursar({ name: JOB.replace("Dev1", "Stage") }));
    expect(response.body).to.match(/validated in dev env for job '.*Stage', no action taken\.$/);
  });

  it("counts only fines and fees: zero of them starts nothing", async () => {
    const counters = [counter(FEES, 0), counter("label.new.records", 40)];
    const { response, request } = await harness().deliver(bursar({ counter: counters }));
    expect(response.body).to.equal(
      `Webhook POST request received and validated, Alma job '${JOB}' exported zero records so no action was taken.`,
    );
    expect(request).to.equal(undefined);
  });

  it("starts nothing for a failed run", async () => {
    const failed = failedJobEndPayload({
      job_instance: { name: JOB, counter: [counter(FEES, 3), counter("c.jobs.error", 1)] },
    });
    expect((await harness().deliver(failed)).response.body).to.contain("failed so no action was taken");
  });

  it("names executions by job: same job same name, other job other name, within 80 characters", async () => {
    const h = harness();
    const [a, b, c, d] = [
      await h.deliver(bursar()),
      await h.deliver(bursar()),
      await h.deliver(bursar({ id: "7019873450004762" })),
      await h.deliver(bursar({ id: "x".repeat(100) })),
    ];
    expect(a.request?.name).to.equal(b.request?.name);
    expect(c.request?.name).not.to.equal(a.request?.name);
    expect(d.request?.name).to.match(/^bursar-[0-9A-Za-z_-]{1,73}$/);
    expect(h.dispatcher.executions.size).to.equal(3);
  });

  it("is inactive without its job name, and an error naming both variables without its ARN", () => {
    expect(loadPlugins([bursarPlugin], {}).warnings).to.deep.equal([
      "BURSAR plugin is inactive: ALMA_BURSAR_EXPORT_JOB_NAME is not set.",
    ]);
    const { problems } = loadPlugins([bursarPlugin], {
      ALMA_BURSAR_EXPORT_JOB_NAME: JOB,
      BURSAR_STATE_MACHINE_ARN: "arn:aws:s3:::bucket",
    });
    expect(problems[0])
      .to.contain("BURSAR_STATE_MACHINE_ARN is not a Step Functions state machine ARN")
      .and.to.contain("ALMA_BURSAR_EXPORT_JOB_NAME");
  });
});
