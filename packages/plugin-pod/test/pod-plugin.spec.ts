import { ConfigurationError, loadPlugins } from "@alma-webhooks/core";
import {
  counter,
  createPluginHarness,
  deliverSamples,
  failedJobEndPayload,
  jobEndPayload,
  legacyJobEndPayload,
} from "@alma-webhooks/core/testing";
import { expect } from "chai";
import { podPlugin } from "../src/index.js";

const JOB = "Publishing Platform Job PPOD EXPORT to Dev1";
const ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:ppod-upload-dev";
const ENV = { ALMA_POD_EXPORT_JOB_NAME: JOB, PPOD_STATE_MACHINE_ARN: ARN };
const OK = "Webhook POST request received and validated, PPOD pipeline initiated.";

const pod = (job: Record<string, unknown> = {}) => jobEndPayload({ job_instance: { name: JOB, ...job } });

describe("podPlugin", () => {
  it("starts its pipeline for each of its sample payloads under its example settings", async () => {
    const deliveries = await deliverSamples(podPlugin);
    expect(deliveries).to.have.length((await podPlugin.samplePayloads?.())?.length ?? 0).and.not.be.empty;
    for (const { response, request } of deliveries) {
      expect(response.body).to.equal("Webhook POST request received and validated, PPOD pipeline initiated.");
      expect(request).not.to.equal(undefined);
    }
  });

  const harness = () => createPluginHarness(podPlugin, ENV);

  describe("claims", () => {
    it("the POD export job, and builds the dated filename prefix", async () => {
      const { response, request, input } = await harness().deliver(pod());
      expect(response.body).to.equal(OK);
      expect(input).to.deep.equal({ "filename-prefix": "exlibris/pod/POD_ALMA_EXPORT_20241106" });
      expect(request).to.deep.include({
        plugin: "PPOD",
        target: ARN,
        name: "ppod-upload-20241106T144310-6219373120004761",
      });
    });

    it("the job name in any case", async () => {
      expect((await harness().deliver(pod({ name: JOB.toUpperCase() }))).response.body).to.equal(OK);
    });

    it("the older payload shape with null bib/holding/item fields", async () => {
      const { input } = await harness().deliver(legacyJobEndPayload({ job_instance: { name: JOB } }));
      expect(input).to.deep.equal({ "filename-prefix": "exlibris/pod/POD_ALMA_EXPORT_20241106" });
    });

    it("uses the date of end_time, not of the delivery", async () => {
      const { input } = await harness().deliver(pod({ end_time: "2025-01-31T23:59:59Z" }));
      expect(input).to.deep.equal({ "filename-prefix": "exlibris/pod/POD_ALMA_EXPORT_20250131" });
    });
  });

  describe("does not claim", () => {
    for (const name of [`${JOB} Full`, "Publishing Platform Job PPOD EXPORT to Dev", "PPOD EXPORT to Dev1"]) {
      it(`a neighbouring name: '${name}'`, async () => {
        const { response, request } = await harness().deliver(pod({ name }));
        expect(response.body).to.equal("Webhook POST request received and validated, no action taken.");
        expect(request).to.equal(undefined);
      });
    }

    it("the same job configured for another environment", async () => {
      const prod = createPluginHarness(
        podPlugin,
        { ...ENV, ALMA_POD_EXPORT_JOB_NAME: JOB.replace("Dev1", "Prod") },
        { workspace: "prod" },
      );
      const { response } = await prod.deliver(pod());
      expect(response.body).to.equal(
        `Webhook POST request received and validated in prod env for job '${JOB}', no action taken.`,
      );
    });
  });

  describe("starts nothing when", () => {
    it("the job exported zero records", async () => {
      const counters = [
        counter("label.new.records", 0),
        counter("label.updated.records", 0),
        counter("label.deleted.records", 0),
      ];
      const { response, request } = await harness().deliver(pod({ counter: counters }));
      expect(response.body).to.equal(
        `Webhook POST request received and validated, Alma job '${JOB}' exported zero records so no action was taken.`,
      );
      expect(request).to.equal(undefined);
    });

    it("the job failed, even with records and error counters", async () => {
      const { response, request } = await harness().deliver(
        failedJobEndPayload({ job_instance: { name: JOB } }),
      );
      expect(response.body).to.equal(
        `Webhook POST request received and validated, Alma job '${JOB}' failed so no action was taken.`,
      );
      expect(request).to.equal(undefined);
    });
  });

  describe("execution names", () => {
    it("are the same for the same job delivered twice, and the second start is a duplicate", async () => {
      const h = harness();
      const first = await h.deliver(pod());
      const second = await h.deliver(pod());
      expect(second.request?.name).to.equal(first.request?.name);
      expect(second.response.body).to.equal(OK);
      expect(h.dispatcher.executions.size).to.equal(1);
    });

    it("differ for another job id", async () => {
      const a = await harness().deliver(pod());
      const b = await harness().deliver(pod({ id: "6219373120004762" }));
      expect(a.request?.name).not.to.equal(b.request?.name);
    });

    it("stay within Step Functions' rules for very long ids", async () => {
      const { request } = await harness().deliver(pod({ id: "1".repeat(120) }));
      expect(request?.name).to.match(/^ppod-upload-[0-9A-Za-z_-]+$/);
      expect(request?.name.length).to.be.at.most(80);
    });
  });

  describe("configuration", () => {
    it("is inactive, with a warning naming the variable, without a job name", () => {
      expect(loadPlugins([podPlugin], { PPOD_STATE_MACHINE_ARN: ARN }).warnings).to.deep.equal([
        "PPOD plugin is inactive: ALMA_POD_EXPORT_JOB_NAME is not set.",
      ]);
    });

    it("is an error naming both variables when the ARN is missing or malformed", () => {
      for (const arn of [undefined, "ppod-upload-dev"]) {
        const { problems } = loadPlugins([podPlugin], {
          ALMA_POD_EXPORT_JOB_NAME: JOB,
          PPOD_STATE_MACHINE_ARN: arn,
        });
        expect(problems).to.have.length(1);
        expect(problems[0]).to.contain("PPOD_STATE_MACHINE_ARN").and.to.contain("ALMA_POD_EXPORT_JOB_NAME");
      }
      expect(() => createPluginHarness(podPlugin, { ALMA_POD_EXPORT_JOB_NAME: JOB })).to.throw(
        ConfigurationError,
      );
    });
  });
});
