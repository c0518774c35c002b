import { resolve } from "node:path";
import { expect } from "chai";
import {
  DEFAULT_JOURNAL_PATH,
  LOCAL_DEFAULTS,
  LocalSettingsError,
  localSettings,
  withDefaults,
} from "../../src/local/defaults.js";

describe("local defaults", () => {
  it("fills in every variable that is not set", () => {
    const { env, defaulted } = withDefaults({ PATH: "/bin" });
    expect(env).to.deep.equal({ PATH: "/bin", ...LOCAL_DEFAULTS });
    expect(defaulted).to.deep.equal(Object.keys(LOCAL_DEFAULTS));
    expect(env).to.include({
      WORKSPACE: "dev",
      ALMA_CHALLENGE_SECRET: "itsasecret",
      ALMA_POD_EXPORT_JOB_NAME: "Publishing Platform Job PPOD EXPORT to Dev1",
      PPOD_STATE_MACHINE_ARN: "arn:aws:states:us-east-1:123456789012:stateMachine:ppod-local",
    });
  });

  it("keeps what the user set, the empty string included (that turns a plugin off)", () => {
    const { env, defaulted } = withDefaults({ WORKSPACE: "stage", ALMA_BURSAR_EXPORT_JOB_NAME: "" });
    expect(env.WORKSPACE).to.equal("stage");
    expect(env.ALMA_BURSAR_EXPORT_JOB_NAME).to.equal("");
    expect(defaulted).not.to.include.members(["WORKSPACE", "ALMA_BURSAR_EXPORT_JOB_NAME"]);
  });

  it("does not invent state machine ARNs against real AWS", () => {
    const { env } = withDefaults({}, { realAws: true });
    expect(env.PPOD_STATE_MACHINE_ARN).to.equal(undefined);
    expect(env.ALMA_POD_EXPORT_JOB_NAME).to.equal(LOCAL_DEFAULTS.ALMA_POD_EXPORT_JOB_NAME);
  });

  it("reads the local settings with their defaults", () => {
    expect(localSettings({})).to.deep.equal({
      host: "127.0.0.1",
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
      port: 9001,
      localStepFunctions: false,
      stepFunctionsPort: 4567,
      journalPath: resolve("tmp/j.jsonl"),
    });
  });

  it("refuses a port or switch it cannot understand, naming the variable", () => {
    expect(() => localSettings({ PORT: "90000" })).to.throw(LocalSettingsError, /PORT must be a port number/);
    expect(() => localSettings({ PORT: "abc" })).to.throw(LocalSettingsError, /'abc'/);
    expect(() => localSettings({ ALMA_LOCAL_SFN: "maybe" })).to.throw(LocalSettingsError, /ALMA_LOCAL_SFN/);
  });
});
