import {
  aws_kms as kms,
  aws_logs as logs,
  aws_secretsmanager as secretsmanager,
  aws_sns as sns,
} from "aws-cdk-lib";
import { Match } from "aws-cdk-lib/assertions";
import { expect } from "chai";
import {
  ALARMED_METRICS,
  DEFAULT_RESERVED_CONCURRENCY,
  InfraConfigurationError,
} from "../src/alma-webhooks.js";
import { LEDGER_ACTIONS } from "../src/ledger.js";
import { UNDELIVERED_ACTIONS } from "../src/undelivered.js";
import {
  ALPHA_ARN,
  ARN_PATTERN,
  BETA_ARN,
  bothPluginsOn,
  fakePlugins,
  policyStatements,
  SECRET_NAME,
  synth,
  webhookEnvironment,
} from "./fixtures.js";

const ALLOWED_ACTIONS = [
  "logs:CreateLogStream",
  "logs:PutLogEvents",
  "states:StartExecution",
  "states:DescribeExecution",
  "states:DescribeStateMachine",
  "secretsmanager:GetSecretValue",
  ...LEDGER_ACTIONS,
  ...UNDELIVERED_ACTIONS,
];

describe("AlmaWebhooks", () => {
  describe("functions", () => {
    it("runs both functions on Node.js 22 on arm64, with their handlers from the bundle", () => {
      const { template } = synth();
      template.resourceCountIs("AWS::Lambda::Function", 2);
      for (const handler of ["webhook.handler", "ping.handler"]) {
        template.hasResourceProperties("AWS::Lambda::Function", {
          Handler: handler,
          Runtime: "nodejs22.x",
          Architectures: ["arm64"],
        });
      }
    });

    it("gives the webhook 512 MB and a timeout above the dispatch budget (3 s) and below Alma's 5 s", () => {
      const { template } = synth();
      const [webhook] = Object.values(
        template.findResources("AWS::Lambda::Function", { Properties: { Handler: "webhook.handler" } }),
      );
      expect(webhook?.Properties.MemorySize).to.equal(512);
      expect(webhook?.Properties.Timeout).to.be.above(3).and.below(5);
    });

    it("names the webhook function only when asked to", () => {
      expect(webhookFunctionName(synth().template)).to.equal(undefined);
      expect(webhookFunctionName(synth({ functionName: "alma-webhook-lambdas-dev" }).template)).to.equal(
        "alma-webhook-lambdas-dev",
      );
    });
  });

  describe("Function URL", () => {
    it("is public (AuthType NONE): Alma cannot sign AWS requests, the HMAC signature authenticates", () => {
      const { template } = synth();
      template.resourceCountIs("AWS::Lambda::Url", 1);
      template.hasResourceProperties("AWS::Lambda::Url", {
        AuthType: "NONE",
        TargetFunctionArn: { "Fn::GetAtt": [Match.stringLikeRegexp("Webhook"), "Arn"] },
      });
      template.hasResourceProperties("AWS::Lambda::Permission", {
        Action: "lambda:InvokeFunctionUrl",
        FunctionUrlAuthType: "NONE",
        Principal: "*",
      });
    });

    it("is an output of the stack", () => {
      const { template } = synth();
      template.hasOutput("*", {
        Value: { "Fn::GetAtt": [Match.stringLikeRegexp("FunctionUrl"), "FunctionUrl"] },
      });
    });
  });

  describe("logs", () => {
    it("sends each function's logs to its own log group with a retention of one month by default", () => {
      const { template } = synth();
      template.resourceCountIs("AWS::Logs::LogGroup", 2);
      template.allResourcesProperties("AWS::Logs::LogGroup", { RetentionInDays: 30 });
      template.allResourcesProperties("AWS::Lambda::Function", {
        LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp("Logs") } },
      });
    });

    it("keeps logs as long as asked", () => {
      const { template } = synth({ logRetention: logs.RetentionDays.ONE_YEAR });
      template.allResourcesProperties("AWS::Logs::LogGroup", { RetentionInDays: 365 });
    });
  });

  describe("permissions", () => {
    it("allows the Step Functions calls on exactly the configured state machines and their executions", () => {
      const { template } = synth();
      const statements = policyStatements(template).filter((s) =>
        s.Action.some((a) => a.startsWith("states:")),
      );
      expect(statements).to.deep.equal([
        {
          Action: ["states:StartExecution", "states:DescribeStateMachine"],
          Resource: [ALPHA_ARN, BETA_ARN],
        },
        {
          Action: ["states:DescribeExecution"],
          Resource: [
            "arn:aws:states:eu-west-1:111122223333:execution:alpha-pipeline:*",
            "arn:aws:states:eu-west-1:111122223333:execution:beta-pipeline:*",
          ],
        },
      ]);
    });

    it("allows nothing else than writing logs, the ledger's items and the undelivered bucket's objects, and never on every resource", () => {
      const { template } = synth();
      const statements = policyStatements(template);
      for (const statement of statements) {
        for (const action of statement.Action) expect(ALLOWED_ACTIONS).to.include(action);
        expect(statement.Resource).not.to.include("*");
      }
      const logStatements = statements.filter((s) => s.Action.some((a) => a.startsWith("logs:")));
      expect(logStatements).to.have.length(2); // one per function, on its own log group
      for (const { Resource } of logStatements) {
        expect(JSON.stringify(Resource)).to.match(/Logs[0-9A-F]{8}/);
      }
    });

    it("attaches no managed policy to either function's role", () => {
      const { template } = synth();
      const functionRoles = template.findResources("AWS::IAM::Role", {
        Properties: {
          AssumeRolePolicyDocument: {
            Statement: [Match.objectLike({ Principal: { Service: "lambda.amazonaws.com" } })],
          },
        },
      });
      expect(Object.keys(functionRoles)).to.have.length(2);
      for (const role of Object.values(functionRoles)) {
        expect(role.Properties.ManagedPolicyArns).to.equal(undefined);
      }
    });

    it("gives the ping function no Step Functions permission", () => {
      const { template } = synth();
      const pingPolicies = Object.values(
        template.findResources("AWS::IAM::Policy", {
          Properties: { Roles: [{ Ref: Match.stringLikeRegexp("PingRole") }] },
        }),
      );
      expect(pingPolicies).to.have.length(1);
      expect(JSON.stringify(pingPolicies)).not.to.contain("states:");
    });

    it("grants nothing for the state machine of a plugin that is off", () => {
      const { template, construct } = synth({
        settings: {
          ALPHA_JOB_NAME: "Alpha export to Dev",
          ALPHA_STATE_MACHINE_ARN: ALPHA_ARN,
          BETA_JOB_NAME: "",
        },
      });
      expect(construct.stateMachineArns).to.deep.equal([ALPHA_ARN]);
      expect(JSON.stringify(policyStatements(template))).not.to.contain("beta-pipeline");
    });

    it("has no Step Functions statement at all when no plugin is on", () => {
      const { template } = synth({ settings: {} });
      const actions = policyStatements(template).flatMap((s) => s.Action);
      expect(actions.filter((a) => a.startsWith("states:"))).to.deep.equal([]);
    });
  });

  describe("configuration", () => {
    it("passes the workspace, the plugin settings and the metrics names as environment variables", () => {
      const env = webhookEnvironment(synth().template);
      expect(env).to.include({
        WORKSPACE: "dev",
        POWERTOOLS_SERVICE_NAME: "alma-webhooks",
        POWERTOOLS_METRICS_NAMESPACE: "AlmaWebhooks",
        ...bothPluginsOn,
      });
      expect(env).not.to.have.property("SENTRY_DSN");
    });

    it("passes the Sentry DSN when given", () => {
      const dsn = "https://abc@o1.ingest.sentry.io/2";
      expect(webhookEnvironment(synth({ sentryDsn: dsn }).template)).to.have.property("SENTRY_DSN", dsn);
    });

    it("leaves out settings set to an empty string (the plugin is off)", () => {
      const env = webhookEnvironment(synth({ settings: { BETA_JOB_NAME: "  " } }).template);
      expect(env).not.to.have.property("BETA_JOB_NAME");
      expect(env).not.to.have.property("ALPHA_JOB_NAME");
    });

    it("rejects a variable that no plugin declares", () => {
      expect(() => synth({ settings: { ...bothPluginsOn, GAMMA_JOB_NAME: "Gamma" } })).to.throw(
        InfraConfigurationError,
        /GAMMA_JOB_NAME is not a setting of any job plugin \(ALPHA, BETA\)/,
      );
    });

    it("rejects the shell's own variables passed as plugin settings", () => {
      expect(() => synth({ settings: { ALMA_CHALLENGE_SECRET: "itsasecret" } })).to.throw(
        /ALMA_CHALLENGE_SECRET is not a setting of any job plugin/,
      );
    });

    it("rejects a plugin that is on without all its settings", () => {
      expect(() => synth({ settings: { ALPHA_JOB_NAME: "Alpha export to Dev" } })).to.throw(
        /ALPHA_STATE_MACHINE_ARN is not set, but the ALPHA plugin needs it because ALPHA_JOB_NAME is set/,
      );
    });

    it("lets an optional setting stay unset, and passes it on when set", () => {
      expect(() => synth({ settings: bothPluginsOn })).not.to.throw();
      const { template } = synth({ settings: { ...bothPluginsOn, BETA_RUN_TYPES: "daily,full" } });
      expect(JSON.stringify(template.toJSON())).to.contain('"BETA_RUN_TYPES":"daily,full"');
    });

    it("rejects a value that does not match its setting's pattern", () => {
      expect(() =>
        synth({
          settings: { ...bothPluginsOn, BETA_STATE_MACHINE_ARN: "arn:aws:lambda:eu-west-1:1:function:x" },
        }),
      ).to.throw(/BETA_STATE_MACHINE_ARN is not in the form/);
    });

    it("rejects a workspace that the function would reject", () => {
      expect(() => synth({ workspace: "dev stage" })).to.throw(/workspace 'dev stage'/);
    });

    it("treats only settings with the state machine ARN pattern as state machines", () => {
      const { construct } = synth({ stateMachineArnPattern: "^something-else$" });
      expect(construct.stateMachineArns).to.deep.equal([]);
      expect(fakePlugins[0]?.settings.stateMachineArn?.pattern).to.equal(ARN_PATTERN);
    });
  });

  describe("webhook secret", () => {
    /** Every value of the function's environment that could hold a secret or a reference to one. */
    const secretLike = (env: Record<string, unknown>) =>
      Object.entries(env).filter(([, value]) => JSON.stringify(value).includes("resolve:secretsmanager"));
    const readStatements = (template: ReturnType<typeof synth>["template"]) =>
      policyStatements(template).filter((s) => s.Action.some((a) => a.startsWith("secretsmanager:")));
    const partialArn = (name: string) => ({
      "Fn::Join": [
        "",
        ["arn:", { Ref: "AWS::Partition" }, `:secretsmanager:eu-west-1:111122223333:secret:${name}`],
      ],
    });

    it("reaches the function as the secret's ARN only: no value and no dynamic reference in its environment", () => {
      const { template } = synth();
      const env = webhookEnvironment(template);
      expect(env.ALMA_CHALLENGE_SECRET_ARN).to.deep.equal(partialArn(SECRET_NAME));
      expect(env).not.to.have.property("ALMA_CHALLENGE_SECRET");
      expect(secretLike(env)).to.deep.equal([]);
      expect(JSON.stringify(template.toJSON())).not.to.contain("resolve:secretsmanager");
    });

    it("lets the function GetSecretValue on that one secret, and nothing else of Secrets Manager", () => {
      const statements = readStatements(synth().template);
      expect(statements).to.have.length(1);
      expect(statements[0]?.Action).to.deep.equal(["secretsmanager:GetSecretValue"]);
      expect(JSON.stringify(statements[0]?.Resource)).to.equal(
        JSON.stringify([
          {
            "Fn::Join": [
              "",
              [
                "arn:",
                { Ref: "AWS::Partition" },
                `:secretsmanager:eu-west-1:111122223333:secret:${SECRET_NAME}-??????`,
              ],
            ],
          },
        ]),
      );
    });

    it("reads one JSON key of the secret when asked to", () => {
      const env = webhookEnvironment(synth({ challengeSecretJsonField: "alma" }).template);
      expect(env.ALMA_CHALLENGE_SECRET_JSON_FIELD).to.equal("alma");
    });

    it("accepts the previous secret during a rotation, read the same way", () => {
      const { template } = synth((stack) => ({
        previousChallengeSecret: secretsmanager.Secret.fromSecretNameV2(stack, "Previous", "alma/previous"),
      }));
      const env = webhookEnvironment(template);
      expect(env.ALMA_PREVIOUS_CHALLENGE_SECRETS_ARN).to.deep.equal(partialArn("alma/previous"));
      expect(JSON.stringify(readStatements(template)[0]?.Resource)).to.contain("alma/previous-??????");
      expect(webhookEnvironment(synth().template)).not.to.have.property(
        "ALMA_PREVIOUS_CHALLENGE_SECRETS_ARN",
      );
    });

    it("names a secret known by its full ARN by that ARN, and decrypts with its key only", () => {
      const arn = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:alma-AbCdEf";
      const keyArn = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
      const { template } = synth((stack) => ({
        challengeSecret: secretsmanager.Secret.fromSecretAttributes(stack, "FullArnSecret", {
          secretCompleteArn: arn,
          encryptionKey: kms.Key.fromKeyArn(stack, "SecretKey", keyArn),
        }),
      }));
      expect(webhookEnvironment(template).ALMA_CHALLENGE_SECRET_ARN).to.equal(arn);
      expect(readStatements(template)[0]?.Resource).to.deep.equal([arn]);
      const decrypt = policyStatements(template).filter((s) => s.Action.includes("kms:Decrypt"));
      expect(decrypt).to.deep.equal([{ Action: ["kms:Decrypt"], Resource: [keyArn] }]);
    });
  });

  describe("reserved concurrency", () => {
    it("reserves nothing by default (a throttled URL answers 429, which Alma never retries), or as set; the ping function none", () => {
      expect(DEFAULT_RESERVED_CONCURRENCY).to.equal("none");
      const reservedOf = (template: ReturnType<typeof synth>["template"]) =>
        Object.values(template.findResources("AWS::Lambda::Function")).map(
          (fn) => fn.Properties.ReservedConcurrentExecutions,
        );
      expect(reservedOf(synth().template)).to.deep.equal([undefined, undefined]);
      expect(reservedOf(synth({ reservedConcurrency: 3 }).template)).to.deep.equal([3, undefined]);
      expect(reservedOf(synth({ reservedConcurrency: "none" }).template)).to.deep.equal([
        undefined,
        undefined,
      ]);
    });

    it("refuses a reservation that would stop the function or is not a whole number", () => {
      for (const reservedConcurrency of [0, -1, 2.5]) {
        expect(() => synth({ reservedConcurrency })).to.throw(InfraConfigurationError, /reservedConcurrency/);
      }
    });
  });

  describe("alarms", () => {
    it("has one alarm per recommended metric: Sum over 5 minutes >= 1, missing data not breaching", () => {
      const { template } = synth();
      const metrics = Object.keys(ALARMED_METRICS);
      expect(metrics).to.deep.equal(["SignatureFailures", "DispatchFailures"]);
      expect(
        Object.keys(template.findResources("AWS::CloudWatch::Alarm", { Properties: { Period: 300 } })),
      ).to.have.length(metrics.length);
      for (const metric of metrics) {
        template.hasResourceProperties("AWS::CloudWatch::Alarm", {
          Namespace: "AlmaWebhooks",
          MetricName: metric,
          Dimensions: [{ Name: "service", Value: "alma-webhooks" }],
          Statistic: "Sum",
          Period: 300,
          Threshold: 1,
          EvaluationPeriods: 1,
          ComparisonOperator: "GreaterThanOrEqualToThreshold",
          TreatMissingData: "notBreaching",
          AlarmActions: Match.absent(),
        });
      }
    });

    it("watches the namespace and service the function is told to emit under", () => {
      const { template } = synth({ metricsNamespace: "Library/Webhooks", serviceName: "alma-dev" });
      // Every alarm on the function's own metrics; the others watch Lambda's (AWS/Lambda) on the live alias.
      const own = Object.values(template.findResources("AWS::CloudWatch::Alarm")).filter(
        (alarm) => alarm.Properties.Namespace !== "AWS/Lambda",
      );
      expect(own.map((alarm) => alarm.Properties.MetricName).sort()).to.deep.equal([
        "DispatchFailures",
        "SignatureFailures",
        "SignatureFailures", // the release's: a jump in one minute
        "WebhooksNotDelivered",
      ]);
      for (const alarm of own) {
        expect(alarm.Properties).to.deep.include({
          Namespace: "Library/Webhooks",
          Dimensions: [{ Name: "service", Value: "alma-dev" }],
        });
      }
      expect(webhookEnvironment(template)).to.include({
        POWERTOOLS_METRICS_NAMESPACE: "Library/Webhooks",
        POWERTOOLS_SERVICE_NAME: "alma-dev",
      });
    });

    it("notifies an SNS topic, on alarm and on recovery, when one is given", () => {
      const topicArn = "arn:aws:sns:eu-west-1:111122223333:alma-alarms";
      const { template } = synth((stack) => ({
        alarmTopic: sns.Topic.fromTopicArn(stack, "AlarmTopic", topicArn),
      }));
      template.allResourcesProperties("AWS::CloudWatch::Alarm", {
        AlarmActions: [topicArn],
        OKActions: [topicArn],
      });
    });
  });
});

function webhookFunctionName(template: ReturnType<typeof synth>["template"]): unknown {
  const [webhook] = Object.values(
    template.findResources("AWS::Lambda::Function", { Properties: { Handler: "webhook.handler" } }),
  );
  return webhook?.Properties.FunctionName;
}
