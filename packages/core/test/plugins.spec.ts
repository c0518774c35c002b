import { expect } from "chai";
import {
  ConfigurationError,
  DuplicatePluginError,
  definePlugin,
  exactName,
  InvalidPluginError,
  loadPlugins,
  namePattern,
  namePrefix,
  pluginProblem,
  type WebhookPlugin,
} from "../src/index.js";
import { activatePlugin } from "../src/plugin/registry.js";
import { loadPluginSettings } from "../src/plugin/settings.js";
import { POD_ARN, POD_JOB, prefixPlugin, samplePlugin } from "./fixtures/plugins.js";

describe("matchers", () => {
  it("exactName ignores case and surrounding spaces but not other words", () => {
    const matcher = exactName("PPOD Export to Dev1");
    expect(matcher.matches("ppod export TO dev1 ")).to.equal(true);
    expect(matcher.matches("PPOD Export to Dev1 Full")).to.equal(false);
    expect(matcher.description).to.equal("name equals 'PPOD Export to Dev1'");
  });

  it("namePrefix claims names that start with the prefix, in any case", () => {
    const matcher = namePrefix("TIMDEX Export to Dev1");
    expect(matcher.matches("timdex export to dev1 Daily")).to.equal(true);
    expect(matcher.matches("Other TIMDEX Export to Dev1 Daily")).to.equal(false);
  });

  it("namePattern is made case-insensitive and ignores global state", () => {
    const matcher = namePattern(/^analytics (daily|weekly)$/g);
    expect(matcher.matches("Analytics DAILY")).to.equal(true);
    expect(matcher.matches("Analytics DAILY")).to.equal(true);
    expect(matcher.matches("Analytics monthly")).to.equal(false);
    expect(namePattern(/x/i).description).to.equal("name matches /x/i");
  });
});

describe("definePlugin", () => {
  const base = {
    name: "GOOD",
    settings: { jobName: { env: "GOOD_JOB", description: "job" } },
    activatedBy: "jobName" as const,
    actions: ["JOB_END"],
    jobMatcher: ({ jobName }: { jobName: string }) => exactName(jobName),
    exportedRecordCounters: ["label.new.records"],
    target: () => "arn",
    buildExecution: () => ({ input: {}, name: "n" }),
  };

  it("accepts any status unless told, and freezes the plugin", () => {
    const plugin = definePlugin(base);
    expect(plugin.acceptedStatuses).to.equal(undefined);
    expect(Object.isFrozen(plugin)).to.equal(true);
  });

  it("keeps accepted statuses it is given", () => {
    const plugin = definePlugin({
      ...base,
      acceptedStatuses: ["COMPLETED_SUCCESS", "COMPLETED_WARNING"],
    });
    expect(plugin.acceptedStatuses).to.deep.equal(["COMPLETED_SUCCESS", "COMPLETED_WARNING"]);
  });

  for (const [label, change, message] of [
    ["a lower-case name", { name: "pod" }, /the name must be/],
    ["an empty name", { name: "" }, /the name must be/],
    [
      "an unknown activating setting",
      { activatedBy: "nope" },
      /activatedBy 'nope' is not one of its settings/,
    ],
    [
      "a bad variable name",
      { settings: { jobName: { env: "bad-name", description: "" } } },
      /invalid environment variable 'bad-name'/,
    ],
    ["no counters", { exportedRecordCounters: [] }, /exportedRecordCounters must name at least one/],
    ["a builder that is not a function", { buildExecution: "nope" }, /buildExecution must be a function/],
  ] as const) {
    it(`throws InvalidPluginError for ${label}`, () => {
      expect(() =>
        definePlugin({
          ...base,
          ...(change as object),
        } as typeof base),
      )
        .to.throw(InvalidPluginError, message)
        .with.property("name", "InvalidPluginError");
    });
  }
});

describe("loadPluginSettings", () => {
  it("is active with its settings when every variable is valid", () => {
    const result = loadPluginSettings(samplePlugin, {
      SAMPLE_JOB_NAME: POD_JOB,
      SAMPLE_STATE_MACHINE_ARN: POD_ARN,
    });
    expect(result).to.deep.equal({
      status: "active",
      settings: { jobName: POD_JOB, stateMachineArn: POD_ARN },
    });
  });

  it("is inactive with a warning naming the variable when the job name is absent or blank", () => {
    const expected = {
      status: "inactive",
      warning: "SAMPLE plugin is inactive: SAMPLE_JOB_NAME is not set.",
    };
    expect(loadPluginSettings(samplePlugin, { SAMPLE_STATE_MACHINE_ARN: POD_ARN })).to.deep.equal(expected);
    expect(loadPluginSettings(samplePlugin, { SAMPLE_JOB_NAME: "  " })).to.deep.equal(expected);
  });

  it("is invalid, naming both variables, when the job name is set but the ARN is not", () => {
    expect(loadPluginSettings(samplePlugin, { SAMPLE_JOB_NAME: POD_JOB })).to.deep.equal({
      status: "invalid",
      problems: [
        "SAMPLE_STATE_MACHINE_ARN is not set, but the SAMPLE plugin needs it because SAMPLE_JOB_NAME is set.",
      ],
      settings: { jobName: POD_JOB, stateMachineArn: "" },
    });
  });

  it("is invalid, naming both variables, when the ARN is malformed", () => {
    const result = loadPluginSettings(samplePlugin, {
      SAMPLE_JOB_NAME: POD_JOB,
      SAMPLE_STATE_MACHINE_ARN: "arn:nope",
    });
    expect(result).to.deep.equal({
      status: "invalid",
      problems: [
        "SAMPLE_STATE_MACHINE_ARN is not a Step Functions state machine ARN (arn:aws:states:<region>:<account>:stateMachine:<name>): 'arn:nope' (SAMPLE plugin, activated by SAMPLE_JOB_NAME).",
      ],
      settings: { jobName: POD_JOB, stateMachineArn: "arn:nope" },
    });
  });
});

describe("loadPlugins", () => {
  const env = {
    SAMPLE_JOB_NAME: POD_JOB,
    SAMPLE_STATE_MACHINE_ARN: POD_ARN,
    PREFIXED_JOB_PREFIX: "Prefix",
  };

  it("activates configured plugins, warns for inactive ones and collects every problem", () => {
    const { active, warnings, problems } = loadPlugins([samplePlugin, prefixPlugin], env);
    // The plugin with an invalid setting stays registered, broken, with its problems.
    expect(active.map((plugin) => [plugin.name, plugin.target, plugin.problems?.length ?? 0])).to.deep.equal([
      ["SAMPLE", POD_ARN, 0],
      ["PREFIXED", "", 1],
    ]);
    expect(active[0]?.matcher?.matches(POD_JOB.toUpperCase())).to.equal(true);
    expect(warnings).to.deep.equal([]);
    expect(problems).to.have.length(1);
    expect(problems[0]).to.contain("PREFIXED_STATE_MACHINE_ARN is not set");
  });

  it("warns about plugins that are not configured at all", () => {
    const { active, warnings, problems } = loadPlugins([samplePlugin, prefixPlugin], {});
    expect(active).to.deep.equal([]);
    expect(problems).to.deep.equal([]);
    expect(warnings).to.deep.equal([
      "SAMPLE plugin is inactive: SAMPLE_JOB_NAME is not set.",
      "PREFIXED plugin is inactive: PREFIXED_JOB_PREFIX is not set.",
    ]);
  });

  it("refuses a plugin object that definePlugin would refuse, however it was made, with the reason", () => {
    // An object literal typed as a plugin, as a shell or a plain JavaScript module could hand over.
    const literal: WebhookPlugin = {
      name: "not a valid name!",
      settings: { target: { env: "LITERAL_TARGET", description: "Where it goes" } },
      activatedBy: "target",
      actions: ["loan"],
      target: (settings) => settings.target ?? "",
      buildExecution: (payload) => ({ input: payload, name: "x" }),
    };
    const { active, problems } = loadPlugins([literal, samplePlugin], { ...env, LITERAL_TARGET: "arn" });
    expect(problems).to.deep.equal([
      "Plugin 'not a valid name!': the name must be 1-32 upper-case letters, digits or '_', not starting with '_' (/^[A-Z0-9][A-Z0-9_]{0,31}$/).",
    ]);
    expect(active.map((plugin) => plugin.name)).to.deep.equal(["SAMPLE"]);
    const lowerCase = { ...literal, name: "LITERAL" };
    expect(pluginProblem(lowerCase)).to.equal(
      `Plugin 'LITERAL': actions must list at least one upper-case webhook action, like "JOB_END" or "LOAN".`,
    );
    expect(() => activatePlugin(lowerCase, { target: "arn" })).to.throw(
      InvalidPluginError,
      "upper-case webhook action",
    );
    expect(pluginProblem(null)).to.equal("A plugin must be an object (got null).");
    expect(pluginProblem(samplePlugin)).to.equal(undefined);
  });

  it("throws DuplicatePluginError when two plugins share a name", () => {
    expect(() => loadPlugins([samplePlugin, samplePlugin], env))
      .to.throw(DuplicatePluginError, "Two plugins are named 'SAMPLE'")
      .with.property("pluginName", "SAMPLE");
  });

  it("ConfigurationError lists every problem in its message", () => {
    const error = new ConfigurationError(["A is not set.", "B is malformed."]);
    expect(error.message).to.equal("Invalid configuration:\n- A is not set.\n- B is malformed.");
    expect(error.name).to.equal("ConfigurationError");
    expect(error.problems).to.deep.equal(["A is not set.", "B is malformed."]);
  });
});
