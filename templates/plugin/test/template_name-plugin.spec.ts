import { CORE_VERSION, loadPlugins, satisfiesRange } from "@alma-webhooks/core";
import {
  counter,
  createPluginHarness,
  failedJobEndPayload,
  jobEndPayload,
} from "@alma-webhooks/core/testing";
import { expect } from "chai";
import { __name__Plugin } from "../src/index.js";

const JOB = "__NAME__ Export to Dev1";
const ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:__name__-dev";
const ENV = { ALMA___NAME___EXPORT_JOB_NAME: JOB, __NAME___STATE_MACHINE_ARN: ARN };
const OK = "Webhook POST request received and validated, __NAME__ pipeline initiated.";

const job = (overrides: Record<string, unknown> = {}) =>
  jobEndPayload({
    job_instance: {
      name: JOB,
      id: "7019873450004761",
      counter: [counter("label.new.records", 12), counter("label.updated.records", 3)],
      ...overrides,
    },
  });

describe("__name__Plugin", () => {
  const harness = () => createPluginHarness(__name__Plugin, ENV);

  it("claims its export job and passes the job id", async () => {
    const { response, request, input } = await harness().deliver(job());
    expect(response.body).to.equal(OK);
    expect(input).to.deep.equal({ job_id: "7019873450004761" });
    expect(request).to.deep.include({ plugin: "__NAME__", target: ARN });
    expect(request?.name).to.match(/^__name__-/);
  });

  it("claims the job name in any case", async () => {
    expect((await harness().deliver(job({ name: JOB.toUpperCase() }))).response.body).to.equal(OK);
  });

  it("does not claim a neighbouring name", async () => {
    expect((await harness().deliver(job({ name: `${JOB} 2` }))).request).to.equal(undefined);
  });

  it("ignores another environment's job", async () => {
    const { response } = await harness().deliver(job({ name: JOB.replace("Dev1", "Stage") }));
    expect(response.body).to.match(/validated in dev env for job '.*Stage', no action taken\.$/);
  });

  it("starts nothing when the job exported zero records", async () => {
    const { response, request } = await harness().deliver(
      job({ counter: [counter("label.new.records", 0)] }),
    );
    expect(response.body).to.contain("exported zero records so no action was taken");
    expect(request).to.equal(undefined);
  });

  it("starts nothing for a failed run", async () => {
    const failed = failedJobEndPayload({ job_instance: { name: JOB } });
    expect((await harness().deliver(failed)).response.body).to.contain("failed so no action was taken");
  });

  it("names executions by job: same job same name, other job other name", async () => {
    const h = harness();
    const [a, b, c] = [
      await h.deliver(job()),
      await h.deliver(job()),
      await h.deliver(job({ id: "7019873450004762" })),
    ];
    expect(a.request?.name).to.equal(b.request?.name);
    expect(c.request?.name).not.to.equal(a.request?.name);
    expect(h.dispatcher.executions.size).to.equal(2);
  });

  it("is inactive without its job name, and reports a malformed ARN", () => {
    expect(loadPlugins([__name__Plugin], {}).warnings).to.deep.equal([
      "__NAME__ plugin is inactive: ALMA___NAME___EXPORT_JOB_NAME is not set.",
    ]);
    const { problems } = loadPlugins([__name__Plugin], {
      ...ENV,
      __NAME___STATE_MACHINE_ARN: "arn:aws:s3:::bucket",
    });
    expect(problems[0]).to.contain("__NAME___STATE_MACHINE_ARN is not a Step Functions state machine ARN");
  });

  it("declares a coreRange that this core satisfies", () => {
    expect(__name__Plugin.coreRange).to.be.a("string");
    expect(satisfiesRange(CORE_VERSION, __name__Plugin.coreRange ?? "")).to.equal(true);
  });
});
