import { decline, exactName, jobId, loadPlugins, namePrefix } from "@alma-webhooks/core";
import { counter, createPluginHarness, jobEndPayload } from "@alma-webhooks/core/testing";
import { expect } from "chai";
import { stepFunctionsJobPlugin } from "../src/index.js";

const ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:export";
const JOB = "Export to somewhere Dev1";
const plugin = stepFunctionsJobPlugin({
  name: "EXPORT",
  jobName: { env: "EXPORT_JOB_NAME", description: "the export job's exact name" },
  recordCounters: ["label.new.records"],
  executionNamePrefix: "export",
  input: (job) => (jobId(job) === "0" ? decline("no job id") : { job_id: jobId(job) }),
});

describe("stepFunctionsJobPlugin: a job plugin that starts a state machine", () => {
  it("declares the job name and a state machine ARN setting by default, activated by the job name", () => {
    expect(Object.values(plugin.settings).map((setting) => setting.env)).to.deep.equal([
      "EXPORT_JOB_NAME",
      "EXPORT_STATE_MACHINE_ARN",
    ]);
    expect(plugin.activatedBy).to.equal("jobName");
    const { active, problems } = loadPlugins([plugin], {
      EXPORT_JOB_NAME: JOB,
      EXPORT_STATE_MACHINE_ARN: "x",
    });
    expect(active[0]?.problems ?? problems).to.have.length(1);
  });

  it("starts the state machine with the input, named after the prefix; a declined input starts nothing", async () => {
    const harness = createPluginHarness(plugin, { EXPORT_JOB_NAME: JOB, EXPORT_STATE_MACHINE_ARN: ARN });
    const job = (id: string) =>
      jobEndPayload({ job_instance: { name: JOB, id, counter: [counter("label.new.records", 3)] } });
    const started = await harness.deliver(job("4761"));
    expect([started.request?.target, started.input]).to.deep.equal([ARN, { job_id: "4761" }]);
    expect(started.request?.name).to.match(/^export-/);
    const declined = await harness.deliver(job("0"));
    expect([declined.response.statusCode, declined.request]).to.deep.equal([200, undefined]);
  });

  it("takes another matcher and a prefix made from the job", () => {
    const prefixed = stepFunctionsJobPlugin({
      name: "DAILY",
      jobName: { env: "DAILY_JOB_PREFIX", description: "the daily job's name prefix" },
      matcher: namePrefix,
      recordCounters: ["label.new.records"],
      executionNamePrefix: (job) => `daily-${jobId(job)}`,
      input: () => ({}),
    });
    expect(prefixed.jobMatcher?.({ jobName: "Daily", stateMachineArn: ARN }).description).to.equal(
      namePrefix("Daily").description,
    );
    expect(plugin.jobMatcher?.({ jobName: JOB, stateMachineArn: ARN }).exactName).to.equal(
      exactName(JOB).exactName,
    );
  });
});
