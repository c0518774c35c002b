import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, aws_lambda as lambda } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { expect } from "chai";
import { type FunctionChecks, loadFunctionChecks } from "../src/lambda-bundle.js";
import { AlmaWebhooksStack } from "../src/stack.js";
import { loadStage, parseStageFile, STAGES_DIR, StageError, stageNames } from "../src/stage.js";

const ACCOUNT = "210987654321";

/** A stage directory of its own, holding the given files (name → text). */
function stagesWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "infra-stages-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, `${name}.env`), text);
  return dir;
}

const POD_ON = [
  "WORKSPACE=dev",
  "ALMA_CHALLENGE_SECRET_NAME=alma-webhooks/dev/challenge-secret",
  "ALMA_POD_EXPORT_JOB_NAME=PPOD EXPORT to Dev1",
  `PPOD_STATE_MACHINE_ARN=arn:aws:states:\${AWS_REGION}:\${AWS_ACCOUNT_ID}:stateMachine:ppod-dev`,
].join("\n");

function problemsOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof StageError) return error.problems;
    throw error;
  }
  expect.fail("the stage was accepted");
}

describe("stage files", () => {
  let checks: FunctionChecks;
  const dirs: string[] = [];
  before(async () => {
    checks = await loadFunctionChecks();
  });
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const stage = (text: string, shell: Record<string, string> = {}, account: string | null = ACCOUNT) => {
    const stagesDir = stagesWith({ test: text });
    dirs.push(stagesDir);
    return loadStage({ stage: "test", checks, shell, stagesDir, ...(account ? { account } : {}) });
  };

  describe("parseStageFile", () => {
    it("reads NAME=value lines, skipping comments and blanks; an export and one pair of quotes are allowed", () => {
      const { entries, problems } = parseStageFile(
        '# a comment\n\nWORKSPACE=dev\nexport ALMA_RELEASE = "canary-10-5"\nJOB=Job # with a hash\nEMPTY=\n',
        "x.env",
      );
      expect(problems).to.deep.equal([]);
      expect(Object.fromEntries([...entries].map(([name, entry]) => [name, entry]))).to.deep.equal({
        WORKSPACE: { value: "dev", line: 3 },
        ALMA_RELEASE: { value: "canary-10-5", line: 4 },
        JOB: { value: "Job # with a hash", line: 5 },
        EMPTY: { value: "", line: 6 },
      });
    });

    it("refuses a line that is no NAME=value, and a name set twice, with the line", () => {
      const { problems } = parseStageFile("WORKSPACE=dev\nnot a setting\nWORKSPACE=prod\n", "x.env");
      expect(problems).to.deep.equal([
        "x.env:2: not a NAME=value line: 'not a setting'.",
        "x.env:3: WORKSPACE is set again (first on line 1).",
      ]);
    });
  });

  describe("the shipped stages", () => {
    it("are dev, stage and prod, each accepted by the function's loader and the stack", () => {
      expect(stageNames()).to.deep.equal(["dev", "prod", "stage"]);
      for (const name of ["dev", "stage", "prod"]) {
        const loaded = loadStage({ stage: name, checks, shell: {}, account: ACCOUNT });
        expect(loaded.configuration.workspace).to.equal(name);
        expect(loaded.configuration.challengeSecretName).to.equal(`alma-webhooks/${name}/challenge-secret`);
        expect(loaded.path).to.equal(`infra/stages/${name}.env`);
      }
    });

    it("dev turns POD on, all at once; stage and prod turn every plugin on, by a canary", () => {
      const on = (name: string) =>
        loadStage({ stage: name, checks, shell: {}, account: ACCOUNT })
          .plugins.filter((plugin) => plugin.on)
          .map((plugin) => plugin.name);
      expect(on("dev")).to.deep.equal(["PPOD"]);
      expect(on("stage")).to.deep.equal(["PPOD", "TIMDEX", "BURSAR"]);
      expect(on("prod")).to.deep.equal(["PPOD", "TIMDEX", "BURSAR"]);
      const release = (name: string) =>
        loadStage({ stage: name, checks, shell: {}, account: ACCOUNT }).configuration.release;
      expect([release("dev"), release("stage"), release("prod")]).to.deep.equal([
        "all-at-once",
        "canary-10-5",
        "canary-10-10",
      ]);
    });

    it("dev synthesises a webhook function that carries the POD settings, in the account deployed to", async () => {
      const dev = loadStage({ stage: "dev", checks, shell: {}, account: ACCOUNT });
      const { loadLambdaBundle } = await import("../src/lambda-bundle.js");
      const bundle = await loadLambdaBundle();
      const app = new App({ outdir: mkdtempSync(join(tmpdir(), "infra-stage-")) });
      const stack = new AlmaWebhooksStack(app, dev.configuration.stackName, {
        env: { account: ACCOUNT, region: dev.region },
        configuration: dev.configuration,
        code: lambda.Code.fromAsset(bundle.zip),
        plugins: bundle.plugins,
        stateMachineArnPattern: bundle.stateMachineArnPattern,
      });
      Template.fromStack(stack).hasResourceProperties("AWS::Lambda::Function", {
        Handler: "webhook.handler",
        MemorySize: 512,
        Environment: {
          Variables: {
            WORKSPACE: "dev",
            ALMA_POD_EXPORT_JOB_NAME: "Publishing Platform Job PPOD EXPORT to Dev1",
            PPOD_STATE_MACHINE_ARN: `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:ppod-dev`,
          },
        },
      });
    });

    it("never holds a secret's value", () => {
      for (const name of stageNames()) {
        const text = readFileSync(join(STAGES_DIR, `${name}.env`), "utf8");
        expect(text).not.to.match(/^\s*(export\s+)?ALMA_(PREVIOUS_)?CHALLENGE_SECRETS?\s*=/m);
      }
    });
  });

  describe("checked by the function's own loader", () => {
    it("names a missing setting as the function would at cold start", () => {
      const problems = problemsOf(() => stage(POD_ON.replace(/^PPOD_STATE_MACHINE_ARN=.*$/m, "")));
      expect(problems).to.deep.equal([
        "PPOD_STATE_MACHINE_ARN is not set, but the PPOD plugin needs it because ALMA_POD_EXPORT_JOB_NAME is set.",
      ]);
    });

    it("shows the expected shape with every malformed ARN, the secret's included", () => {
      const problems = problemsOf(() =>
        stage(
          [
            POD_ON.replace(`\${AWS_ACCOUNT_ID}`, "1234"),
            "ALMA_FORWARD_LOANS_TARGET=arn:aws:sqs:us-east-1:loans",
            "ALMA_FORWARD_LOANS_EVENTS=LOAN",
            "ALMA_PREVIOUS_CHALLENGE_SECRET_NAME=old secret",
            "ALARM_TOPIC_ARN=alarms",
          ].join("\n"),
        ),
      );
      expect(problems.join("\n")).to.contain(
        "PPOD_STATE_MACHINE_ARN is not a Step Functions state machine ARN (arn:aws:states:<region>:<account>:stateMachine:<name>): 'arn:aws:states:us-east-1:1234:stateMachine:ppod-dev'",
      );
      expect(problems.join("\n")).to.contain(
        "ALMA_FORWARD_LOANS_TARGET is not an SQS queue, EventBridge event bus or Step Functions state machine ARN (arn:aws:sqs:<region>:<account>:<queue>",
      );
      expect(problems).to.include(
        "ALMA_PREVIOUS_CHALLENGE_SECRET_NAME is not a Secrets Manager secret name: letters, digits and /_+=.@- (like alma-webhooks/dev/challenge-secret; its ARN is arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>): 'old secret'.",
      );
      expect(problems).to.include(
        "ALARM_TOPIC_ARN is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic>): 'alarms'.",
      );
    });

    it("catches a misspelled name, with the name it probably is and its line", () => {
      const problems = problemsOf(() => stage(`${POD_ON}\nALMA_RELASE=canary-10-5\nPPOD_STATE_MACHINE=x`));
      expect(problems).to.deep.equal(
        [
          "infra/stages/test.env:5: ALMA_RELASE is not a setting of the function, its plugins (PPOD, TIMDEX, BURSAR) or the stack: did you mean ALMA_RELEASE?",
          "infra/stages/test.env:6: PPOD_STATE_MACHINE is not a setting of the function, its plugins (PPOD, TIMDEX, BURSAR) or the stack: did you mean PPOD_STATE_MACHINE_ARN?",
        ].map((line) => line.replace("infra/stages/test.env", problems[0]?.split(":")[0] ?? "")),
      );
    });

    it("refuses a secret's value, and what the stack sets itself", () => {
      const problems = problemsOf(() =>
        stage(`${POD_ON}\nALMA_CHALLENGE_SECRET=hunter2hunter2hunter2\nALMA_IDEMPOTENCY_TABLE=mine`),
      );
      expect(problems.map((problem) => problem.replace(/^.*?:\d+: /, ""))).to.deep.equal([
        "ALMA_CHALLENGE_SECRET: a secret's value never goes in a stage file: put it in Secrets Manager and name the secret in ALMA_CHALLENGE_SECRET_NAME.",
        "ALMA_IDEMPOTENCY_TABLE: the stack creates the delivery ledger's table and sets it: ALMA_LEDGER=on (or off for none).",
      ]);
      expect(problems.join("\n")).not.to.contain("hunter2");
    });

    it("lists every problem of the stack's settings at once", () => {
      const problems = problemsOf(() =>
        stage(
          `${POD_ON}\nALMA_RELEASE=fast\nALMA_MEMORY_MB=64\nALMA_LEDGER=yes\nALMA_INTENTIONALLY_EMPTY=maybe`,
        ),
      );
      expect(problems).to.deep.equal([
        "ALMA_LEDGER must be 'on' or 'off', not 'yes'.",
        "ALMA_MEMORY_MB is not a whole number from 128 to 10240: '64'.",
        "ALMA_RELEASE is not one of all-at-once, canary-10-5, canary-10-10, canary-10-15, canary-10-30, linear-10-1, linear-10-2, linear-10-3, linear-10-10: 'fast'.",
        "ALMA_INTENTIONALLY_EMPTY must be 'true' or 'false', not 'maybe'.",
      ]);
    });

    it("refuses a stage without the secret's name, and a reference it does not know", () => {
      const problems = problemsOf(() =>
        stage(POD_ON.replace(/^ALMA_CHALLENGE_SECRET_NAME=.*$/m, "").replace(`\${AWS_REGION}`, `\${REGION}`)),
      );
      expect(problems).to.deep.equal([
        `PPOD_STATE_MACHINE_ARN: \${REGION} is not known; a value may use \${AWS_ACCOUNT_ID} and \${AWS_REGION}.`,
        "ALMA_CHALLENGE_SECRET_NAME is not set: name the Secrets Manager secret that holds the webhook secret (like alma-webhooks/test/challenge-secret).",
        `PPOD_STATE_MACHINE_ARN is not a Step Functions state machine ARN (arn:aws:states:<region>:<account>:stateMachine:<name>): 'arn:aws:states:\${REGION}:210987654321:stateMachine:ppod-dev' (PPOD plugin, activated by ALMA_POD_EXPORT_JOB_NAME).`,
      ]);
    });

    it("refuses an unknown stage, naming the stages there are", () => {
      const stagesDir = stagesWith({ dev: POD_ON, prod: POD_ON });
      dirs.push(stagesDir);
      expect(problemsOf(() => loadStage({ stage: "qa", checks, shell: {}, stagesDir }))[0]).to.match(
        /^There is no stage file .*qa\.env \(stages: dev, prod\)\. A new stage is a copy of one: cp .*dev\.env .*qa\.env$/,
      );
    });
  });

  describe("an empty stage", () => {
    const EMPTY = "WORKSPACE=dev\nALMA_CHALLENGE_SECRET_NAME=alma-webhooks/dev/challenge-secret\n";

    it("is refused with a message that says so, and what to set", () => {
      const [problem, ...more] = problemsOf(() => stage(EMPTY));
      expect(more).to.deep.equal([]);
      expect(problem).to.match(
        /^Stage test \(.*test\.env\) turns on no plugin and no route: deployed, it would answer every webhook 'no action taken'/,
      );
      expect(problem).to.contain(
        "ALMA_POD_EXPORT_JOB_NAME, ALMA_TIMDEX_EXPORT_JOB_NAME_PREFIX, ALMA_BURSAR_EXPORT_JOB_NAME",
      );
      expect(problem).to.contain("ALMA_INTENTIONALLY_EMPTY=true");
    });

    it("is accepted when the stage says it is intended", () => {
      const loaded = stage(`${EMPTY}ALMA_INTENTIONALLY_EMPTY=true\n`);
      expect(loaded.plugins.every((plugin) => !plugin.on)).to.equal(true);
      expect(loaded.configuration.intentionallyEmpty).to.equal(true);
    });

    it("is not empty with a forward route on", () => {
      const loaded = stage(
        `${EMPTY}ALMA_FORWARD_LOANS_TARGET=arn:aws:sqs:us-east-1:\${AWS_ACCOUNT_ID}:loans.fifo\nALMA_FORWARD_LOANS_EVENTS=LOAN\n`,
      );
      expect(loaded.configuration.forwardRoutes).to.deep.equal([
        { name: "LOANS", target: `arn:aws:sqs:us-east-1:${ACCOUNT}:loans.fifo`, events: "LOAN" },
      ]);
    });
  });

  describe("the shell", () => {
    it("overrides the file: an empty job name turns a plugin off, and the stage is then empty", () => {
      const problems = problemsOf(() => stage(POD_ON, { ALMA_POD_EXPORT_JOB_NAME: "" }));
      expect(problems[0]).to.contain("turns on no plugin and no route");
    });

    it("overrides a value and says which came from it; variables neither reads are not taken", () => {
      const loaded = stage(POD_ON, {
        ALMA_MEMORY_MB: "512",
        ALMA_POD_EXPORT_JOB_NAME: "PPOD EXPORT to Dev2",
        ALMA_CHALLENGE_SECRET: "a value never taken",
        HOME: "/root",
      });
      expect(loaded.configuration.memoryMb).to.equal(512);
      expect(loaded.configuration.settings.ALMA_POD_EXPORT_JOB_NAME).to.equal("PPOD EXPORT to Dev2");
      expect(loaded.fromShell).to.deep.equal(["ALMA_MEMORY_MB", "ALMA_POD_EXPORT_JOB_NAME"]);
      expect(JSON.stringify(loaded)).not.to.contain("a value never taken");
    });

    it("adds a route of its own", () => {
      const loaded = stage(POD_ON, {
        ALMA_FORWARD_BIBS_TARGET: "arn:aws:events:us-east-1:210987654321:event-bus/alma",
        ALMA_FORWARD_BIBS_EVENTS: "BIB",
      });
      expect(loaded.configuration.forwardRoutes.map((route) => route.name)).to.deep.equal(["BIBS"]);
    });
  });

  describe("the account and region", () => {
    it(`fill \${AWS_ACCOUNT_ID} and \${AWS_REGION}: the file's region, else the CLI's, else us-east-1`, () => {
      expect(stage(POD_ON).configuration.settings.PPOD_STATE_MACHINE_ARN).to.equal(
        `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:ppod-dev`,
      );
      expect(stage(`${POD_ON}\nAWS_REGION=eu-west-1`).region).to.equal("eu-west-1");
      const stagesDir = stagesWith({ test: POD_ON });
      dirs.push(stagesDir);
      const loaded = loadStage({ stage: "test", checks, shell: {}, stagesDir, region: "ca-central-1" });
      expect(loaded.configuration.settings.PPOD_STATE_MACHINE_ARN).to.equal(
        "arn:aws:states:ca-central-1:000000000000:stateMachine:ppod-dev",
      );
    });

    it("say when the account is not known, and what stands for it", () => {
      const loaded = stage(POD_ON, {}, null);
      expect(loaded.warnings).to.include(
        `The AWS account is not known (no AWS answer yet): \${AWS_ACCOUNT_ID} in PPOD_STATE_MACHINE_ARN stands as 000000000000 here; cdk deploy fills in the real one.`,
      );
    });
  });
});
