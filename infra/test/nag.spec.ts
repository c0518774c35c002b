import {
  App,
  aws_kms as kms,
  aws_lambda as lambda,
  Stack,
  aws_secretsmanager as secretsmanager,
  aws_sns as sns,
} from "aws-cdk-lib";
import { AwsSolutionsChecks, ServerlessChecks } from "cdk-nag";
import { expect } from "chai";
import { REASONS } from "../src/alma-webhooks.js";
import { readConfiguration } from "../src/configuration.js";
import { CODEDEPLOY_ROLE_REASON } from "../src/release.js";
import { ALARM_EMAIL_REDRIVE_REASON, ALARM_TOPIC_KEY_REASON, AlmaWebhooksStack } from "../src/stack.js";
import { ARN_PATTERN, fakePlugins, synth } from "./fixtures.js";

const QUEUE = "arn:aws:sqs:eu-west-1:111122223333:alma-events.fifo";
const BUS = "arn:aws:events:eu-west-1:111122223333:event-bus/alma";

/** Every unacknowledged finding of the rule packs nobody here wrote: AwsSolutions and Serverless. */
function findings(stack: Stack): string[] {
  return [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
    pack
      .validateScope(stack)
      .violations.flatMap((violation) =>
        violation.violatingResources.map(
          (resource) => `${violation.ruleName} at ${resource.locations.join(", ")}: ${violation.description}`,
        ),
      ),
  );
}

describe("cdk-nag (AwsSolutions and Serverless packs)", () => {
  it("finds nothing unacknowledged in the smallest deployment (no ledger) and the default one (ledger)", () => {
    expect(findings(synth({ ledger: false }).stack)).to.deep.equal([]);
    expect(findings(synth().stack)).to.deep.equal([]);
  });

  it("finds nothing unacknowledged with every option on: previous secret with its key, routes, alarms, large-payload bucket", () => {
    const { stack } = synth((s) => ({
      previousChallengeSecret: secretsmanager.Secret.fromSecretAttributes(s, "Previous", {
        secretCompleteArn: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:alma-previous-AbCdEf",
        encryptionKey: kms.Key.fromKeyArn(
          s,
          "Key",
          "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        ),
      }),
      alarmTopic: sns.Topic.fromTopicArn(s, "Topic", "arn:aws:sns:eu-west-1:111122223333:alarms"),
      sentryDsn: "https://key@o1.ingest.sentry.io/1",
      largePayloadBucket: true,
      forwardRoutes: [
        {
          name: "CIRCULATION",
          target: QUEUE,
          events: "LOAN:LOAN_CREATED,REQUEST",
          kmsKeyArn: "arn:aws:kms:eu-west-1:111122223333:key/0000abcd-12ab-34cd-56ef-1234567890ab",
        },
        { name: "BIBS", target: BUS, events: "BIB" },
      ],
    }));
    expect(findings(stack)).to.deep.equal([]);
  });

  it("finds nothing unacknowledged in a stack read from a stage: a canary, the alarm e-mail's own topic, every bucket", () => {
    const env: Record<string, string> = {
      WORKSPACE: "prod",
      ALMA_INFRA_EXAMPLES: "off",
      ALMA_CHALLENGE_SECRET_NAME: "alma-webhooks/prod/challenge-secret",
      ALPHA_JOB_NAME: "Alpha export to prod",
      ALPHA_STATE_MACHINE_ARN: "arn:aws:states:eu-west-1:111122223333:stateMachine:alpha",
      ALMA_RELEASE: "canary-10-10",
      ALARM_EMAIL: "ops@example.org",
      ALMA_LARGE_PAYLOAD_BUCKET: "on",
      ALMA_MEMORY_MB: "512",
    };
    const configuration = readConfiguration((name) => env[name], fakePlugins, Object.keys(env));
    const stack = new AlmaWebhooksStack(new App(), configuration.stackName, {
      env: { account: "111122223333", region: "eu-west-1" },
      configuration,
      code: lambda.Code.fromInline("export const handler = async () => 'test';"),
      plugins: fakePlugins,
      stateMachineArnPattern: ARN_PATTERN,
    });
    expect(findings(stack)).to.deep.equal([]);
  });

  it("reports a bare function that has none of the construct's fixes and acknowledgements: the packs really run", () => {
    const stack = new Stack(new App(), "Bare");
    new lambda.Function(stack, "Bare", {
      code: lambda.Code.fromInline("export const handler = async () => 1;"),
      handler: "index.handler",
      runtime: lambda.Runtime.NODEJS_22_X,
    });
    const rules = findings(stack).map((line) => line.split(" ")[0]);
    expect(rules).to.include.members([
      "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
      "AwsSolutions-L1",
      "Serverless-LambdaDLQ",
      "Serverless-LambdaTracing",
    ]);
  });

  it("gives every acknowledgement a reason a reviewer can weigh", () => {
    for (const reason of [
      ...Object.values(REASONS),
      CODEDEPLOY_ROLE_REASON,
      ALARM_TOPIC_KEY_REASON,
      ALARM_EMAIL_REDRIVE_REASON,
    ]) {
      expect(reason).to.match(/^\S.{60,}\.$/);
    }
  });
});
