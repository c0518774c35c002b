import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { App, aws_lambda as lambda } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { expect } from "chai";
import { readConfiguration } from "../src/configuration.js";
import { LAMBDA_PACKAGE, type LambdaBundle, loadLambdaBundle } from "../src/lambda-bundle.js";
import { AlmaWebhooksStack } from "../src/stack.js";
import { policyStatements } from "./fixtures.js";

const run = promisify(execFile);
const APP = resolve(dirname(fileURLToPath(import.meta.url)), "../src/app.js");
/** What a developer's shell may hold after `make run`: the app must never read it into the template. */
const FIXTURE_SECRET = "fixture-secret-never-in-a-template-7f3a";

const REAL_SETTINGS = {
  ALMA_POD_EXPORT_JOB_NAME: "Publishing Platform Job PPOD EXPORT to Stage1",
  PPOD_STATE_MACHINE_ARN: "arn:aws:states:us-east-1:210987654321:stateMachine:ppod-stage",
  ALMA_TIMDEX_EXPORT_JOB_NAME_PREFIX: "Publishing Platform Job TIMDEX EXPORT to Stage1",
  TIMDEX_STATE_MACHINE_ARN: "arn:aws:states:us-east-1:210987654321:stateMachine:timdex-stage",
  ALMA_BURSAR_EXPORT_JOB_NAME: "Export to bursar using profile Bursar Export to Stage1",
  BURSAR_STATE_MACHINE_ARN: "arn:aws:states:us-east-1:210987654321:stateMachine:bursar-stage",
};

describe("the CDK app, with the lambda package's build", () => {
  let bundle: LambdaBundle;
  before(async () => {
    bundle = await loadLambdaBundle();
  });

  function stackWith(env: Record<string, string>): Template {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), "infra-test-")) });
    const configuration = readConfiguration((name) => env[name], bundle.plugins);
    const stack = new AlmaWebhooksStack(app, configuration.stackName, {
      configuration,
      code: lambda.Code.fromAsset(bundle.zip),
      plugins: bundle.plugins,
      stateMachineArnPattern: bundle.stateMachineArnPattern,
    });
    return Template.fromStack(stack);
  }

  it("derives every setting from the real plugin list, and the state machines from the ARN pattern", () => {
    expect(bundle.plugins.map((plugin) => plugin.name)).to.deep.equal(["PPOD", "TIMDEX", "BURSAR"]);
    const template = stackWith({
      WORKSPACE: "stage",
      ALMA_INFRA_EXAMPLES: "off",
      ALMA_CHALLENGE_SECRET_NAME: "stage/alma-webhook",
      ...REAL_SETTINGS,
    });
    template.hasResourceProperties("AWS::Lambda::Function", {
      Handler: "webhook.handler",
      Environment: { Variables: { WORKSPACE: "stage", ...REAL_SETTINGS } },
    });
    const started = policyStatements(template).find((s) => s.Action.includes("states:StartExecution"));
    expect(started?.Resource).to.deep.equal([
      REAL_SETTINGS.PPOD_STATE_MACHINE_ARN,
      REAL_SETTINGS.TIMDEX_STATE_MACHINE_ARN,
      REAL_SETTINGS.BURSAR_STATE_MACHINE_ARN,
    ]);
  });

  it("creates the ledger, the large-payload bucket and the undelivered bucket as the configuration says", () => {
    const counts = (env: Record<string, string>) => {
      const template = stackWith(env).toJSON() as { Resources: Record<string, { Type: string }> };
      const types = Object.values(template.Resources).map((resource) => resource.Type);
      return ["AWS::DynamoDB::Table", "AWS::S3::Bucket"].map(
        (type) => types.filter((t) => t === type).length,
      );
    };
    expect(counts({ ALMA_UNDELIVERED_BUCKET: "off" })).to.deep.equal([1, 0]);
    expect(
      counts({ ALMA_LEDGER: "off", ALMA_LARGE_PAYLOAD_BUCKET: "on", ALMA_UNDELIVERED_BUCKET: "off" }),
    ).to.deep.equal([0, 2]);
    // The undelivered bucket is on unless turned off (contract C2), with its access-log bucket.
    expect(counts({})).to.deep.equal([1, 2]);
  });

  it("sets a webhook timeout above the dispatcher's real budget and below Alma's 5 s", async () => {
    const dispatcher = join(LAMBDA_PACKAGE, "..", "aws", "dist", "src", "deadline.js");
    const { DISPATCH_BUDGET } = (await import(pathToFileURL(dispatcher).href)) as {
      DISPATCH_BUDGET: { totalMs: number };
    };
    const template = stackWith({});
    const [webhook] = Object.values(
      template.findResources("AWS::Lambda::Function", { Properties: { Handler: "webhook.handler" } }),
    );
    const timeoutMs = (webhook?.Properties.Timeout as number) * 1000;
    expect(timeoutMs).to.be.above(DISPATCH_BUDGET.totalMs).and.below(5000);
  });

  it("ships the built bundle as the code of both functions", () => {
    const template = stackWith({});
    const keys = Object.values(template.findResources("AWS::Lambda::Function")).map(
      (fn) => fn.Properties.Code.S3Key,
    );
    expect(keys).to.have.length(2);
    expect(keys[0]).to.match(/^[0-9a-f]{64}\.zip$/);
    expect(keys[1]).to.equal(keys[0]);
  });

  it("synthesises with nothing set, from the plugins' examples, and keeps the secret out of the template", async function () {
    this.timeout(120_000);
    const outdir = mkdtempSync(join(tmpdir(), "infra-app-"));
    try {
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        CDK_OUTDIR: outdir,
        ALMA_CHALLENGE_SECRET: FIXTURE_SECRET,
      };
      for (const name of [
        "WORKSPACE",
        "ALMA_CHALLENGE_SECRET_NAME",
        "CDK_DEFAULT_ACCOUNT",
        "CDK_DEFAULT_REGION",
      ])
        delete env[name];
      const { stderr } = await run("node", [APP], { env });
      expect(stderr).to.contain("example values stand in for ALMA_POD_EXPORT_JOB_NAME");
      const text = readFileSync(join(outdir, "AlmaWebhooks-dev.template.json"), "utf8");
      expect(text).not.to.contain(FIXTURE_SECRET);
      expect(text).not.to.contain("resolve:secretsmanager");
      const template = Template.fromJSON(JSON.parse(text));
      template.hasResourceProperties("AWS::Lambda::Function", {
        Handler: "webhook.handler",
        Environment: {
          Variables: {
            WORKSPACE: "dev",
            ALMA_CHALLENGE_SECRET_ARN: {
              "Fn::Join": [
                "",
                [
                  "arn:",
                  { Ref: "AWS::Partition" },
                  ":secretsmanager:",
                  { Ref: "AWS::Region" },
                  ":",
                  { Ref: "AWS::AccountId" },
                  ":secret:alma-webhooks/dev/challenge-secret",
                ],
              ],
            },
          },
        },
      });
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it("refuses to synthesise for a deployment without the secret's name", async () => {
    const outdir = mkdtempSync(join(tmpdir(), "infra-app-"));
    const env: NodeJS.ProcessEnv = { ...process.env, CDK_OUTDIR: outdir, ALMA_INFRA_EXAMPLES: "off" };
    delete env.ALMA_CHALLENGE_SECRET_NAME;
    const failure = await run("node", [APP], { env }).then(
      () => undefined,
      (error: { stderr: string }) => error,
    );
    expect(failure?.stderr).to.contain("ALMA_CHALLENGE_SECRET_NAME is not set");
    rmSync(outdir, { recursive: true, force: true });
  });
});

describe("readConfiguration", () => {
  const plugins = [
    {
      name: "ALPHA",
      activatedBy: "jobName",
      settings: {
        jobName: { env: "ALPHA_JOB_NAME", description: "", example: "Alpha to Dev" },
        arn: { env: "ALPHA_STATE_MACHINE_ARN", description: "", example: "arn:example" },
      },
    },
  ];

  it("fills unset plugin settings with their examples, and says which", () => {
    const configuration = readConfiguration(() => undefined, plugins);
    expect(configuration.settings).to.deep.equal({
      ALPHA_JOB_NAME: "Alpha to Dev",
      ALPHA_STATE_MACHINE_ARN: "arn:example",
    });
    expect(configuration.placeholders).to.deep.equal(["ALPHA_JOB_NAME", "ALPHA_STATE_MACHINE_ARN"]);
    expect(configuration).to.include({
      workspace: "dev",
      stackName: "AlmaWebhooks-dev",
      challengeSecretName: "alma-webhooks/dev/challenge-secret",
    });
  });

  it("turns a plugin off with an empty setting, and makes nothing up with examples off", () => {
    const env: Record<string, string> = {
      ALPHA_JOB_NAME: "",
      ALMA_INFRA_EXAMPLES: "off",
      WORKSPACE: "prod",
      ALMA_CHALLENGE_SECRET_NAME: "prod/alma",
    };
    const configuration = readConfiguration((name) => env[name], plugins);
    expect(configuration.settings).to.deep.equal({});
    expect(configuration.placeholders).to.deep.equal([]);
    expect(configuration).to.include({
      workspace: "prod",
      stackName: "AlmaWebhooks-prod",
      challengeSecretName: "prod/alma",
    });
  });

  it("rejects an ALMA_INFRA_EXAMPLES that is neither on nor off", () => {
    expect(() =>
      readConfiguration((name) => (name === "ALMA_INFRA_EXAMPLES" ? "yes" : undefined), plugins),
    ).to.throw(/must be 'on' or 'off'/);
  });

  it("turns the ledger on and the large-payload bucket off by default; ALMA_LEDGER and ALMA_LARGE_PAYLOAD_BUCKET say otherwise", () => {
    expect(readConfiguration(() => undefined, plugins)).to.include({
      ledger: true,
      largePayloadBucket: false,
    });
    const env: Record<string, string> = { ALMA_LEDGER: "off", ALMA_LARGE_PAYLOAD_BUCKET: "ON" };
    expect(readConfiguration((name) => env[name], plugins)).to.include({
      ledger: false,
      largePayloadBucket: true,
    });
    expect(() =>
      readConfiguration((name) => (name === "ALMA_LARGE_PAYLOAD_BUCKET" ? "my-bucket" : undefined), plugins),
    ).to.throw(/ALMA_LARGE_PAYLOAD_BUCKET must be 'on' or 'off', not 'my-bucket'/);
  });

  it("reads ALMA_RESERVED_CONCURRENCY as a whole number or none, and refuses anything else", () => {
    const at = (value: string) =>
      readConfiguration((name) => (name === "ALMA_RESERVED_CONCURRENCY" ? value : undefined), plugins);
    expect(at("25").reservedConcurrency).to.equal(25);
    expect(at("None").reservedConcurrency).to.equal("none");
    expect(readConfiguration(() => undefined, plugins)).not.to.have.property("reservedConcurrency");
    for (const bad of ["0", "-3", "ten", "1.5"]) expect(() => at(bad)).to.throw(/ALMA_RESERVED_CONCURRENCY/);
  });
});
