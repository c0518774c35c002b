import { resolve } from "node:path";
import { stateMachineArnSetting } from "@alma-webhooks/aws";
import { definePlugin, exactName, jobId } from "@alma-webhooks/core";
import { jobEndPayload } from "@alma-webhooks/core/testing";
import { deployedPlugins } from "@alma-webhooks/lambda/plugins";
import { LocalSettingsError, LocalToolingError } from "@alma-webhooks/local-aws/errors";
import { expect } from "chai";
import { DEFAULT_JOURNAL_PATH, DEV_SECRET, localSettings } from "../../src/local/defaults.js";
import {
  loadSamples,
  localDefaults,
  localStateMachineArn,
  samplePayloads,
  stateMachineVariables,
  withDefaults,
} from "../../src/local/pipelines.js";

/** A plugin the local tooling has never heard of: everything it gets must come from its declaration. */
const extraPlugin = definePlugin({
  actions: ["JOB_END"],
  acceptedStatuses: ["COMPLETED_SUCCESS"],
  name: "EXTRA",
  settings: {
    jobName: { env: "ALMA_EXTRA_JOB_NAME", description: "Extra job", example: "Extra export to Dev1" },
    stateMachineArn: stateMachineArnSetting("EXTRA_STATE_MACHINE_ARN"),
  },
  activatedBy: "jobName",
  jobMatcher: ({ jobName }) => exactName(jobName),
  exportedRecordCounters: ["label.new.records"],
  target: ({ stateMachineArn }) => stateMachineArn,
  buildExecution: ({ job_instance: job }, { executionName }) => ({
    input: { id: jobId(job) },
    name: executionName("extra"),
  }),
  samplePayloads: async () => [jobEndPayload({ job_instance: { name: "Extra export to Dev1" } })],
});

describe("local defaults, derived from the plugin list", () => {
  it("defaults every plugin setting to its example, and each state machine to the plugin's local one", async () => {
    await loadSamples([extraPlugin]);
    const defaults = localDefaults();
    expect(defaults).to.include({ WORKSPACE: "dev", ALMA_CHALLENGE_SECRET: DEV_SECRET });
    for (const plugin of deployedPlugins) {
      for (const spec of Object.values(plugin.settings)) {
        const expected = stateMachineVariables([plugin]).includes(spec.env)
          ? localStateMachineArn(plugin)
          : spec.example;
        expect(defaults[spec.env], spec.env).to.equal(expected);
      }
    }
    expect(localStateMachineArn(deployedPlugins[0] as (typeof deployedPlugins)[number])).to.match(
      /^arn:aws:states:us-east-1:123456789012:stateMachine:[a-z0-9_]+-local$/,
    );
  });

  it("gives a plugin it has never seen its defaults, state machine and samples", () => {
    expect(localDefaults([extraPlugin])).to.deep.equal({
      WORKSPACE: "dev",
      ALMA_CHALLENGE_SECRET: DEV_SECRET,
      ALMA_EXTRA_JOB_NAME: "Extra export to Dev1",
      EXTRA_STATE_MACHINE_ARN: "arn:aws:states:us-east-1:123456789012:stateMachine:extra-local",
    });
    expect(samplePayloads([extraPlugin]).map((sample) => [sample.name, sample.plugin])).to.deep.equal([
      ["extra-1.json", "EXTRA"],
      ["unrelated.json", undefined],
    ]);
  });

  it("fills in every variable that is not set", () => {
    const { env, defaulted } = withDefaults({ PATH: "/bin" });
    expect(env).to.deep.equal({ PATH: "/bin", ...localDefaults() });
    expect(defaulted).to.deep.equal(Object.keys(localDefaults()));
  });

  it("keeps what the user set, the empty string included (that turns a plugin off)", () => {
    const jobName = deployedPlugins[0]?.settings[deployedPlugins[0].activatedBy]?.env as string;
    const { env, defaulted } = withDefaults({ WORKSPACE: "stage", [jobName]: "" });
    expect(env.WORKSPACE).to.equal("stage");
    expect(env[jobName]).to.equal("");
    expect(defaulted).not.to.include.members(["WORKSPACE", jobName]);
  });

  it("invents neither a secret nor state machine ARNs against real AWS", () => {
    const { env, defaulted } = withDefaults({}, { realAws: true });
    expect(env.ALMA_CHALLENGE_SECRET).to.equal(undefined);
    for (const name of stateMachineVariables()) expect(env[name], name).to.equal(undefined);
    expect(defaulted).to.include("WORKSPACE");
  });

  it("sends every plugin's samples, in plugin order, then one job no plugin claims", async () => {
    const expected = [];
    for (const plugin of deployedPlugins) {
      for (const payload of (await plugin.samplePayloads?.()) ?? []) expected.push([plugin.name, payload]);
    }
    const samples = samplePayloads();
    expect(samples.slice(0, -1).map((s) => [s.plugin, JSON.parse(s.body.toString("utf8"))])).to.deep.equal(
      expected,
    );
    expect(samples.at(-1)?.name).to.equal("unrelated.json");
    expect(samplePayloads(deployedPlugins, { unrelated: false })).to.have.length(expected.length);
  });
});

describe("local settings", () => {
  it("reads the local settings with their defaults", () => {
    expect(localSettings({})).to.deep.equal({
      host: "127.0.0.1",
      hostChosen: false,
      port: 9000,
      localStepFunctions: true,
      stepFunctionsPort: 0,
      journalPath: DEFAULT_JOURNAL_PATH,
    });
    expect(DEFAULT_JOURNAL_PATH).to.match(/\/\.local\/executions\.jsonl$/);
    const settings = localSettings({
      PORT: "9001",
      ALMA_LOCAL_SFN: "OFF",
      ALMA_LOCAL_SFN_PORT: "4567",
      ALMA_LOCAL_JOURNAL: "tmp/j.jsonl",
      ALMA_LOCAL_HOST: "0.0.0.0",
    });
    expect(settings).to.deep.equal({
      host: "0.0.0.0",
      hostChosen: true,
      port: 9001,
      localStepFunctions: false,
      stepFunctionsPort: 4567,
      journalPath: resolve("tmp/j.jsonl"),
    });
  });

  it("refuses a port or switch it cannot understand, naming the variable", () => {
    expect(() => localSettings({ PORT: "90000" })).to.throw(LocalSettingsError, /PORT must be a port number/);
    expect(() => localSettings({ PORT: "abc" })).to.throw(LocalSettingsError, /'abc'/);
    expect(() => localSettings({ ALMA_LOCAL_SFN: "maybe" })).to.throw(LocalToolingError, /ALMA_LOCAL_SFN/);
  });
});
