import { execFile } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect } from "chai";
import { type FunctionChecks, loadFunctionChecks } from "../src/lambda-bundle.js";
import { type AwsAnswer, type AwsCli, awsCli, classifyAwsFailure, plan } from "../src/plan.js";

const run = promisify(execFile);
const APP = resolve(dirname(fileURLToPath(import.meta.url)), "../src/app.js");
const ACCOUNT = "210987654321";
const URL = "https://abcdefghijklmnop.lambda-url.us-east-1.on.aws/";

const POD_ON = [
  "WORKSPACE=dev",
  "ALMA_CHALLENGE_SECRET_NAME=alma-webhooks/dev/challenge-secret",
  "ALMA_POD_EXPORT_JOB_NAME=PPOD EXPORT to Dev1",
  `PPOD_STATE_MACHINE_ARN=arn:aws:states:\${AWS_REGION}:\${AWS_ACCOUNT_ID}:stateMachine:ppod-dev`,
  "ALMA_RELEASE=all-at-once",
].join("\n");
const EMPTY = "WORKSPACE=dev\nALMA_CHALLENGE_SECRET_NAME=alma-webhooks/dev/challenge-secret\n";

/** A stand-in for the AWS CLI: answers by the command's first two words, and records every call. */
function fakeAws(answers: Record<string, AwsAnswer>): { aws: (region: string) => AwsCli; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    aws: (region) => async (args) => {
      const command = args.slice(0, 2).join(" ");
      calls.push(`${command} (${region})`);
      return answers[command] ?? { ok: false, kind: "failed", message: `unexpected ${command}` };
    },
  };
}

const NO_CREDENTIALS: AwsAnswer = {
  ok: false,
  kind: "no-credentials",
  message: "Unable to locate credentials.",
};
const DEPLOYED = {
  "sts get-caller-identity": { ok: true, json: { Account: ACCOUNT } },
  "secretsmanager describe-secret": { ok: true, json: { Name: "alma-webhooks/dev/challenge-secret" } },
  "cloudformation describe-stacks": {
    ok: true,
    json: { Stacks: [{ Outputs: [{ OutputKey: "AlmaWebhooksWebhookUrl5DA33061", OutputValue: URL }] }] },
  },
} as const satisfies Record<string, AwsAnswer>;

describe("make plan", () => {
  let checks: FunctionChecks;
  let stagesDir: string;
  before(async () => {
    checks = await loadFunctionChecks();
    stagesDir = mkdtempSync(join(tmpdir(), "infra-plan-"));
    writeFileSync(join(stagesDir, "dev.env"), POD_ON);
    writeFileSync(join(stagesDir, "empty.env"), EMPTY);
  });
  after(() => rmSync(stagesDir, { recursive: true, force: true }));

  async function planOf(
    stage: string | undefined,
    answers: Record<string, AwsAnswer>,
    deploy = false,
    shell: Record<string, string> = {},
  ) {
    const lines: string[] = [];
    const fake = fakeAws(answers);
    const code = await plan({
      stage,
      deploy,
      checks,
      shell,
      aws: fake.aws,
      print: (line) => lines.push(line),
      stagesDir,
    });
    return { code, text: lines.join("\n"), calls: fake.calls };
  }

  it("refuses an empty stage before any AWS call, with the message that says so", async () => {
    for (const deploy of [false, true]) {
      const { code, text, calls } = await planOf("empty", DEPLOYED, deploy);
      expect(code).to.equal(1);
      expect(text).to.match(/^Refused: Stage empty \(.*empty\.env\) turns on no plugin and no route/);
      expect(calls).to.deep.equal([]);
    }
  });

  it("asks for a stage when none is named", async () => {
    const { code, text, calls } = await planOf(undefined, DEPLOYED);
    expect(code).to.equal(2);
    expect(text).to.equal("Name a stage: make plan STAGE=<stage> (stages: dev, empty).");
    expect(calls).to.deep.equal([]);
  });

  it("prints every part of the stage, and goes on without credentials, saying what is unknown", async () => {
    const { code, text, calls } = await planOf("dev", { "sts get-caller-identity": NO_CREDENTIALS });
    expect(code).to.equal(0);
    expect(calls).to.deep.equal(["sts get-caller-identity (us-east-1)"]);
    const lines = text.split("\n");
    expect(lines[0]).to.match(
      /^Plan for stage dev \(.*dev\.env\): stack AlmaWebhooks-dev, workspace dev, region us-east-1, account unknown$/,
    );
    expect(lines).to.include.members([
      "  plugins",
      "    PPOD    on   job 'PPOD EXPORT to Dev1' (ALMA_POD_EXPORT_JOB_NAME) → arn:aws:states:us-east-1:000000000000:stateMachine:ppod-dev",
      "    TIMDEX  off  (ALMA_TIMDEX_EXPORT_JOB_NAME_PREFIX not set)",
      "    BURSAR  off  (ALMA_BURSAR_EXPORT_JOB_NAME not set)",
      "  routes    none",
      "  secret    alma-webhooks/dev/challenge-secret (Secrets Manager): unknown: no AWS credentials",
      "  table     the delivery ledger, created by the stack (ALMA_IDEMPOTENCY_TABLE); deleted with the stack (dev)",
      "  buckets   undelivered webhooks (ALMA_UNDELIVERED_BUCKET), kept 30 days; no large-payload bucket; deleted with the stack (dev)",
      "  alarms    SignatureFailures, DispatchFailures (5 min), WebhooksNotDelivered (1 min) in AlmaWebhooks/service=alma-webhooks; notify nobody (set ALARM_EMAIL or ALARM_TOPIC_ARN)",
      "  memory    512 MB",
      "  URL       unknown: no AWS credentials",
    ]);
    expect(text).to.contain(
      "  release   all-at-once: every request goes to the new version at once (dev); Function URL on alias 'live', rolled back on 5xx answers, function errors, WebhooksNotDelivered, ≥ 5 signature failures a minute",
    );
  });

  it("refuses to deploy without credentials, and says why", async () => {
    const { code, text } = await planOf("dev", { "sts get-caller-identity": NO_CREDENTIALS }, true);
    expect(code).to.equal(1);
    expect(text.split("\n").at(-1)).to.equal(
      "Refused: cannot deploy: no AWS credentials. Set AWS credentials (AWS_PROFILE=…, aws sso login, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) and retry.",
    );
  });

  it("refuses to deploy when AWS cannot be reached", async () => {
    const unreachable = classifyAwsFailure(
      '\nCould not connect to the endpoint URL: "https://sts.us-east-1.amazonaws.com/"\n',
    );
    const { code, text } = await planOf("dev", { "sts get-caller-identity": unreachable }, true);
    expect(code).to.equal(1);
    expect(text).to.contain(
      'secret    alma-webhooks/dev/challenge-secret (Secrets Manager): unknown: AWS unreachable (Could not connect to the endpoint URL: "https://sts.us-east-1.amazonaws.com/")',
    );
    expect(text.split("\n").at(-1)).to.equal(
      'Refused: cannot deploy: AWS unreachable (Could not connect to the endpoint URL: "https://sts.us-east-1.amazonaws.com/").',
    );
  });

  it("refuses a missing secret with the exact command that creates it", async () => {
    for (const deploy of [false, true]) {
      const { code, text } = await planOf(
        "dev",
        {
          ...DEPLOYED,
          "secretsmanager describe-secret": classifyAwsFailure(
            "An error occurred (ResourceNotFoundException) when calling the DescribeSecret operation: Secrets Manager can't find the specified secret.",
          ),
        },
        deploy,
      );
      expect(code).to.equal(1);
      expect(text).to.contain("secret    alma-webhooks/dev/challenge-secret (Secrets Manager): MISSING");
      expect(text).to.contain(
        `Refused: the secret alma-webhooks/dev/challenge-secret does not exist in us-east-1. Create it:\n  aws secretsmanager create-secret --region us-east-1 --name alma-webhooks/dev/challenge-secret --description "Alma webhook secret (dev)" --secret-string "$(openssl rand -hex 32)"`,
      );
    }
  });

  it("with credentials and the secret, shows the account's ARNs and the deployed URL, and lets the deployment go on", async () => {
    const { code, text, calls } = await planOf("dev", DEPLOYED, true);
    expect(code).to.equal(0);
    expect(calls).to.deep.equal([
      "sts get-caller-identity (us-east-1)",
      "secretsmanager describe-secret (us-east-1)",
      "cloudformation describe-stacks (us-east-1)",
    ]);
    expect(text).to.contain(`account ${ACCOUNT}`);
    expect(text).to.contain(`→ arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:ppod-dev`);
    expect(text).to.contain("(Secrets Manager): exists");
    expect(text).to.contain(`  URL       ${URL}`);
    expect(text).not.to.contain("Refused");
  });

  it("says a stack not deployed yet has no URL yet, and marks what the shell set", async () => {
    const { text } = await planOf(
      "dev",
      {
        ...DEPLOYED,
        "cloudformation describe-stacks": classifyAwsFailure(
          "An error occurred (ValidationError) when calling the DescribeStacks operation: Stack with id AlmaWebhooks-dev does not exist",
        ),
      },
      false,
      { ALMA_MEMORY_MB: "512", AWS_REGION: "eu-west-1" },
    );
    expect(text).to.contain("  URL       not deployed yet: the WebhookUrl output of the first deployment");
    expect(text).to.contain("  memory    512 MB (from the shell)");
    expect(text).to.contain("region eu-west-1");
    expect(text).to.contain("set in the shell, over the file: ALMA_MEMORY_MB");
  });

  it("classifies the AWS CLI's failures", () => {
    const kind = (stderr: string) => classifyAwsFailure(stderr).kind;
    expect(
      kind('\nUnable to locate credentials. You can configure credentials by running "aws configure".\n'),
    ).to.equal("no-credentials");
    expect(kind("The config profile (ops) could not be found")).to.equal("no-credentials");
    expect(kind('Could not connect to the endpoint URL: "https://sts.amazonaws.com/"')).to.equal(
      "unreachable",
    );
    expect(
      kind("An error occurred (InvalidClientTokenId) when calling the GetCallerIdentity operation"),
    ).to.equal("denied");
    expect(
      kind("An error occurred (AccessDeniedException) when calling the DescribeSecret operation"),
    ).to.equal("denied");
    expect(kind("something else")).to.equal("failed");
  });

  describe("the AWS CLI", () => {
    let bin: string;
    before(() => {
      bin = mkdtempSync(join(tmpdir(), "infra-aws-"));
    });
    after(() => rmSync(bin, { recursive: true, force: true }));

    it("is called with the region, JSON output, short timeouts and one attempt", async () => {
      const script = join(bin, "aws");
      writeFileSync(
        script,
        `#!/bin/sh\necho "$@" > "${bin}/args"\necho "$AWS_MAX_ATTEMPTS" >> "${bin}/args"\necho '{"Account":"${ACCOUNT}"}'\n`,
      );
      chmodSync(script, 0o755);
      const answer = await awsCli("eu-west-1", script)(["sts", "get-caller-identity"]);
      expect(answer).to.deep.equal({ ok: true, json: { Account: ACCOUNT } });
      expect(readFileSync(join(bin, "args"), "utf8")).to.equal(
        "sts get-caller-identity --region eu-west-1 --output json --cli-connect-timeout 5 --cli-read-timeout 10\n1\n",
      );
    });

    it("reports a failure by its message, and a CLI that is not there", async () => {
      const script = join(bin, "aws-fails");
      writeFileSync(script, "#!/bin/sh\necho 'Unable to locate credentials.' >&2\nexit 253\n");
      chmodSync(script, 0o755);
      expect(await awsCli("us-east-1", script)(["sts", "get-caller-identity"])).to.deep.equal({
        ok: false,
        kind: "no-credentials",
        message: "Unable to locate credentials.",
      });
      expect(await awsCli("us-east-1", join(bin, "no-such-aws"))(["sts", "get-caller-identity"])).to.include({
        ok: false,
        kind: "no-cli",
      });
    });
  });
});

describe("the CDK app with a stage (ALMA_STAGE)", () => {
  const appEnv = (outdir: string, extra: Record<string, string>): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = { ...process.env, CDK_OUTDIR: outdir, ...extra };
    for (const name of [
      "CDK_DEFAULT_ACCOUNT",
      "CDK_DEFAULT_REGION",
      "WORKSPACE",
      "ALMA_POD_EXPORT_JOB_NAME",
    ]) {
      if (!(name in extra)) delete env[name];
    }
    return env;
  };

  it("synthesises the shipped dev stage: a function that carries the POD settings, in the account deployed to", async function () {
    this.timeout(120_000);
    const outdir = mkdtempSync(join(tmpdir(), "infra-app-stage-"));
    try {
      await run("node", [APP], {
        env: appEnv(outdir, {
          ALMA_STAGE: "dev",
          CDK_DEFAULT_ACCOUNT: ACCOUNT,
          CDK_DEFAULT_REGION: "us-east-1",
        }),
      });
      const template = JSON.parse(readFileSync(join(outdir, "AlmaWebhooks-dev.template.json"), "utf8"));
      const webhook = Object.values(
        template.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>,
      ).find((resource) => resource.Properties?.Handler === "webhook.handler");
      const environment = webhook?.Properties.Environment as
        | { Variables: Record<string, unknown> }
        | undefined;
      expect(environment?.Variables).to.include({
        WORKSPACE: "dev",
        ALMA_POD_EXPORT_JOB_NAME: "Publishing Platform Job PPOD EXPORT to Dev1",
        PPOD_STATE_MACHINE_ARN: `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:ppod-dev`,
      });
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it("refuses a stage the shell empties, with the message, writing no template", async function () {
    this.timeout(120_000);
    const outdir = mkdtempSync(join(tmpdir(), "infra-app-stage-"));
    try {
      const failure = await run("node", [APP], {
        env: appEnv(outdir, { ALMA_STAGE: "dev", ALMA_POD_EXPORT_JOB_NAME: "" }),
      }).then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      );
      expect(failure?.code).to.equal(1);
      expect(failure?.stderr).to.contain(
        "infra: refused: Stage dev (infra/stages/dev.env) turns on no plugin and no route",
      );
      expect(() => readFileSync(join(outdir, "AlmaWebhooks-dev.template.json"))).to.throw();
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
