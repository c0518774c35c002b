import { aws_sns as sns } from "aws-cdk-lib";
import { Match } from "aws-cdk-lib/assertions";
import { expect } from "chai";
import { NOT_DELIVERED_METRIC } from "../src/alma-webhooks.js";
import { readConfiguration } from "../src/configuration.js";
import { fakePlugins, policyStatements, synth, webhookEnvironment } from "./fixtures.js";

type Template = ReturnType<typeof synth>["template"];

const undeliveredId = (template: Template): string => {
  const ids = Object.keys(
    template.findResources("AWS::S3::Bucket", {
      Properties: { LoggingConfiguration: Match.objectLike({ LogFilePrefix: "undelivered/" }) },
    }),
  );
  expect(ids).to.have.length(1);
  return ids[0] as string;
};

describe("undelivered bucket (contract C2)", () => {
  it("is created by default: private, TLS only, S3-managed encrypted, objects expiring after 30 days", () => {
    const { template } = synth();
    const bucket = undeliveredId(template);
    template.resourceCountIs("AWS::S3::Bucket", 2); // and its access-log bucket
    template.hasResourceProperties("AWS::S3::Bucket", {
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: "undelivered/" }),
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 30, Status: "Enabled" })] },
    });
    template.hasResourceProperties("AWS::S3::BucketPolicy", {
      Bucket: { Ref: bucket },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
        ]),
      },
    });
  });

  it("keeps objects as many days as ALMA_UNDELIVERED_RETENTION_DAYS says", () => {
    const { template } = synth({ undeliveredRetentionDays: 90 });
    template.hasResourceProperties("AWS::S3::Bucket", {
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: "undelivered/" }),
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 90 })] },
    });
    const read = (value: string) =>
      readConfiguration(
        (name) => (name === "ALMA_UNDELIVERED_RETENTION_DAYS" ? value : undefined),
        fakePlugins,
      );
    expect(read("7").undeliveredRetentionDays).to.equal(7);
    expect(() => read("0")).to.throw(/ALMA_UNDELIVERED_RETENTION_DAYS is not a whole number from 1/);
  });

  it("gives the function its name in ALMA_UNDELIVERED_BUCKET and s3:GetObject and s3:PutObject on its objects only", () => {
    const { template } = synth();
    const bucket = undeliveredId(template);
    expect(webhookEnvironment(template).ALMA_UNDELIVERED_BUCKET).to.deep.equal({ Ref: bucket });
    const s3 = policyStatements(template).filter((s) => s.Action.some((a) => a.startsWith("s3:")));
    expect(s3).to.deep.equal([
      {
        Action: ["s3:GetObject", "s3:PutObject"],
        Resource: [{ "Fn::Join": ["", [{ "Fn::GetAtt": [bucket, "Arn"] }, "/*"]] }],
      },
    ]);
  });

  it("is retained with its logs when the stack is deleted, like the table, except in dev", () => {
    const policies = (workspace: string) =>
      Object.values(synth({ workspace }).template.findResources("AWS::S3::Bucket")).map(
        (bucket) => bucket.DeletionPolicy,
      );
    expect(policies("prod")).to.deep.equal(["Retain", "Retain"]);
    expect(policies("stage")).to.deep.equal(["Retain", "Retain"]);
    expect(policies("dev")).to.deep.equal(["Delete", "Delete"]);
  });

  it("is left out, with its variable and grant, when turned off", () => {
    const { template } = synth({ undeliveredBucket: false });
    template.resourceCountIs("AWS::S3::Bucket", 0);
    expect(webhookEnvironment(template)).not.to.have.property("ALMA_UNDELIVERED_BUCKET");
    expect(
      readConfiguration((name) => (name === "ALMA_UNDELIVERED_BUCKET" ? "off" : undefined), fakePlugins),
    ).to.include({ undeliveredBucket: false });
  });
});

describe("WebhooksNotDelivered (contract C1)", () => {
  it("is alarmed on its service dimension: Sum >= 1 in one minute, missing data not breaching", () => {
    const { template } = synth();
    expect(NOT_DELIVERED_METRIC).to.equal("WebhooksNotDelivered");
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Namespace: "AlmaWebhooks",
      MetricName: "WebhooksNotDelivered",
      Dimensions: [{ Name: "service", Value: "alma-webhooks" }],
      Statistic: "Sum",
      Period: 60,
      Threshold: 1,
      EvaluationPeriods: 1,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      TreatMissingData: "notBreaching",
    });
  });

  it("notifies the alarm topic, on alarm and on recovery", () => {
    const topicArn = "arn:aws:sns:eu-west-1:111122223333:alma-alarms";
    const { template } = synth((stack) => ({ alarmTopic: sns.Topic.fromTopicArn(stack, "T", topicArn) }));
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      MetricName: "WebhooksNotDelivered",
      AlarmActions: [topicArn],
      OKActions: [topicArn],
    });
  });

  it("is graphed on the dashboard by reason, by SEARCH on its [service, reason] dimensions", () => {
    const { template } = synth();
    const [dashboard] = Object.values(template.findResources("AWS::CloudWatch::Dashboard"));
    const body = JSON.stringify(dashboard?.Properties.DashboardBody);
    expect(body).to.contain("Webhooks not delivered, by reason");
    expect(body).to.contain(
      `SEARCH('{\\\\\\"AlmaWebhooks\\\\\\",reason,service} MetricName=\\\\\\"WebhooksNotDelivered\\\\\\" service=\\\\\\"alma-webhooks\\\\\\"', 'Sum', 300)`,
    );
  });
});
