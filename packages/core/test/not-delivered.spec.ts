// Issue 31, item 1: every webhook that may be Alma's and is not delivered is an ERROR decision line with
// its id and reason, and one report; deliberate non-actions stay INFO.
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { handleLambdaEvent } from "../src/adapters/lambda.js";
import { createNodeMiddleware } from "../src/adapters/node.js";
import {
  createWebhookRouter,
  type Decision,
  type DispatchResult,
  type ExecutionDispatcher,
  type Logger,
  notDeliveredReason,
  WebhookNotDeliveredError,
} from "../src/index.js";
import { counter, jobEndPayload, RecordingDispatcher, signedPost } from "../src/testing/index.js";
import { activeSample, POD_JOB, SECRET } from "./fixtures/plugins.js";

type Line = { level: keyof Logger; message: string; fields: Record<string, unknown> };

function harness(answer?: DispatchResult) {
  const lines: Line[] = [];
  const at =
    (level: keyof Logger) =>
    (message: string, ...fields: Record<string, unknown>[]) =>
      lines.push({ level, message, fields: Object.assign({}, ...fields) });
  const logger: Logger = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
  const reports: { error: unknown; context: Record<string, unknown> }[] = [];
  const decisions: Decision[] = [];
  const recording = new RecordingDispatcher();
  const dispatcher: ExecutionDispatcher = answer === undefined ? recording : { start: async () => answer };
  const router = createWebhookRouter({
    secrets: [SECRET],
    workspace: "dev",
    plugins: [activeSample],
    dispatcher,
    logger,
    reportError: (error, context) => reports.push({ error, context: { ...context } }),
    onDecision: (decision) => decisions.push(decision),
  });
  const decisionLine = () => lines.find((line) => line.message.startsWith("webhook decision"));
  return { router, lines, reports, decisions, decisionLine, recording };
}

const pod = (job: Record<string, unknown> = {}) =>
  jobEndPayload({ job_instance: { name: POD_JOB, ...job } as never });
const IDENTITY = "20241106T144310-6219373120004761";

describe("not delivered: loud (issue 31)", () => {
  it("a signed 400 after the signature (a counter reading '1,234') is an ERROR line with its id and reason, reported once", async () => {
    const { router, reports, decisions, decisionLine } = harness();
    const body = pod({ counter: [counter("label.new.records", "1,234")] });
    const response = await handleLambdaEvent(router, signedPost(body, SECRET));
    expect(response.statusCode).to.equal(400);
    expect(decisionLine()?.level).to.equal("error");
    expect(decisionLine()?.fields).to.deep.include({
      notDelivered: "invalid-body",
      identity: IDENTITY,
      verified: true,
    });
    expect(decisions[0]?.notDelivered).to.equal("invalid-body");
    expect(reports).to.have.length(1);
    expect(reports[0]?.error).to.be.instanceOf(WebhookNotDeliveredError);
    expect(String((reports[0]?.error as Error | undefined)?.message))
      .to.contain(IDENTITY)
      .and.contain("invalid-body");
  });

  it("a signed body that is not JSON gets the id of its bytes", async () => {
    const { router, decisionLine, reports } = harness();
    expect((await handleLambdaEvent(router, signedPost("{not json", SECRET))).statusCode).to.equal(400);
    expect(decisionLine()?.level).to.equal("error");
    expect(decisionLine()?.fields.identity).to.match(/^body-[0-9A-Za-z_-]{22}$/);
    expect(reports).to.have.length(1);
  });

  it("a target that refuses the size (413), a permanent and a transient failure, and the deadline each have their reason", async () => {
    const cases: [DispatchResult, number, string, number][] = [
      [{ status: "too-large", size: 300_000, limit: 262_144, error: "MessageTooLong" }, 413, "too-large", 1],
      [{ status: "failed", transient: false, error: "AccessDeniedException: no" }, 500, "dispatch-failed", 1],
      [
        { status: "failed", transient: true, error: "ThrottlingException: slow down" },
        503,
        "dispatch-failed",
        1,
      ],
      [
        {
          status: "failed",
          transient: true,
          error: "DispatchTimeoutError: StartExecution: no answer within 2500 ms",
        },
        503,
        "deadline",
        1,
      ],
    ];
    for (const [result, status, reason, count] of cases) {
      const { router, decisionLine, reports } = harness(result);
      expect((await handleLambdaEvent(router, signedPost(pod(), SECRET))).statusCode).to.equal(status);
      expect(decisionLine()?.level, reason).to.equal("error");
      expect(decisionLine()?.fields).to.deep.include({ notDelivered: reason, identity: IDENTITY });
      expect(reports, reason).to.have.length(count);
    }
  });

  it("an adapter's 413 (a body over its limit, not checked) is an ERROR line with reason too-large and no hashing", async () => {
    const { router, decisionLine, reports } = harness();
    const response = await router.handleRequest({
      method: "POST",
      headers: { "x-exl-signature": "c2lnbmVk" },
      body: Buffer.alloc(10),
      bodyBytes: 2_000_000,
      bodyLimit: 1_048_576,
      front: "node",
    });
    expect(response.statusCode).to.equal(413);
    expect(decisionLine()?.level).to.equal("error");
    expect(decisionLine()?.fields).to.deep.include({ notDelivered: "too-large" });
    expect(decisionLine()?.fields).not.to.have.property("identity");
    expect(decisionLine()?.fields).not.to.have.property("verified");
    expect(reports).to.have.length(1);
  });

  it("the node adapter's 413 is logged through the router's logger at ERROR, reason too-large", async () => {
    const { router, decisionLine, reports } = harness();
    const middleware = createNodeMiddleware(router);
    const server = createServer((req, res) => middleware(req, res));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    try {
      const { port } = server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/`, {
        method: "POST",
        headers: { "x-exl-signature": "c2lnbmVk", "content-type": "application/json" },
        body: Buffer.alloc(1024 * 1024 + 1, 0x20),
      });
      expect(response.status).to.equal(413);
      expect(decisionLine()?.level).to.equal("error");
      expect(decisionLine()?.fields).to.deep.include({ notDelivered: "too-large", front: "node" });
      expect(reports).to.have.length(1);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it("deliberate non-actions stay INFO, unreported: unclaimed, other environment, status filter, zero records, duplicate", async () => {
    const bodies = [
      jobEndPayload({ job_instance: { name: "Some other job to Dev1" } }),
      jobEndPayload({ job_instance: { name: "Publishing Platform Job PPOD EXPORT to Prod" } }),
      pod({ status: { value: "COMPLETED_FAILED" } }),
      pod({ counter: [counter("label.new.records", 0)] }),
    ];
    for (const body of bodies) {
      const { router, decisionLine, reports } = harness();
      const response = await handleLambdaEvent(router, signedPost(body, SECRET));
      expect(response.statusCode).to.equal(200);
      expect(decisionLine()?.level).to.equal("info");
      expect(decisionLine()?.fields).not.to.have.property("notDelivered");
      expect(reports).to.deep.equal([]);
    }
    const { router, decisionLine, reports } = harness({ status: "duplicate", executionArn: "arn" });
    expect((await handleLambdaEvent(router, signedPost(pod(), SECRET))).statusCode).to.equal(200);
    expect(decisionLine()?.level).to.equal("info");
    expect(reports).to.deep.equal([]);
  });

  it("classifies in one place: refused signatures, challenges and wrong methods are not 'not delivered'", () => {
    expect(notDeliveredReason({ kind: "unauthorized" })).to.equal(undefined);
    expect(notDeliveredReason({ kind: "method-not-allowed", method: "PUT" })).to.equal(undefined);
    expect(notDeliveredReason({ kind: "too-old", time: "x" })).to.equal(undefined);
    expect(notDeliveredReason({ kind: "body-already-read", cause: "x" })).to.equal("misconfigured");
    expect(
      notDeliveredReason({
        kind: "handled",
        results: [
          { plugin: "A", decision: "too-large", size: 2, limit: 1, error: "x" },
          { plugin: "B", decision: "misconfigured", error: "y" },
        ],
      }),
    ).to.equal("misconfigured");
  });
});
