import { ConfigurationError, loadPlugins } from "@alma-webhooks/core";
import {
  counter,
  createPluginHarness,
  deliverSamples,
  exampleEnvironment,
  failedJobEndPayload,
  jobEndPayload,
} from "@alma-webhooks/core/testing";
import { expect } from "chai";
import { template_namePlugin } from "../src/index.js";

// The plugin's own example settings: what the local run uses, and what its sample payloads start under.
const ENV = exampleEnvironment(template_namePlugin);
const JOB = template_namePlugin.settings.jobName.example ?? "";
const ARN = template_namePlugin.settings.stateMachineArn.example ?? "";
const OK = "Webhook POST request received and validated, TEMPLATE_NAME pipeline initiated.";

const job = (overrides: Record<string, unknown> = {}) =>
  jobEndPayload({ job_instance: { name: JOB, id: "7019873450004761", ...overrides } });

describe("template_namePlugin", () => {
  const harness = () => createPluginHarness(template_namePlugin, ENV);

  it("starts its pipeline for each of its sample payloads under its example settings", async () => {
    const deliveries = await deliverSamples(template_namePlugin);
    expect(deliveries).to.have.length((await template_namePlugin.samplePayloads?.())?.length ?? 0).and.not.be
      .empty;
    for (const { response, request } of deliveries) {
      expect(response.body).to.equal(OK);
      expect(request).not.to.equal(undefined);
    }
  });

  it("claims its export job and starts its state machine with the job id", async () => {
    const { response, request, input } = await harness().deliver(job());
    expect(response.body).to.equal(OK);
    expect(input).to.deep.equal({ job_id: "7019873450004761" });
    expect(request).to.deep.include({ plugin: "TEMPLATE_NAME", target: ARN });
    expect(request?.name).to.match(/^template_name-\d{8}T\d{6}-7019873450004761$/);
  });

  it("claims the job name in any case", async () => {
    expect((await harness().deliver(job({ name: JOB.toUpperCase() }))).response.body).to.equal(OK);
  });

  it("does not claim a neighbouring name", async () => {
    const { response, request } = await harness().deliver(job({ name: `${JOB} 2` }));
    expect(response.body).to.equal("Webhook POST request received and validated, no action taken.");
    expect(request).to.equal(undefined);
  });

  it("ignores its job in another environment", async () => {
    const prod = createPluginHarness(template_namePlugin, ENV, { workspace: "prod" });
    const { response, request } = await prod.deliver(job());
    expect(response.body).to.equal(
      `Webhook POST request received and validated in prod env for job '${JOB}', no action taken.`,
    );
    expect(request).to.equal(undefined);
  });

  it("starts nothing when the job exported zero records", async () => {
    const { response, request } = await harness().deliver(
      job({ counter: [counter("label.new.records", 0)] }),
    );
    expect(response.body).to.contain("exported zero records so no action was taken");
    expect(request).to.equal(undefined);
  });

  it("starts nothing for a failed run", async () => {
    const { response, request } = await harness().deliver(
      failedJobEndPayload({ job_instance: { name: JOB } }),
    );
    expect(response.body).to.contain("failed so no action was taken");
    expect(request).to.equal(undefined);
  });

  it("names executions by job: a redelivery is a duplicate, another job another execution", async () => {
    const h = harness();
    const [a, b, c] = [await h.deliver(job()), await h.deliver(job()), await h.deliver(job({ id: "2" }))];
    expect(b.request?.name).to.equal(a.request?.name);
    expect(c.request?.name).not.to.equal(a.request?.name);
    expect(h.dispatcher.executions.size).to.equal(2);
  });

  it("is inactive without its job name, and reports a malformed state machine ARN", () => {
    expect(loadPlugins([template_namePlugin], {}).warnings).to.deep.equal([
      "TEMPLATE_NAME plugin is inactive: ALMA_TEMPLATE_NAME_EXPORT_JOB_NAME is not set.",
    ]);
    const { problems } = loadPlugins([template_namePlugin], {
      ...ENV,
      TEMPLATE_NAME_STATE_MACHINE_ARN: "arn:aws:s3:::bucket",
    });
    expect(problems).to.have.length(1);
    expect(problems[0]).to.contain(
      "TEMPLATE_NAME_STATE_MACHINE_ARN is not a Step Functions state machine ARN",
    );
    expect(() =>
      createPluginHarness(template_namePlugin, { ALMA_TEMPLATE_NAME_EXPORT_JOB_NAME: JOB }),
    ).to.throw(ConfigurationError);
  });
});
