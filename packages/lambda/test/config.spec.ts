import { ConfigurationError } from "@alma-webhooks/core";
import { expect } from "chai";
import { loadConfiguration } from "../src/config.js";
import { deployedPlugins } from "../src/plugins.js";
import { ADDED_PLUGINS, ARNS, SECRET, VALID_ENV } from "./support/environment.js";

const problemsOf = (env: Record<string, string | undefined>): readonly string[] => {
  try {
    loadConfiguration(env, deployedPlugins);
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigurationError);
    return (error as ConfigurationError).problems;
  }
  throw new Error("expected a ConfigurationError");
};

describe("loadConfiguration", () => {
  it("reads a complete environment", () => {
    const configuration = loadConfiguration(VALID_ENV, deployedPlugins);
    expect(configuration.workspace).to.equal("dev");
    expect(configuration.secrets).to.deep.equal({ current: SECRET, previous: [] });
    expect(configuration.plugins.map((plugin) => [plugin.name, plugin.target])).to.deep.equal(
      deployedPlugins.map((plugin) => [plugin.name, ARNS[plugin.name]]),
    );
    expect(configuration.plugins.slice(0, 3).map((plugin) => [plugin.name, plugin.target])).to.deep.equal([
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
      deployedPlugins,
    );
    expect(configuration).not.to.have.property("sentryDsn");
    expect(configuration.warnings).to.deep.equal([
      "Env variable SENTRY_DSN is not a Sentry DSN (https://<key>@<host>/<project>): Sentry error reporting is off.",
    ]);
  });

  it("accepts a self-hosted SENTRY_DSN served under a path", () => {
    const dsn = "https://key@errors.example.edu/sentry/42";
    expect(loadConfiguration({ ...VALID_ENV, SENTRY_DSN: dsn }, deployedPlugins).sentryDsn).to.equal(dsn);
  });

  it("puts every problem in the error's message", () => {
    expect(() => loadConfiguration({}, deployedPlugins)).to.throw(
      ConfigurationError,
      "Invalid configuration:\n- Required env variable WORKSPACE is not set\n- Required env variable ALMA_CHALLENGE_SECRET is not set",
    );
  });

  it("accepts previous secrets for a rotation, current first", () => {
    const configuration = loadConfiguration(
      { ...VALID_ENV, ALMA_PREVIOUS_CHALLENGE_SECRETS: " old-1, ,old-2 " },
      deployedPlugins,
    );
    // Used exactly as set: a secret with surrounding spaces in Alma must work.
    expect(configuration.secrets).to.deep.equal({ current: SECRET, previous: [" old-1", "old-2 "] });
  });

  it("uses the secret exactly as set, surrounding spaces included", () => {
    const configuration = loadConfiguration(
      { ...VALID_ENV, ALMA_CHALLENGE_SECRET: "  spaced secret  " },
      deployedPlugins,
    );
    expect(configuration.secrets).to.deep.equal({ current: "  spaced secret  ", previous: [] });
  });

  describe("stored secrets", () => {
    const { ALMA_CHALLENGE_SECRET: _unset, ...noSecret } = VALID_ENV;
    const ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:alma-webhook-AbCdEf";

    it("reads the secret's place instead of its value: a Secrets Manager ARN or an SSM parameter", () => {
      expect(
        loadConfiguration({ ...noSecret, ALMA_CHALLENGE_SECRET_ARN: ` ${ARN} ` }, deployedPlugins).secrets,
      ).to.deep.equal({
        current: { store: "secrets-manager", id: ARN },
        previous: [],
      });
      const env = {
        ...noSecret,
        ALMA_CHALLENGE_SECRET_PARAMETER: "/alma/webhook-secret",
        ALMA_PREVIOUS_CHALLENGE_SECRETS_ARN: ARN,
      };
      expect(loadConfiguration(env, deployedPlugins).secrets).to.deep.equal({
        current: { store: "ssm", id: "/alma/webhook-secret" },
        previous: { store: "secrets-manager", id: ARN },
      });
    });

    it("refuses two places for one secret, and a malformed ARN or parameter name", () => {
      expect(problemsOf({ ...VALID_ENV, ALMA_CHALLENGE_SECRET_ARN: ARN })).to.deep.equal([
        "Set one of ALMA_CHALLENGE_SECRET, ALMA_CHALLENGE_SECRET_ARN, not several: they name the same secret",
      ]);
      expect(problemsOf({ ...noSecret, ALMA_CHALLENGE_SECRET_ARN: "alma-webhook" })).to.deep.equal([
        "Env variable ALMA_CHALLENGE_SECRET_ARN is not a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>): 'alma-webhook'",
      ]);
      expect(problemsOf({ ...noSecret, ALMA_CHALLENGE_SECRET_PARAMETER: "a b" })).to.deep.equal([
        "Env variable ALMA_CHALLENGE_SECRET_PARAMETER is not an SSM parameter name or ARN: 'a b'",
      ]);
    });
  });

  describe("in Lambda (AWS_LAMBDA_FUNCTION_NAME set)", () => {
    const lambda = { ...VALID_ENV, AWS_LAMBDA_FUNCTION_NAME: "alma-webhook-lambdas-dev" };

    it("refuses the development secret as a configuration fault", () => {
      expect(problemsOf({ ...lambda, ALMA_CHALLENGE_SECRET: "itsasecret" })).to.deep.equal([
        "ALMA_CHALLENGE_SECRET holds the published development secret 'itsasecret': set the secret configured in Alma",
      ]);
    });

    it("refuses the development secret among the previous secrets of a rotation, and warns about short ones", () => {
      const env = { ...lambda, ALMA_CHALLENGE_SECRET: "a-long-enough-secret-123" };
      expect(
        problemsOf({ ...env, ALMA_PREVIOUS_CHALLENGE_SECRETS: "another-long-secret-456,itsasecret" }),
      ).to.deep.equal([
        "ALMA_PREVIOUS_CHALLENGE_SECRETS holds the published development secret 'itsasecret': set the secret configured in Alma",
      ]);
      expect(
        loadConfiguration({ ...env, ALMA_PREVIOUS_CHALLENGE_SECRETS: "old" }, deployedPlugins).warnings,
      ).to.include(
        "ALMA_PREVIOUS_CHALLENGE_SECRETS holds a secret shorter than 16 characters: use a longer secret in Alma.",
      );
    });

    it("warns about a secret shorter than 16 characters, and not about a longer one", () => {
      expect(
        loadConfiguration({ ...lambda, ALMA_CHALLENGE_SECRET: "short-secret" }, deployedPlugins).warnings,
      ).to.include(
        "ALMA_CHALLENGE_SECRET holds a secret shorter than 16 characters: use a longer secret in Alma.",
      );
      const long = loadConfiguration(
        { ...lambda, ALMA_CHALLENGE_SECRET: "a-much-longer-secret" },
        deployedPlugins,
      );
      expect(long.warnings.join("\n")).not.to.contain("shorter");
    });
  });

  it("keeps a plugin with an invalid setting registered but broken, and the others working", () => {
    const configuration = loadConfiguration(
      { ...VALID_ENV, BURSAR_STATE_MACHINE_ARN: "arn:aws:states:us-east-1:12:stateMachine:b" },
      deployedPlugins,
    );
    expect(configuration.problems).to.have.length(1);
    expect(configuration.problems[0]).to.contain(
      "BURSAR_STATE_MACHINE_ARN is not a Step Functions state machine ARN",
    );
    expect(configuration.plugins.map((plugin) => [plugin.name, plugin.problems === undefined])).to.deep.equal(
      deployedPlugins.map((plugin) => [plugin.name, plugin.name !== "BURSAR"]),
    );
  });

  it("warns when a configured job name does not contain WORKSPACE: that plugin can never fire", () => {
    const { warnings } = loadConfiguration(
      { ...VALID_ENV, ALMA_POD_EXPORT_JOB_NAME: "POD export to Prod" },
      deployedPlugins,
    );
    expect(warnings).to.deep.equal([
      "PPOD plugin can never start: its job name 'POD export to Prod' (ALMA_POD_EXPORT_JOB_NAME) does not contain WORKSPACE 'dev', and only jobs whose name does are acted on.",
    ]);
  });

  it("warns about a variable that looks like a misspelling of one it reads, with the suggestion", () => {
    const { warnings } = loadConfiguration(
      { ...VALID_ENV, PPOD_STATE_MACHINE_ARM: "x", ALMA_FOWARD_X_TARGET: "y", HOME: "/root", PATH: "/bin" },
      deployedPlugins,
    );
    expect(warnings).to.have.length(2);
    expect(warnings[0]).to.match(
      /^ALMA_FOWARD_X_TARGET is set but not read: did you mean ALMA_FORWARD_X_TARGET\?/,
    );
    expect(warnings[1]).to.match(
      /^PPOD_STATE_MACHINE_ARM is set but not read: did you mean PPOD_STATE_MACHINE_ARN\?/,
    );
  });

  it("warns about a WORKSPACE other than dev, stage or prod", () => {
    const { warnings } = loadConfiguration(
      {
        ...VALID_ENV,
        WORKSPACE: "production",
        ALMA_POD_EXPORT_JOB_NAME: "POD to production",
        ALMA_BURSAR_EXPORT_JOB_NAME: "Bursar production",
      },
      deployedPlugins,
    );
    expect(warnings[0]).to.equal(
      "WORKSPACE 'production' is not one of dev, stage, prod: only jobs whose name contains 'production' are acted on.",
    );
  });

  it("warns about a route's JOB_END entry that can never fire in this WORKSPACE", () => {
    const { warnings } = loadConfiguration(
      {
        ...VALID_ENV,
        ALMA_FORWARD_DUMPS_TARGET: "arn:aws:events:us-east-1:123456789012:event-bus/library",
        ALMA_FORWARD_DUMPS_EVENTS:
          "BIB,JOB_END:Publishing Platform Job FTP Dump to Prod,JOB_END:FTP Dump to Dev1",
      },
      deployedPlugins,
    );
    expect(warnings).to.deep.equal([
      "ALMA_FORWARD_DUMPS_EVENTS: the entry 'JOB_END:Publishing Platform Job FTP Dump to Prod' can never fire here: its job name does not contain WORKSPACE 'dev', and only jobs whose name does are acted on (DUMPS route).",
    ]);
  });

  it("does not warn that a prefix matcher can never start: the whole job name may contain WORKSPACE", () => {
    const { warnings } = loadConfiguration(
      { ...VALID_ENV, ALMA_TIMDEX_EXPORT_JOB_NAME_PREFIX: "TIMDEX export to" },
      deployedPlugins,
    );
    expect(warnings).to.deep.equal([]);
  });

  it("reads ALMA_WEBHOOK_MAX_EVENT_AGE as a duration, and refuses another form", () => {
    expect(
      loadConfiguration({ ...VALID_ENV, ALMA_WEBHOOK_MAX_EVENT_AGE: "7d" }, deployedPlugins).maxEventAgeMs,
    ).to.equal(7 * 86_400_000);
    expect(
      loadConfiguration({ ...VALID_ENV, ALMA_WEBHOOK_MAX_EVENT_AGE: "90m" }, deployedPlugins).maxEventAgeMs,
    ).to.equal(90 * 60_000);
    expect(loadConfiguration(VALID_ENV, deployedPlugins)).not.to.have.property("maxEventAgeMs");
    expect(problemsOf({ ...VALID_ENV, ALMA_WEBHOOK_MAX_EVENT_AGE: "a week" })).to.deep.equal([
      "Env variable ALMA_WEBHOOK_MAX_EVENT_AGE is not a duration like 7d, 12h, 90m or 3600s: 'a week'",
    ]);
  });

  it("leaves out inactive plugins with a warning each, and warns when none is active", () => {
    const configuration = loadConfiguration(
      { WORKSPACE: "prod", ALMA_CHALLENGE_SECRET: SECRET },
      deployedPlugins,
    );
    expect(configuration.plugins).to.deep.equal([]);
    // One warning per plugin of the list, in its order (the previous deployment's three first), then one more.
    expect(configuration.warnings).to.deep.equal([
      "PPOD plugin is inactive: ALMA_POD_EXPORT_JOB_NAME is not set.",
      "TIMDEX plugin is inactive: ALMA_TIMDEX_EXPORT_JOB_NAME_PREFIX is not set.",
      "BURSAR plugin is inactive: ALMA_BURSAR_EXPORT_JOB_NAME is not set.",
      ...ADDED_PLUGINS.map(
        (plugin) =>
          `${plugin.name} plugin is inactive: ${plugin.settings[plugin.activatedBy]?.env} is not set.`,
      ),
      "No plugin or forward route is active: every job will be answered 'no action taken'.",
    ]);
  });

  it("reads SENTRY_DSN and the body limit", () => {
    const configuration = loadConfiguration(
      { ...VALID_ENV, SENTRY_DSN: "https://key@o1.ingest.sentry.io/42", ALMA_WEBHOOK_MAX_BODY_BYTES: "1024" },
      deployedPlugins,
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
