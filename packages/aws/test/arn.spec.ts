import { expect } from "chai";
import { executionArnFor, isForwardTarget, serviceOf, targetArnSetting, targetKindOf } from "../src/index.js";

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
});
