import { expect } from "chai";
import { createLambdaHandler, handleLambdaEvent, lambdaOutcomeOf } from "../src/adapters/lambda.js";
import { createWebhookRouter, type DecisionRecord } from "../src/index.js";
import { challengeEvent, RecordingDispatcher, signedPost } from "../src/testing/index.js";

const SECRET = "lambda-adapter-secret";

describe("the Lambda adapter (@alma-webhooks/core/lambda) over the HTTP router", () => {
  const records: DecisionRecord[] = [];
  const router = createWebhookRouter({
    secrets: [SECRET],
    plugins: [],
    dispatcher: new RecordingDispatcher(),
    onDecision: (record) => records.push(record),
  });
  beforeEach(() => {
    records.length = 0;
  });

  it("answers through createLambdaHandler exactly as through handleLambdaEvent", async () => {
    const handler = createLambdaHandler(router);
    for (const event of [challengeEvent("abc"), signedPost({ action: "LOAN" }, SECRET), { not: "http" }]) {
      expect(await handler(event)).to.deep.equal(await handleLambdaEvent(router, event));
    }
  });

  it("answers an event that is no HTTP request as the router answers an UnreadableRequest: 400, not-http", async () => {
    const reason = "the event is not an HTTP event (no HTTP method found)";
    const byAdapter = await handleLambdaEvent(router, { Records: [] });
    const byRouter = await router.handleRequest({ unreadable: reason });
    expect(byAdapter).to.deep.equal(byRouter);
    expect(byAdapter.statusCode).to.equal(400);
    expect(records.map((record) => [record.outcome, record.reason])).to.deep.equal([
      ["not-http", reason],
      ["not-http", reason],
    ]);
    expect(await lambdaOutcomeOf(router, "a string")).to.deep.equal({
      kind: "not-http",
      reason: "the event is not an object",
    });
  });

  it("gives the router's outcome of a request without logging a decision", async () => {
    const outcome = await router.outcomeOf({
      method: "GET",
      headers: {},
      query: { challenge: "xyz" },
      body: "",
    });
    expect(outcome).to.deep.include({ kind: "challenge" });
    expect(await lambdaOutcomeOf(router, challengeEvent("xyz"))).to.deep.equal(outcome);
    expect(records).to.deep.equal([]);
  });
});
