import { createHash } from "node:crypto";
import { silentLogger } from "@alma-webhooks/core";
import type { LocalStepFunctions } from "@alma-webhooks/local-aws/endpoint";
import { S3Client } from "@aws-sdk/client-s3";
import { expect } from "chai";
import sinon from "sinon";
import { systemClock, TargetDispatcher } from "../src/index.js";
import { LARGE_PAYLOAD_KEY, largePayloadKey, TARGET_LIMITS } from "../src/internal.js";
import { BUS, FIFO_QUEUE, localEndpoint, STATE_MACHINES } from "./support/local-endpoint.js";

const request = (target: string, name: string, input = '{"action":"JOB_END"}') => ({
  plugin: "PPOD",
  target,
  name,
  input,
  action: "JOB_END",
});
/** An input over what Step Functions takes. */
const tooLarge = () => JSON.stringify({ pad: "x".repeat(TARGET_LIMITS["step-functions"]) });

describe("TargetDispatcher: the service by the target's ARN, the claim check for a body too large", function () {
  this.timeout(15_000);
  let endpoint: LocalStepFunctions;
  let stop: () => Promise<void>;

  beforeEach(async () => ({ endpoint, stop } = await localEndpoint()));
  afterEach(async () => {
    sinon.restore();
    await stop();
  });

  it("starts a state machine, sends to a queue and puts on a bus, by the kind of each ARN", async () => {
    const dispatcher = new TargetDispatcher(silentLogger, systemClock);
    const results = await Promise.all([
      dispatcher.start(request(STATE_MACHINES.PPOD, "ppod-1")),
      dispatcher.start(request(FIFO_QUEUE, "ppod-2")),
      dispatcher.start(request(BUS, "ppod-3")),
    ]);
    expect(results.map((result) => result.status)).to.deep.equal(["started", "started", "started"]);
    expect(endpoint.executions().map((execution) => execution.name)).to.deep.equal(["ppod-1"]);
    expect(endpoint.messages().map((message) => [message.service, message.targetArn])).to.have.deep.members([
      ["sqs", FIFO_QUEUE],
      ["eventbridge", BUS],
    ]);
  });

  it("refuses a body too large for its target without a bucket, naming the sizes, and sends nothing", async () => {
    const input = tooLarge();
    const result = await new TargetDispatcher(silentLogger, systemClock).start(
      request(STATE_MACHINES.PPOD, "ppod-4", input),
    );
    expect(result).to.deep.include({
      status: "too-large",
      size: Buffer.byteLength(input),
      limit: TARGET_LIMITS["step-functions"],
    });
    expect(endpoint.requests()).to.deep.equal([]);
  });

  it("stores a body too large in the bucket and sends its pointer: bucket, key, size and SHA-256", async () => {
    const put = sinon.stub(S3Client.prototype, "send").resolves({});
    const input = tooLarge();
    const dispatcher = new TargetDispatcher(silentLogger, systemClock, { largePayloadBucket: "kept-bodies" });
    expect(await dispatcher.start(request(STATE_MACHINES.PPOD, "ppod-5", input))).to.deep.include({
      status: "started",
    });
    const stored = put.firstCall.args[0].input as Record<string, unknown>;
    expect(stored).to.deep.include({ Bucket: "kept-bodies", Key: largePayloadKey("ppod-5") });
    const sha256 = createHash("sha256").update(input).digest("hex");
    expect(JSON.parse(endpoint.executions()[0]?.input ?? "")).to.deep.equal({
      [LARGE_PAYLOAD_KEY]: {
        bucket: "kept-bodies",
        key: largePayloadKey("ppod-5"),
        size: Buffer.byteLength(input),
        sha256,
      },
    });
  });

  it("sends nothing when the body cannot be stored: a throttled bucket is transient, a refusal permanent", async () => {
    const put = sinon.stub(S3Client.prototype, "send");
    put.rejects(Object.assign(new Error("Access Denied"), { name: "AccessDenied", $fault: "client" }));
    const dispatcher = new TargetDispatcher(silentLogger, systemClock, { largePayloadBucket: "kept-bodies" });
    const refused = await dispatcher.start(request(STATE_MACHINES.PPOD, "ppod-6", tooLarge()));
    expect(refused).to.deep.include({ status: "failed", transient: false });
    expect(refused.status === "failed" && refused.error).to.match(/^PutObject failed: AccessDenied/);
    put.rejects(
      Object.assign(new Error("slow down"), { name: "SlowDown", $retryable: { throttling: true } }),
    );
    expect(await dispatcher.start(request(STATE_MACHINES.PPOD, "ppod-7", tooLarge()))).to.deep.include({
      status: "failed",
      transient: true,
    });
    expect(endpoint.executions()).to.deep.equal([]);
  });
});
