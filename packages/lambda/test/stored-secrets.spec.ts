import { counter, jobEndPayload, signedPost } from "@alma-webhooks/core/testing";
import type { LocalStepFunctions } from "@alma-webhooks/local-aws/endpoint";
import { expect } from "chai";
import sinon from "sinon";
import { TOKENS } from "../src/tokens.js";
import { JOBS, localStepFunctions, VALID_ENV } from "./support/environment.js";
import { handlerWithFakes } from "./support/handler.js";

const ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:alma-webhook-AbCdEf";
const PARAMETER = "/alma/webhook-secret";
const PREVIOUS_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:alma-webhook-previous-XyZ";
const FIRST = "the-first-secret-from-the-store";
const ROTATED = "the-rotated-secret-from-the-store";
const UNAVAILABLE = "The webhook secret could not be read; the event was not processed and may be retried.";
const { ALMA_CHALLENGE_SECRET: _unset, ...NO_SECRET } = VALID_ENV;
const pod = () =>
  jobEndPayload({
    job_instance: {
      name: JOBS.PPOD,
      id: String(Date.now() + Math.random()),
      counter: [counter("label.new.records", 2)],
    },
  });

describe("stored webhook secrets (Secrets Manager, SSM), through Powertools and the real SDK to the local endpoint", function () {
  this.timeout(60_000);
  let endpoint: LocalStepFunctions;
  let stop: () => Promise<void>;
  let clock: sinon.SinonFakeTimers | undefined;

  beforeEach(
    async () => ({ endpoint, stop } = await localStepFunctions({ [ARN]: FIRST, [PARAMETER]: FIRST })),
  );
  afterEach(async () => {
    clock?.restore();
    clock = undefined;
    await stop();
  });

  const reads = (operation: string) => endpoint.requests().filter((r) => r.operation === operation);
  /** The handler with a clock the test moves: the one-minute rule is about the clock, not the wall. */
  function handlerAt(env: Record<string, string>) {
    let now = 1_000_000;
    const built = handlerWithFakes({ env: { ...NO_SECRET, ...env } });
    built.container.register(TOKENS.Clock, { useValue: { now: () => now } });
    return { ...built, advance: (ms: number) => (now += ms) };
  }

  it("answers a signed webhook with the secret from GetSecretValue, read once and kept", async () => {
    const { handler } = handlerAt({ ALMA_CHALLENGE_SECRET_ARN: ARN });
    expect((await handler(signedPost(pod(), FIRST))).body).to.match(/PPOD pipeline initiated\.$/);
    expect((await handler(signedPost(pod(), FIRST))).statusCode).to.equal(200);
    expect(reads("GetSecretValue").map((r) => r.body)).to.deep.equal([{ SecretId: ARN }]);
    expect(endpoint.executions()).to.have.length(2);
  });

  it("reads an SSM SecureString with decryption, and previous secrets from their own secret", async () => {
    endpoint.setSecret(PREVIOUS_ARN, "older-one,older-two");
    const { handler } = handlerAt({
      ALMA_CHALLENGE_SECRET_PARAMETER: PARAMETER,
      ALMA_PREVIOUS_CHALLENGE_SECRETS_ARN: PREVIOUS_ARN,
    });
    expect((await handler(signedPost(pod(), "older-two"))).statusCode).to.equal(200);
    expect((await handler(signedPost(pod(), FIRST))).statusCode).to.equal(200);
    expect(reads("GetParameter").map((r) => r.body)).to.deep.equal([
      { Name: PARAMETER, WithDecryption: true },
    ]);
    expect(reads("GetSecretValue")).to.have.length(1);
  });

  it("reads the secret under ALMA_CHALLENGE_SECRET_JSON_FIELD of a JSON secret, and answers 503 for one without it", async () => {
    endpoint.setSecret(ARN, JSON.stringify({ alma: FIRST, other: "x" }));
    const { handler } = handlerAt({
      ALMA_CHALLENGE_SECRET_ARN: ARN,
      ALMA_CHALLENGE_SECRET_JSON_FIELD: "alma",
    });
    expect((await handler(signedPost(pod(), FIRST))).statusCode).to.equal(200);
    endpoint.setSecret(PARAMETER, "not json");
    const { handler: plain } = handlerAt({
      ALMA_CHALLENGE_SECRET_PARAMETER: PARAMETER,
      ALMA_CHALLENGE_SECRET_JSON_FIELD: "alma",
    });
    expect((await plain(signedPost(pod(), FIRST))).statusCode).to.equal(503);
  });

  it("takes a rotated secret without a restart, reading again at most once a minute after a mismatch", async () => {
    const { handler, advance } = handlerAt({ ALMA_CHALLENGE_SECRET_ARN: ARN });
    expect((await handler(signedPost(pod(), FIRST))).statusCode).to.equal(200);
    endpoint.setSecret(ARN, ROTATED);
    // Within the minute of the first read: no read, the old secret answers.
    expect((await handler(signedPost(pod(), ROTATED))).statusCode).to.equal(401);
    expect(reads("GetSecretValue")).to.have.length(1);
    advance(60_000);
    expect((await handler(signedPost(pod(), ROTATED))).statusCode).to.equal(200);
    expect(reads("GetSecretValue")).to.have.length(2);
    // A flood of unsigned requests does not become a flood of reads.
    for (let i = 0; i < 5; i += 1)
      expect((await handler(signedPost(pod(), "forged"))).statusCode).to.equal(401);
    expect(reads("GetSecretValue")).to.have.length(2);
  });

  it("answers 503 (never 401), logs one error and reports it when the secret cannot be read; reads again later", async () => {
    endpoint.injectFault({ kind: "server-error", operation: "GetSecretValue", times: 2 });
    const { handler, logger, advance, container } = handlerAt({ ALMA_CHALLENGE_SECRET_ARN: ARN });
    const report = sinon.spy(async () => {});
    container.register(TOKENS.ErrorReporter, { useValue: { enabled: true, report } });
    const started = Date.now();
    const answer = await handler(signedPost(pod(), FIRST));
    expect(Date.now() - started).to.be.lessThan(4_500);
    expect([answer.statusCode, answer.body]).to.deep.equal([503, UNAVAILABLE]);
    expect(logger.lines.filter((line) => line.level === "error")).to.have.length(1);
    expect(report.callCount).to.equal(1);
    expect(endpoint.executions()).to.deep.equal([]);
    advance(5_000);
    expect((await handler(signedPost(pod(), FIRST))).statusCode).to.equal(200);
  });

  it("keeps the secrets that work when a read after a mismatch fails", async () => {
    const { handler, advance } = handlerAt({ ALMA_CHALLENGE_SECRET_ARN: ARN });
    expect((await handler(signedPost(pod(), FIRST))).statusCode).to.equal(200);
    advance(60_000);
    endpoint.injectFault({ kind: "server-error", operation: "GetSecretValue", times: 2 });
    expect((await handler(signedPost(pod(), "forged"))).statusCode).to.equal(503);
    expect((await handler(signedPost(pod(), FIRST))).statusCode).to.equal(200);
    expect(reads("GetSecretValue")).to.have.length(3);
  });

  it("gives up on a store that does not answer inside the read budget: 503 well inside Alma's 5 s", async () => {
    endpoint.injectFault({ kind: "delay", delayMs: 10_000, operation: "GetParameter", times: 3 });
    const { handler } = handlerAt({ ALMA_CHALLENGE_SECRET_PARAMETER: PARAMETER });
    const started = Date.now();
    expect((await handler(signedPost(pod(), FIRST))).statusCode).to.equal(503);
    expect(Date.now() - started).to.be.lessThan(2_500);
  });

  it("answers 503 for a secret that does not exist, and the challenge needs no secret at all", async () => {
    const { handler } = handlerAt({ ALMA_CHALLENGE_SECRET_ARN: `${ARN}-missing` });
    expect((await handler(signedPost(pod(), FIRST))).statusCode).to.equal(503);
    const challenge = await handler({
      version: "2.0",
      requestContext: { http: { method: "GET" } },
      queryStringParameters: { challenge: "no-secret-needed" },
    });
    expect(challenge.body).to.equal("no-secret-needed");
  });
});
