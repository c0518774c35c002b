import { ConfigurationError } from "@alma-webhooks/core";
import { expect } from "chai";
import { loadConfiguration } from "../src/config.js";
import { jobPlugins } from "../src/plugins.js";
import { ARNS, SECRET, VALID_ENV } from "./support/environment.js";

const problemsOf = (env: Record<string, string | undefined>): readonly string[] => {
  try {
    loadConfiguration(env, jobPlugins);
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigurationError);
    return (error as ConfigurationError).problems;
  }
  throw new Error("expected a ConfigurationError");
};

describe("loadConfiguration", () => {
  it("reads a complete environment", () => {
    const configuration = loadConfiguration(VALID_ENV, jobPlugins);
    expect(configuration.workspace).to.equal("dev");
    expect(configuration.secrets).to.deep.equal([SECRET]);
    expect(configuration.plugins.map((plugin) => [plugin.name, plugin.target])).to.deep.equal([
      ["PPOD", ARNS.PPOD],
      ["TIMDEX", ARNS.TIMDEX],
      ["BURSAR", ARNS.BURSAR],
    ]);
    expect(configuration.warnings).to.deep.equal([]);
    expect(configuration.maxBodyBytes).to.equal(6 * 1024 * 1024);
    expect(configuration).not.to.have.property("sentryDsn");
  });

  it("names a missing WORKSPACE exactly as today's deployment does", () => {
    expect(problemsOf({ ...VALID_ENV, WORKSPACE: undefined })).to.deep.equal([
      "Required env variable WORKSPACE is not set",
    ]);
  });

  it("names a missing or blank ALMA_CHALLENGE_SECRET", () => {
    expect(problemsOf({ ...VALID_ENV, ALMA_CHALLENGE_SECRET: "  " })).to.deep.equal([
      "Required env variable ALMA_CHALLENGE_SECRET is not set",
    ]);
  });

  it("lists every problem at once: shell variables and half-configured plugins", () => {
    const problems = problemsOf({
      WORKSPACE: "dev env",
      ALMA_POD_EXPORT_JOB_NAME: "POD to Dev1",
      PPOD_STATE_MACHINE_ARN: "not-an-arn",
      ALMA_BURSAR_EXPORT_JOB_NAME: "Bursar to Dev1",
      SENTRY_DSN: "sentry please",
    });
    expect(problems).to.deep.equal([
      "Required env variable ALMA_CHALLENGE_SECRET is not set",
      "Env variable WORKSPACE is not a word of up to 32 letters, digits, '-' or '_' (dev, stage, prod): 'dev env'",
      "PPOD_STATE_MACHINE_ARN is not a Step Functions state machine ARN (arn:aws:states:<region>:<account>:stateMachine:<name>): 'not-an-arn' (PPOD plugin, activated by ALMA_POD_EXPORT_JOB_NAME).",
      "BURSAR_STATE_MACHINE_ARN is not set, but the BURSAR plugin needs it because ALMA_BURSAR_EXPORT_JOB_NAME is set.",
    ]);
  });

  it("turns Sentry off with a warning, not an error, for a malformed SENTRY_DSN, without repeating it", () => {
    const configuration = loadConfiguration(
      { ...VALID_ENV, SENTRY_DSN: "https://key:s3cr3t@sentry" },
      jobPlugins,
    );
    expect(configuration).not.to.have.property("sentryDsn");
    expect(configuration.warnings).to.deep.equal([
      "Env variable SENTRY_DSN is not a Sentry DSN (https://<key>@<host>/<project>): Sentry error reporting is off.",
    ]);
  });

  it("accepts a self-hosted SENTRY_DSN served under a path", () => {
    const dsn = "https://key@errors.example.edu/sentry/42";
    expect(loadConfiguration({ ...VALID_ENV, SENTRY_DSN: dsn }, jobPlugins).sentryDsn).to.equal(dsn);
  });

  it("puts every problem in the error's message", () => {
    expect(() => loadConfiguration({}, jobPlugins)).to.throw(
      ConfigurationError,
      "Invalid configuration:\n- Required env variable WORKSPACE is not set\n- Required env variable ALMA_CHALLENGE_SECRET is not set",
    );
  });

  it("accepts previous secrets for a rotation, current first", () => {
    const configuration = loadConfiguration(
      { ...VALID_ENV, ALMA_PREVIOUS_CHALLENGE_SECRETS: " old-1, ,old-2 " },
      jobPlugins,
    );
    expect(configuration.secrets).to.deep.equal([SECRET, "old-1", "old-2"]);
  });

  it("leaves out inactive plugins with a warning each, and warns when none is active", () => {
    const configuration = loadConfiguration({ WORKSPACE: "prod", ALMA_CHALLENGE_SECRET: SECRET }, jobPlugins);
    expect(configuration.plugins).to.deep.equal([]);
    expect(configuration.warnings).to.deep.equal([
      "PPOD plugin is inactive: ALMA_POD_EXPORT_JOB_NAME is not set.",
      "TIMDEX plugin is inactive: ALMA_TIMDEX_EXPORT_JOB_NAME_PREFIX is not set.",
      "BURSAR plugin is inactive: ALMA_BURSAR_EXPORT_JOB_NAME is not set.",
      "No job plugin is active: every job will be answered 'no action taken'.",
    ]);
  });

  it("reads SENTRY_DSN and the body limit", () => {
    const configuration = loadConfiguration(
      { ...VALID_ENV, SENTRY_DSN: "https://key@o1.ingest.sentry.io/42", ALMA_WEBHOOK_MAX_BODY_BYTES: "1024" },
      jobPlugins,
    );
    expect(configuration.sentryDsn).to.equal("https://key@o1.ingest.sentry.io/42");
    expect(configuration.maxBodyBytes).to.equal(1024);
  });

  it("refuses a body limit that is not a positive whole number", () => {
    expect(problemsOf({ ...VALID_ENV, ALMA_WEBHOOK_MAX_BODY_BYTES: "0" })).to.deep.equal([
      "Env variable ALMA_WEBHOOK_MAX_BODY_BYTES is not a positive whole number of bytes: '0'",
    ]);
  });
});
