import { expect } from "chai";
import {
  arnParts,
  executionArnFor,
  formatArn,
  isForwardTarget,
  PARAMETER_PATTERN,
  QUEUE_ARN_PATTERN,
  queueArnOfUrl,
  queueOf,
  SECRET_ARN_PATTERN,
  serviceOf,
  targetArnSetting,
  targetKindOf,
} from "../src/arn.js";

const FIFO = "arn:aws:sqs:us-east-1:123456789012:alma-events.fifo";
const BUS = "arn:aws:events:us-east-1:123456789012:event-bus/alma";

describe("arn", () => {
  it("tells state machines, standard and FIFO queues and event buses apart by their ARN", () => {
    expect(targetKindOf("arn:aws:states:us-east-1:123456789012:stateMachine:ppod")).to.equal("state-machine");
    expect(targetKindOf("arn:aws:sqs:us-east-1:123456789012:alma")).to.equal("queue");
    expect(targetKindOf(FIFO)).to.equal("fifo-queue");
    expect(targetKindOf(BUS)).to.equal("event-bus");
    expect(targetKindOf("https://sqs.us-east-1.amazonaws.com/123456789012/alma")).to.equal(undefined);
    expect(isForwardTarget(BUS)).to.equal(true);
    expect(isForwardTarget("arn:aws:states:us-east-1:123456789012:stateMachine:ppod")).to.equal(false);
  });

  it("validates a target setting as one of the three ARNs", () => {
    const pattern = new RegExp(targetArnSetting("T").pattern ?? "");
    for (const arn of [FIFO, BUS, "arn:aws:states:us-east-1:123456789012:stateMachine:ppod"]) {
      expect(pattern.test(arn), arn).to.equal(true);
    }
    for (const arn of [
      "arn:aws:sqs:us-east-1:1234:alma",
      "arn:aws:events:us-east-1:123456789012:rule/x",
      "",
    ]) {
      expect(pattern.test(arn), arn).to.equal(false);
    }
  });

  it("names the service of a target, Step Functions for anything else", () => {
    expect(serviceOf(FIFO)).to.equal("sqs");
    expect(serviceOf(BUS)).to.equal("event-bus");
    expect(serviceOf("not an arn")).to.equal("step-functions");
  });

  it("builds the execution ARN of a state machine, and none from anything else", () => {
    expect(
      executionArnFor("arn:aws:states:us-east-1:123456789012:stateMachine:ppod", "ppod-upload-1"),
    ).to.equal("arn:aws:states:us-east-1:123456789012:execution:ppod:ppod-upload-1");
    expect(executionArnFor(FIFO, "x")).to.equal(undefined);
  });

  it("takes SQS's rule for a queue name: 80 characters, the .fifo of a FIFO queue included", () => {
    const queue = new RegExp(QUEUE_ARN_PATTERN);
    const arn = (name: string) => `arn:aws:sqs:us-east-1:123456789012:${name}`;
    expect(queue.test(arn("q".repeat(80)))).to.equal(true);
    expect(queue.test(arn(`${"q".repeat(75)}.fifo`))).to.equal(true);
    expect(queue.test(arn("q".repeat(81)))).to.equal(false);
    expect(queue.test(arn(`${"q".repeat(76)}.fifo`))).to.equal(false);
    expect(queue.test(arn("alma.events"))).to.equal(false);
    expect(queueOf(arn("alma.events"))).to.equal(undefined);
  });

  it("gives a queue's URL and region from its ARN, and the ARN back from the URL", () => {
    expect(queueOf("arn:aws:sqs:eu-west-1:123456789012:alma.fifo")).to.deep.equal({
      region: "eu-west-1",
      url: "https://sqs.eu-west-1.amazonaws.com/123456789012/alma.fifo",
      fifo: true,
    });
    expect(queueOf("arn:aws-cn:sqs:cn-north-1:123456789012:alma")?.url).to.equal(
      "https://sqs.cn-north-1.amazonaws.com.cn/123456789012/alma",
    );
    expect(queueArnOfUrl("https://sqs.eu-west-1.amazonaws.com/123456789012/alma.fifo")).to.equal(
      "arn:aws:sqs:eu-west-1:123456789012:alma.fifo",
    );
    expect(queueArnOfUrl("http://127.0.0.1:4566/123456789012/alma")).to.equal(
      "arn:aws:sqs:us-east-1:123456789012:alma",
    );
    expect(queueArnOfUrl("https://sqs.eu-west-1.amazonaws.com/1234/alma")).to.equal(undefined);
  });

  it("splits an ARN into its parts and builds it back, the resource's own separators kept", () => {
    const bus = "arn:aws:events:eu-west-1:123456789012:event-bus/alma";
    const machine = "arn:aws:states:us-east-1:123456789012:stateMachine:ppod";
    for (const arn of [bus, machine]) expect(formatArn(arnParts(arn) ?? ({} as never))).to.equal(arn);
    expect(arnParts(machine)).to.deep.include({ service: "states", resource: "stateMachine:ppod" });
    expect(arnParts("https://example.com")).to.equal(undefined);
    expect(arnParts("arn:aws:sqs")).to.equal(undefined);
    expect(
      formatArn({ service: "sqs", region: "us-east-1", account: "123456789012", resource: "q" }),
    ).to.equal("arn:aws:sqs:us-east-1:123456789012:q");
  });

  it("validates stored secrets' ARNs and parameters' names or ARNs", () => {
    const secret = new RegExp(SECRET_ARN_PATTERN);
    const parameter = new RegExp(PARAMETER_PATTERN);
    expect(secret.test("arn:aws:secretsmanager:us-east-1:123456789012:secret:alma/webhook-AbCdEf")).to.equal(
      true,
    );
    expect(secret.test("arn:aws:ssm:us-east-1:123456789012:parameter/alma")).to.equal(false);
    expect(parameter.test("/alma/webhook-secret")).to.equal(true);
    expect(parameter.test("arn:aws:ssm:us-east-1:123456789012:parameter/alma/webhook-secret")).to.equal(true);
    expect(parameter.test("alma webhook")).to.equal(false);
  });
});
