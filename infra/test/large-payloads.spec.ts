import { Match } from "aws-cdk-lib/assertions";
import { expect } from "chai";
import { policyStatements, synth, webhookEnvironment } from "./fixtures.js";

type Template = ReturnType<typeof synth>["template"];

const bucketIds = (template: Template) => ({
  payloads: Object.keys(
    template.findResources("AWS::S3::Bucket", { Properties: { LoggingConfiguration: Match.anyValue() } }),
  )[0],
  logs: Object.keys(
    template.findResources("AWS::S3::Bucket", { Properties: { LoggingConfiguration: Match.absent() } }),
  )[0],
});

describe("large-payload bucket", () => {
  it("is not created unless asked for", () => {
    const { template } = synth({ undeliveredBucket: false });
    template.resourceCountIs("AWS::S3::Bucket", 0);
    expect(webhookEnvironment(template)).not.to.have.property("ALMA_LARGE_PAYLOAD_BUCKET");
    expect(JSON.stringify(policyStatements(template))).not.to.contain("s3:");
  });

  it("is private, TLS only, S3-managed encrypted, and expires objects after 30 days", () => {
    const { template } = synth({ largePayloadBucket: true, undeliveredBucket: false });
    const { payloads } = bucketIds(template);
    template.resourceCountIs("AWS::S3::Bucket", 2); // and its access-log bucket
    template.hasResourceProperties("AWS::S3::Bucket", {
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: "large-payloads/" }),
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: {
        Rules: [Match.objectLike({ ExpirationInDays: 30, Status: "Enabled" })],
      },
    });
    template.hasResourceProperties("AWS::S3::BucketPolicy", {
      Bucket: { Ref: payloads },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: "Deny",
            Action: "s3:*",
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          }),
        ]),
      },
    });
  });

  it("logs its accesses into a private, TLS-only bucket that only S3's log delivery for it may write to", () => {
    const { template } = synth({ largePayloadBucket: true, undeliveredBucket: false });
    const { payloads, logs } = bucketIds(template);
    template.hasResourceProperties("AWS::S3::Bucket", {
      LoggingConfiguration: { DestinationBucketName: { Ref: logs } },
    });
    template.hasResourceProperties("AWS::S3::BucketPolicy", {
      Bucket: { Ref: logs },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
          Match.objectLike({
            Effect: "Allow",
            Principal: { Service: "logging.s3.amazonaws.com" },
            Action: "s3:PutObject",
            Condition: Match.objectLike({
              ArnLike: { "aws:SourceArn": { "Fn::GetAtt": [payloads, "Arn"] } },
            }),
          }),
        ]),
      },
    });
  });

  it("gives the function its name in ALMA_LARGE_PAYLOAD_BUCKET and s3:PutObject on its objects, nothing else", () => {
    const { template } = synth({ largePayloadBucket: true, undeliveredBucket: false });
    const { payloads } = bucketIds(template);
    expect(webhookEnvironment(template).ALMA_LARGE_PAYLOAD_BUCKET).to.deep.equal({ Ref: payloads });
    const s3 = policyStatements(template).filter((s) => s.Action.some((a) => a.startsWith("s3:")));
    expect(s3).to.deep.equal([
      {
        Action: ["s3:PutObject"],
        Resource: [{ "Fn::Join": ["", [{ "Fn::GetAtt": [payloads, "Arn"] }, "/*"]] }],
      },
    ]);
  });

  it("is retained with its logs when the stack is deleted, except in dev", () => {
    const policies = (workspace: string) =>
      Object.values(
        synth({ workspace, largePayloadBucket: true, undeliveredBucket: false }).template.findResources(
          "AWS::S3::Bucket",
        ),
      ).map((bucket) => bucket.DeletionPolicy);
    expect(policies("prod")).to.deep.equal(["Retain", "Retain"]);
    expect(policies("dev")).to.deep.equal(["Delete", "Delete"]);
  });
});
