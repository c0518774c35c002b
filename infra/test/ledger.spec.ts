import { RemovalPolicy } from "aws-cdk-lib";
import { Match } from "aws-cdk-lib/assertions";
import { expect } from "chai";
import { LEDGER_ACTIONS } from "../src/ledger.js";
import { policyStatements, synth, webhookEnvironment } from "./fixtures.js";

describe("delivery ledger", () => {
  it("is a pay-per-request table keyed id (string), expiring by expiration, with point-in-time recovery and KMS encryption", () => {
    const { template } = synth();
    template.resourceCountIs("AWS::DynamoDB::Table", 1);
    template.hasResourceProperties("AWS::DynamoDB::Table", {
      BillingMode: "PAY_PER_REQUEST",
      KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
      TimeToLiveSpecification: { AttributeName: "expiration", Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      // SSEEnabled without a key: the AWS managed key aws/dynamodb.
      SSESpecification: { SSEEnabled: true, KMSMasterKeyId: Match.absent() },
    });
  });

  it("gives the function its name in ALMA_IDEMPOTENCY_TABLE", () => {
    const { template } = synth();
    expect(webhookEnvironment(template).ALMA_IDEMPOTENCY_TABLE).to.deep.equal({ Ref: tableIdOf(template) });
  });

  it("lets the function get, put, update and delete items of that table only: no Query, no Scan", () => {
    const { template } = synth();
    const ledger = policyStatements(template).filter((s) => s.Action.some((a) => a.startsWith("dynamodb:")));
    expect(ledger).to.deep.equal([
      { Action: [...LEDGER_ACTIONS], Resource: [{ "Fn::GetAtt": [tableIdOf(template), "Arn"] }] },
    ]);
    expect(LEDGER_ACTIONS).to.deep.equal([
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:UpdateItem",
      "dynamodb:DeleteItem",
    ]);
  });

  it("is retained when the stack is deleted, except in dev, unless told otherwise", () => {
    const policyOf = (overrides: Parameters<typeof synth>[0]) =>
      Object.values(synth(overrides).template.findResources("AWS::DynamoDB::Table"))[0]?.DeletionPolicy;
    expect(policyOf({})).to.equal("Delete");
    expect(policyOf({ workspace: "prod" })).to.equal("Retain");
    expect(policyOf({ workspace: "stage" })).to.equal("Retain");
    expect(policyOf({ removalPolicy: RemovalPolicy.RETAIN })).to.equal("Retain");
  });

  it("is left out, with its variable and grant, when turned off", () => {
    const { template } = synth({ ledger: false });
    template.resourceCountIs("AWS::DynamoDB::Table", 0);
    expect(webhookEnvironment(template)).not.to.have.property("ALMA_IDEMPOTENCY_TABLE");
    expect(JSON.stringify(policyStatements(template))).not.to.contain("dynamodb:");
  });
});

function tableIdOf(template: ReturnType<typeof synth>["template"]): string | undefined {
  return Object.keys(template.findResources("AWS::DynamoDB::Table"))[0];
}
