import { expect } from "chai";
import {
  activatePlugin,
  assertPluginCompatible,
  CORE_VERSION,
  defineJobPlugin,
  exactName,
  IncompatiblePluginError,
  InvalidPluginError,
  isVersionRange,
  type JobPlugin,
  loadPlugins,
  satisfiesRange,
  stateMachineArnSetting,
} from "../src/index.js";
import { compareVersions, parseVersion } from "../src/plugin/semver.js";

const ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:example";

function plugin(coreRange?: string, name = "EXAMPLE"): JobPlugin<"jobName" | "stateMachineArn"> {
  return defineJobPlugin({
    name,
    ...(coreRange === undefined ? {} : { coreRange }),
    settings: {
      jobName: { env: "ALMA_EXAMPLE_JOB_NAME", description: "Example job name" },
      stateMachineArn: stateMachineArnSetting("EXAMPLE_STATE_MACHINE_ARN"),
    },
    activatedBy: "jobName",
    matcher: ({ jobName }) => exactName(jobName),
    exportedRecordCounters: ["label.new.records"],
    target: ({ stateMachineArn }) => stateMachineArn,
    buildExecution: (job) => ({ input: { job_id: job.id }, name: `example-${job.id}` }),
  });
}

describe("satisfiesRange", () => {
  const cases: [version: string, range: string, expected: boolean][] = [
    // exact and =
    ["0.1.0", "0.1.0", true],
    ["0.1.1", "0.1.0", false],
    ["0.1.0", "=0.1.0", true],
    ["1.2.3", "v1.2.3", true],
    ["1.2.3+build.5", "1.2.3", true],
    // caret
    ["0.1.0", "^0.1.0", true],
    ["0.1.9", "^0.1.0", true],
    ["0.2.0", "^0.1.0", false],
    ["0.0.9", "^0.1.0", false],
    ["1.9.9", "^1.2.3", true],
    ["1.2.2", "^1.2.3", false],
    ["2.0.0", "^1.2.3", false],
    ["0.0.3", "^0.0.3", true],
    ["0.0.4", "^0.0.3", false],
    ["0.9.0", "^0.x", true],
    ["1.0.0", "^0.x", false],
    ["0.0.7", "^0.0", true],
    ["0.1.0", "^0.0", false],
    ["1.5.0", "^1.2", true],
    ["1.1.0", "^1.2", false],
    ["0.1.5", "^0.1.x", true],
    ["0.2.0", "^0.1.x", false],
    ["1.9.0", "^1.x", true],
    // tilde
    ["1.2.9", "~1.2.3", true],
    ["1.3.0", "~1.2.3", false],
    ["1.2.2", "~1.2.3", false],
    ["1.2.0", "~1.2", true],
    ["1.9.0", "~1", true],
    ["2.0.0", "~1", false],
    // comparators, and-ed by spaces
    ["0.2.5", ">=0.1.0 <0.3.0", true],
    ["0.3.0", ">=0.1.0 <0.3.0", false],
    ["0.0.9", ">=0.1.0 <0.3.0", false],
    ["0.2.5", ">= 0.1.0 < 0.3.0", true],
    ["1.0.1", ">1.0.0", true],
    ["1.0.0", ">1.0.0", false],
    ["1.0.0", "<=1.0.0", true],
    ["1.0.1", "<=1.0.0", false],
    ["1.0.0", "<1.0.0", false],
    // partial comparators
    ["2.0.0", ">1", true],
    ["1.9.9", ">1", false],
    ["1.3.0", ">1.2", true],
    ["1.2.9", ">1.2", false],
    ["1.1.9", "<1.2", true],
    ["1.2.0", "<1.2", false],
    ["1.2.9", "<=1.2", true],
    ["1.3.0", "<=1.2", false],
    ["1.2.0", ">=1.2", true],
    ["1.2.5", "=1.2", true],
    // wildcards
    ["1.2.7", "1.2.x", true],
    ["1.2.7", "1.2.X", true],
    ["1.2.7", "1.2.*", true],
    ["1.3.0", "1.2.x", false],
    ["1.9.0", "1.x", true],
    ["1.9.0", "1", true],
    ["2.0.0", "1.x.x", false],
    ["1.2.0", "1.2", true],
    ["9.9.9", "*", true],
    ["9.9.9", "x", true],
    ["9.9.9", "", true],
    ["9.9.9", ">*", false],
    // or
    ["2.5.0", "^1.0.0 || ^2.0.0", true],
    ["3.0.0", "^1.0.0 || ^2.0.0", false],
    ["2.3.1", ">=1.4.0 <3.0.0 || 4.x", true],
    ["4.1.0", ">=1.4.0 <3.0.0 || 4.x", true],
    // hyphen ranges
    ["2.3.4", "1.2.3 - 2.3.4", true],
    ["2.3.5", "1.2.3 - 2.3.4", false],
    ["2.3.9", "1.2 - 2.3", true],
    ["2.4.0", "1.2 - 2.3", false],
    // prereleases only match a range naming one of the same version
    ["0.2.0-next.1", "^0.1.0", false],
    ["0.1.1-next.1", "^0.1.0", false],
    ["0.2.0-next.1", "^0.2.0-next.0", true],
    ["0.2.0-next.0", "^0.2.0-next.1", false],
    ["0.2.1", "^0.2.0-next.0", true],
    ["0.2.0", ">=0.2.0-rc.1", true],
    ["1.0.0-rc.1", "<1.0.0", false],
    ["1.0.0-alpha.beta", ">=1.0.0-alpha.1", true],
    ["1.0.0-alpha", ">=1.0.0-alpha.1", false],
    ["1.0.0-beta.11", ">1.0.0-beta.2", true],
    ["1.0.0-rc.1", "~1.0.0-beta", true],
  ];
  for (const [version, range, expected] of cases) {
    it(`says ${version} ${expected ? "satisfies" : "does not satisfy"} '${range}'`, () => {
      expect(satisfiesRange(version, range)).to.equal(expected);
    });
  }

  it("throws a TypeError naming a malformed version or range", () => {
    expect(() => satisfiesRange("0.1", "^0.1.0")).to.throw(TypeError, "'0.1' is not a semantic version");
    expect(() => satisfiesRange("0.1.0", "about 0.1")).to.throw(
      TypeError,
      "'about 0.1' is not a version range",
    );
  });
});

describe("isVersionRange", () => {
  for (const range of [
    "^0.1.0",
    "~1.2.3",
    ">=0.1.0 <0.3.0",
    "1.2.x",
    "*",
    "1 - 2",
    "^1 || ^2",
    "0.1.0-rc.1",
  ]) {
    it(`accepts '${range}'`, () => expect(isVersionRange(range)).to.equal(true));
  }
  for (const range of [
    "about 0.1",
    "^01.2.3",
    "1.2.3.4",
    ">=a",
    "~>1.2",
    "1.2.x-beta",
    "^",
    ">=1 - 2",
    "1.2.3-",
  ]) {
    it(`refuses '${range}'`, () => expect(isVersionRange(range)).to.equal(false));
  }
});

describe("compareVersions", () => {
  it("orders versions by semver precedence, prereleases first", () => {
    const ordered = [
      "1.0.0-alpha",
      "1.0.0-alpha.1",
      "1.0.0-alpha.beta",
      "1.0.0-beta",
      "1.0.0-beta.2",
      "1.0.0-beta.11",
      "1.0.0-rc.1",
      "1.0.0",
      "1.0.1",
      "1.1.0",
      "2.0.0",
    ].map((text) => parseVersion(text));
    for (let i = 1; i < ordered.length; i++) {
      const [lower, higher] = [ordered[i - 1], ordered[i]];
      if (lower === undefined || higher === undefined) throw new Error("unparsed version");
      expect(compareVersions(lower, higher)).to.be.below(0);
      expect(compareVersions(higher, lower)).to.be.above(0);
      expect(compareVersions(higher, higher)).to.equal(0);
    }
  });
});

describe("plugin compatibility", () => {
  it("registers a plugin whose coreRange this core satisfies, or that declares none", () => {
    expect(() => assertPluginCompatible(plugin(`^${CORE_VERSION}`))).not.to.throw();
    expect(() => assertPluginCompatible(plugin())).not.to.throw();
    const env = { ALMA_EXAMPLE_JOB_NAME: "Example to Dev1", EXAMPLE_STATE_MACHINE_ARN: ARN };
    expect(loadPlugins([plugin(`>=${CORE_VERSION}`)], env).active).to.have.length(1);
  });

  it("throws IncompatiblePluginError naming the range and the core version", () => {
    expect(() => assertPluginCompatible(plugin("^0.1.0"), "0.2.0"))
      .to.throw(IncompatiblePluginError)
      .with.property("message")
      .that.contains("'EXAMPLE' needs @alma-webhooks/core ^0.1.0, but core 0.2.0 is installed");
    try {
      assertPluginCompatible(plugin("^9.0.0"));
      expect.fail("expected IncompatiblePluginError");
    } catch (error) {
      expect(error).to.be.instanceOf(IncompatiblePluginError);
      expect(error).to.include({
        name: "IncompatiblePluginError",
        pluginName: "EXAMPLE",
        coreRange: "^9.0.0",
        coreVersion: CORE_VERSION,
      });
    }
  });

  it("refuses an incompatible plugin in loadPlugins, even when it is inactive", () => {
    expect(() => loadPlugins([plugin("^9.0.0")], {})).to.throw(IncompatiblePluginError, "^9.0.0");
  });

  it("refuses an incompatible plugin in activatePlugin", () => {
    const settings = { jobName: "Example to Dev1", stateMachineArn: ARN };
    expect(() => activatePlugin(plugin("<0.0.1"), settings)).to.throw(IncompatiblePluginError);
  });

  it("refuses a malformed coreRange when the plugin is defined", () => {
    expect(() => plugin("about 0.1")).to.throw(
      InvalidPluginError,
      "coreRange 'about 0.1' is not a version range",
    );
  });

  it("refuses a malformed coreRange on a plugin not made with defineJobPlugin", () => {
    const handMade = { name: "HANDMADE", coreRange: 42 as unknown as string };
    expect(() => assertPluginCompatible(handMade)).to.throw(InvalidPluginError, "coreRange '42'");
  });
});
