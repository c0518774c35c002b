import { aws_sns as sns } from "aws-cdk-lib";
import { Match } from "aws-cdk-lib/assertions";
import { expect } from "chai";
import { readConfiguration } from "../src/configuration.js";
import { DEFAULT_RELEASE, LIVE_ALIAS, type RELEASES } from "../src/release.js";
import { fakePlugins, synth } from "./fixtures.js";

type Template = ReturnType<typeof synth>["template"];

const idOf = (template: Template, type: string, props: Record<string, unknown> = {}): string => {
  const ids = Object.keys(template.findResources(type, props));
  expect(ids, `${type} ${JSON.stringify(props)}`).to.have.length(1);
  return ids[0] as string;
};

const webhookId = (template: Template) =>
  idOf(template, "AWS::Lambda::Function", { Properties: { Handler: "webhook.handler" } });

describe("safe releases", () => {
  it("publishes a version of the webhook function at each deployment and points the live alias at it", () => {
    const { template } = synth();
    const fn = webhookId(template);
    const version = idOf(template, "AWS::Lambda::Version");
    template.hasResourceProperties("AWS::Lambda::Version", { FunctionName: { Ref: fn } });
    template.hasResourceProperties("AWS::Lambda::Alias", {
      Name: LIVE_ALIAS,
      FunctionName: { Ref: fn },
      FunctionVersion: { "Fn::GetAtt": [version, "Version"] },
    });
  });

  it("puts the Function URL on the live alias, public (Alma signs with its HMAC), and outputs that URL", () => {
    const { template } = synth();
    template.resourceCountIs("AWS::Lambda::Url", 1);
    template.hasResourceProperties("AWS::Lambda::Url", {
      AuthType: "NONE",
      Qualifier: LIVE_ALIAS,
      TargetFunctionArn: { "Fn::GetAtt": [webhookId(template), "Arn"] },
    });
    const alias = idOf(template, "AWS::Lambda::Alias");
    template.hasResourceProperties("AWS::Lambda::Permission", {
      Action: "lambda:InvokeFunctionUrl",
      FunctionName: { Ref: alias },
      FunctionUrlAuthType: "NONE",
    });
    const url = idOf(template, "AWS::Lambda::Url");
    template.hasOutput("*", {
      Description: Match.stringLikeRegexp("Alma's webhook integration profile"),
      Value: { "Fn::GetAtt": [url, "FunctionUrl"] },
    });
    template.hasOutput("*", {
      Value: { "Fn::Join": ["", [{ Ref: webhookId(template) }, `:${LIVE_ALIAS}`]] },
    });
  });

  it("shifts the alias with a CodeDeploy deployment group: a canary of 10 % for 5 minutes by default", () => {
    expect(DEFAULT_RELEASE).to.equal("canary-10-5");
    const { template } = synth();
    const group = idOf(template, "AWS::CodeDeploy::DeploymentGroup");
    template.hasResourceProperties("AWS::CodeDeploy::DeploymentGroup", {
      DeploymentConfigName: "CodeDeployDefault.LambdaCanary10Percent5Minutes",
      DeploymentStyle: { DeploymentOption: "WITH_TRAFFIC_CONTROL", DeploymentType: "BLUE_GREEN" },
    });
    template.hasResourceProperties("AWS::CodeDeploy::Application", { ComputePlatform: "Lambda" });
    template.hasResource("AWS::Lambda::Alias", {
      UpdatePolicy: {
        CodeDeployLambdaAliasUpdate: {
          DeploymentGroupName: { Ref: group },
          ApplicationName: Match.anyValue(),
        },
      },
    });
  });

  it("takes the stage's strategy: all at once, a longer canary or a linear shift", () => {
    const expected: Record<string, string> = {
      "all-at-once": "CodeDeployDefault.LambdaAllAtOnce",
      "canary-10-30": "CodeDeployDefault.LambdaCanary10Percent30Minutes",
      "linear-10-1": "CodeDeployDefault.LambdaLinear10PercentEvery1Minute",
    };
    for (const [release, name] of Object.entries(expected)) {
      synth({ release: release as keyof typeof RELEASES }).template.hasResourceProperties(
        "AWS::CodeDeploy::DeploymentGroup",
        { DeploymentConfigName: name },
      );
    }
  });

  it("rolls back on a failed or stopped deployment and when a webhook alarm goes off during the shift", () => {
    const { template } = synth();
    template.hasResourceProperties("AWS::CodeDeploy::DeploymentGroup", {
      AutoRollbackConfiguration: {
        Enabled: true,
        Events: Match.arrayWith(["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]),
      },
    });
    const [group] = Object.values(template.findResources("AWS::CodeDeploy::DeploymentGroup"));
    const alarms = group?.Properties.AlarmConfiguration;
    expect(alarms.Enabled).to.equal(true);
    const named = (alarms.Alarms as { Name: { Ref: string } }[]).map((alarm) => alarm.Name.Ref);
    const metricOf = (id: string) => template.toJSON().Resources[id].Properties;
    expect(named.map((id) => metricOf(id).MetricName).sort()).to.deep.equal([
      "Errors",
      "SignatureFailures",
      "Url5xxCount",
      "WebhooksNotDelivered",
    ]);
  });

  it("watches 5xx answers and function errors on the live alias, each Sum >= 1 in one minute", () => {
    const { template } = synth();
    const fn = webhookId(template);
    for (const metric of ["Url5xxCount", "Errors"]) {
      template.hasResourceProperties("AWS::CloudWatch::Alarm", {
        Namespace: "AWS/Lambda",
        MetricName: metric,
        Dimensions: [
          { Name: "FunctionName", Value: { Ref: fn } },
          { Name: "Resource", Value: { "Fn::Join": ["", [{ Ref: fn }, `:${LIVE_ALIAS}`]] } },
        ],
        Statistic: "Sum",
        Period: 60,
        Threshold: 1,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
        TreatMissingData: "notBreaching",
      });
    }
  });

  it("rolls back on a jump in signature failures: 5 in a minute by default, as the stage says", () => {
    const jump = (template: Template) =>
      Object.values(
        template.findResources("AWS::CloudWatch::Alarm", {
          Properties: { MetricName: "SignatureFailures", Period: 60 },
        }),
      ).map((alarm) => alarm.Properties.Threshold);
    expect(jump(synth().template)).to.deep.equal([5]);
    expect(jump(synth({ rollbackSignatureFailures: 20 }).template)).to.deep.equal([20]);
  });

  it("sends the release alarms to the alarm topic too", () => {
    const topicArn = "arn:aws:sns:eu-west-1:111122223333:alma-alarms";
    const { template } = synth((stack) => ({ alarmTopic: sns.Topic.fromTopicArn(stack, "T", topicArn) }));
    for (const metric of ["Url5xxCount", "Errors", "WebhooksNotDelivered"]) {
      template.hasResourceProperties("AWS::CloudWatch::Alarm", {
        MetricName: metric,
        AlarmActions: [topicArn],
        OKActions: [topicArn],
      });
    }
  });

  it("reads ALMA_RELEASE from the configuration, and refuses an unknown strategy or all-at-once for prod", () => {
    const at = (env: Record<string, string>) => readConfiguration((name) => env[name], fakePlugins);
    expect(at({}).release).to.equal("canary-10-5");
    expect(at({ ALMA_RELEASE: "All-At-Once" }).release).to.equal("all-at-once");
    expect(() => at({ ALMA_RELEASE: "fast" })).to.throw(
      /ALMA_RELEASE is not one of all-at-once, canary-10-5/,
    );
    expect(() => at({ ALMA_RELEASE: "all-at-once", WORKSPACE: "prod" })).to.throw(/refused for prod/);
    expect(at({ ALMA_RELEASE: "canary-10-10", WORKSPACE: "prod" }).release).to.equal("canary-10-10");
  });
});

describe("memory", () => {
  it("is 512 MB unless the stage says otherwise, and refuses what Lambda would", () => {
    const memory = (template: Template) =>
      Object.values(
        template.findResources("AWS::Lambda::Function", { Properties: { Handler: "webhook.handler" } }),
      )[0]?.Properties.MemorySize;
    expect(memory(synth().template)).to.equal(512);
    expect(memory(synth({ memorySize: 1024 }).template)).to.equal(1024);
    expect(() => synth({ memorySize: 64 })).to.throw(/memorySize must be a whole number of MB from 128/);
    const read = (value: string) =>
      readConfiguration((name) => (name === "ALMA_MEMORY_MB" ? value : undefined), fakePlugins);
    expect(read("1024").memoryMb).to.equal(1024);
    expect(() => read("lots")).to.throw(/ALMA_MEMORY_MB is not a whole number from 128 to 10240: 'lots'/);
  });
});

describe("ALARM_EMAIL", () => {
  it("makes a TLS-only topic of the stack's own, mails the address, and every alarm notifies it", async () => {
    const { App, aws_lambda: lambda } = await import("aws-cdk-lib");
    const { Template } = await import("aws-cdk-lib/assertions");
    const { AlmaWebhooksStack } = await import("../src/stack.js");
    const { ARN_PATTERN } = await import("./fixtures.js");
    const env: Record<string, string> = {
      ALMA_INFRA_EXAMPLES: "off",
      ALMA_CHALLENGE_SECRET_NAME: "alma-webhooks/dev/challenge-secret",
      ALARM_EMAIL: "ops@example.org",
    };
    const configuration = readConfiguration((name) => env[name], fakePlugins, Object.keys(env));
    const stack = new AlmaWebhooksStack(new App(), "Test", {
      configuration,
      code: lambda.Code.fromInline("export const handler = async () => 'test';"),
      plugins: fakePlugins,
      stateMachineArnPattern: ARN_PATTERN,
    });
    const template = Template.fromStack(stack);
    const topic = Object.keys(template.findResources("AWS::SNS::Topic"));
    expect(topic).to.have.length(1);
    template.hasResourceProperties("AWS::SNS::Subscription", {
      Protocol: "email",
      Endpoint: "ops@example.org",
      TopicArn: { Ref: topic[0] },
    });
    template.hasResourceProperties("AWS::SNS::TopicPolicy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
        ]),
      },
    });
    template.allResourcesProperties("AWS::CloudWatch::Alarm", {
      AlarmActions: [{ Ref: topic[0] }],
      OKActions: [{ Ref: topic[0] }],
    });
    expect(() =>
      readConfiguration((name) => (name === "ALARM_EMAIL" ? "ops" : undefined), fakePlugins),
    ).to.throw("ALARM_EMAIL is not an e-mail address (ops@example.org): 'ops'.");
  });
});
