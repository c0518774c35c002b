import { almaEventPayload, challengeEvent, signedPost } from "@alma-webhooks/core/testing";
import { expect } from "chai";

const ENV = {
  WORKSPACE: "dev",
  ALMA_CHALLENGE_SECRET: "handler-test-secret",
  LOAN_NOTICE_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/123456789012/loan-notices.fifo",
};

describe("src/handler.ts", () => {
  const saved = { ...process.env };
  let handler: typeof import("../src/handler.js");

  // The handler reads the environment once, at import (the cold start).
  before(async () => {
    Object.assign(process.env, ENV);
    handler = await import("../src/handler.js");
  });
  after(() => {
    for (const key of Object.keys(ENV)) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });

  it("answers Alma's challenge", async () => {
    const response = await handler.handler(challengeEvent("ping-123"));
    expect([response.statusCode, response.body]).to.deep.equal([200, "ping-123"]);
  });

  it("queues a notice for a signed LOAN webhook", async () => {
    const response = await handler.handler(signedPost(almaEventPayload("LOAN"), ENV.ALMA_CHALLENGE_SECRET));
    expect(response.body).to.equal(
      "Webhook POST request received and validated, LOAN_NOTICES pipeline initiated.",
    );
    expect(handler.queue.messages.map(({ id }) => id)).to.deep.equal([
      "loan-notice-20241106T150000-Vt8leuCxhdNkPxVGKzYzq6",
    ]);
  });
});
