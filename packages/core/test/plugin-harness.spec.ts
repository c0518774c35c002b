import { expect } from "chai";
import { ConfigurationError } from "../src/index.js";
import { createPluginHarness, jobEndPayload } from "../src/testing/index.js";
import { POD_ARN, POD_JOB, samplePlugin } from "./fixtures/plugins.js";

describe("createPluginHarness", () => {
  const env = { SAMPLE_JOB_NAME: POD_JOB, SAMPLE_STATE_MACHINE_ARN: POD_ARN };

  it("delivers a signed payload through a real router and reports the start", async () => {
    const harness = createPluginHarness(samplePlugin, env);
    const { response, request, input } = await harness.deliver(
      jobEndPayload({ job_instance: { name: POD_JOB } }),
    );
    expect(response.statusCode).to.equal(200);
    expect(request?.target).to.equal(POD_ARN);
    expect(input).to.deep.equal({ "filename-prefix": "exlibris/pod/POD_ALMA_EXPORT_20241106" });
  });

  it("reports no start when the plugin does not act", async () => {
    const harness = createPluginHarness(samplePlugin, env, { workspace: "prod" });
    const delivery = await harness.deliver(jobEndPayload({ job_instance: { name: POD_JOB } }));
    expect(delivery.request).to.equal(undefined);
    expect(delivery.response.statusCode).to.equal(200);
  });

  it("throws a ConfigurationError naming the problem when the plugin is not active", () => {
    expect(() => createPluginHarness(samplePlugin, {})).to.throw(
      ConfigurationError,
      "SAMPLE_JOB_NAME is not set",
    );
    expect(() => createPluginHarness(samplePlugin, { SAMPLE_JOB_NAME: "x" })).to.throw(
      ConfigurationError,
      "SAMPLE_STATE_MACHINE_ARN is not set",
    );
  });
});
