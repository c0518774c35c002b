import { expect } from "chai";
import sinon from "sinon";
import { handleLambdaEvent } from "../src/adapters/lambda.js";
import {
  createWebhookRouter,
  InvalidRouterOptionsError,
  type Logger,
  NoSecretError,
  type SecretSource,
} from "../src/index.js";
import {
  challengeEvent,
  counter,
  httpEvent,
  jobEndPayload,
  RecordingDispatcher,
  signedPost,
} from "../src/testing/index.js";
import { activeSample, POD_JOB } from "./fixtures/plugins.js";

const OLD = "the-secret-before-rotation";
const NEW = "the-secret-after-rotation";
const UNAUTHORIZED = "Unable to validate signature. Has the webhook challenge secret changed?";
const UNAVAILABLE = "The webhook secret could not be read; the event was not processed and may be retried.";
const pod = jobEndPayload({ job_instance: { name: POD_JOB, counter: [counter("label.new.records", 1)] } });

function routerWith(source: SecretSource, extra: { reportError?: sinon.SinonSpy; logger?: Logger } = {}) {
  const dispatcher = new RecordingDispatcher();
  const router = createWebhookRouter({
    secrets: source,
    workspace: "dev",
    plugins: [activeSample],
    dispatcher,
    ...extra,
  });
  return { router, dispatcher };
}

describe("a SecretSource as the router's secrets", () => {
  it("verifies with what current() gives, asking it for every signed request but not for a challenge", async () => {
    const current = sinon.stub().resolves([OLD]);
    const { router, dispatcher } = routerWith({ current });
    expect((await handleLambdaEvent(router, challengeEvent("c"))).body).to.equal("c");
    expect(current.callCount).to.equal(0);
    expect((await handleLambdaEvent(router, signedPost(pod, OLD))).statusCode).to.equal(200);
    expect((await handleLambdaEvent(router, signedPost(pod, NEW))).statusCode).to.equal(401);
    expect(current.callCount).to.equal(2);
    expect(dispatcher.requests).to.have.length(1);
  });

  it("takes a rotated secret from refresh() after a mismatch; 401 when the fresh secrets match none, 503 when refresh gives nothing", async () => {
    let stored = OLD;
    const refresh = sinon.spy(async () => [stored]);
    const source: SecretSource = { current: () => [OLD], refresh };
    const { router } = routerWith(source);
    stored = NEW;
    expect((await handleLambdaEvent(router, signedPost(pod, NEW))).statusCode).to.equal(200);
    expect(refresh.callCount).to.equal(1);
    expect((await handleLambdaEvent(router, signedPost(pod, OLD))).statusCode).to.equal(200);
    expect(refresh.callCount).to.equal(1); // a match needs no refresh

    // The store was read after the mismatch and does not hold that secret.
    expect((await handleLambdaEvent(router, signedPost(pod, "a-secret-never-stored"))).statusCode).to.equal(
      401,
    );
    expect(refresh.callCount).to.equal(2);

    // The source will not read again yet: the store may hold the secret, so Alma is asked to retry.
    const reportError = sinon.spy();
    const { router: limited } = routerWith(
      { current: () => [OLD], refresh: async () => undefined },
      { reportError },
    );
    const answer = await handleLambdaEvent(limited, signedPost(pod, NEW));
    expect([answer.statusCode, answer.body]).to.deep.equal([503, UNAVAILABLE]);
    expect(reportError.firstCall.args[0]).to.be.instanceOf(NoSecretError);
  });

  it("answers 401 at once to a request without a signature, or with an empty one, asking the source nothing", async () => {
    const current = sinon.stub().resolves([OLD]);
    const refresh = sinon.stub().resolves([OLD]);
    const { router } = routerWith({ current, refresh });
    const body = JSON.stringify(pod);
    const unsigned = httpEvent("function-url", {
      method: "POST",
      body,
      headers: { "Content-Type": "application/json" },
    });
    const empty = signedPost(pod, OLD, { headers: { "X-Exl-Signature": "" } });
    const blank = signedPost(pod, OLD, { headers: { "X-Exl-Signature": "   " }, front: "api-gateway-v1" });
    for (const event of [unsigned, empty, blank]) {
      const answer = await handleLambdaEvent(router, event);
      expect([answer.statusCode, answer.body]).to.deep.equal([401, UNAUTHORIZED]);
    }
    expect(current.callCount).to.equal(0);
    expect(refresh.callCount).to.equal(0);
  });

  it("answers 503 (never 401) when the source fails or is empty, reporting it and logging one error", async () => {
    const reportError = sinon.spy();
    const errors: unknown[] = [];
    const logger: Logger = {
      debug() {},
      info() {},
      warn() {},
      error: (_message, fields) => errors.push(fields),
    };
    const failing = routerWith(
      { current: () => Promise.reject(new Error("AccessDenied")) },
      { reportError, logger },
    );
    const answer = await handleLambdaEvent(failing.router, signedPost(pod, OLD));
    expect(answer.statusCode).to.equal(503);
    expect(answer.body).to.equal(UNAVAILABLE);
    expect(reportError.callCount).to.equal(1);
    expect(String(reportError.firstCall.args[0])).to.contain("AccessDenied");
    expect(errors).to.have.length(1);
    expect(errors[0]).to.deep.include({ outcome: "secret-unavailable", statusCode: 503 });
    expect(failing.dispatcher.requests).to.have.length(0);

    const empty = routerWith({ current: () => [""] }, { reportError });
    expect((await handleLambdaEvent(empty.router, signedPost(pod, OLD))).statusCode).to.equal(503);
    expect(reportError.secondCall.args[0]).to.be.instanceOf(NoSecretError);

    const refreshFails = routerWith({
      current: () => [OLD],
      refresh: () => Promise.reject(new Error("timeout")),
    });
    expect((await handleLambdaEvent(refreshFails.router, signedPost(pod, NEW))).statusCode).to.equal(503);
  });

  it("is refused at creation when it is neither a list nor a source", () => {
    expect(() =>
      createWebhookRouter({
        secrets: {} as SecretSource,
        workspace: "dev",
        plugins: [],
        dispatcher: new RecordingDispatcher(),
      }),
    ).to.throw(InvalidRouterOptionsError);
  });
});
