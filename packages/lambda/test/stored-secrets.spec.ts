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
const UNAUTHORIZED = "Unable to validate signature. Has the webhook challenge secret changed?";
const UNAVAILABLE = "The webhook secret could not be read; the event was not processed and may be retried.";
const { ALMA_CHALLENGE_SECRET: _unset, ...NO_SECRET } = VALID_ENV;
/** A job id of its own for every webhook (a counter: fifty made in one millisecond never share one). */
let jobs = 0;
const pod = () =>
  jobEndPayload({
    job_instance: {
      name: JOBS.PPOD,
      id: String(6_100_000 + ++jobs),
      counter: [counter("label.new.records", 2)],
    },
  });

describe("stored webhook secrets (Secrets Manager, SSM), through Powertools and the real SDK to the local endpoint", function () {
  this.timeout(60_000);
  let endpoint: LocalStepFunctions;
  let stop: () => Promise<void>;
  let clock: sinon.SinonFakeTimers | undefined;

  // The SDK clients load on the first read, inside the read's budget: on a busy machine their first load alone
  // can outlast it (a 503 the test did not ask for). Loaded here, the budget times only the read.
  before(async () => {
    await Promise.all([import("@aws-sdk/client-ssm"), import("@aws-sdk/client-secrets-manager")]);
  });
  beforeEach(
    async () => ({ endpoint, stop } = await localStepFunctions({ [ARN]: FIRST, [PARAMETER]: FIRST })),
  );
  afterEach(async () => {
    clock?.restore();
    clock = undefined;
    await stop();
  });

  const reads = (operation: string) => endpoint.requests().filter((r) => r.operation === operation);
  /** The handler with a clock the test moves: the 5-second rule is about the clock, not the wall. */
  function handlerAt(env: Record<string, string>) {
    const start = 1_000_000;
    let now = start;
    const built = handlerWithFakes({ env: { ...NO_SECRET, ...env } });
    built.container.register(TOKENS.Clock, { useValue: { now: () => now } });
    return { ...built, advance: (ms: number) => (now += ms), at: (ms: number) => (now = start + ms) };
  }
  const statuses = async (answers: Promise<{ statusCode: number }>[]) =>
    (await Promise.all(answers)).map((answer) => answer.statusCode);

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

  it("takes a secret changed at t=5 s: webhooks signed with it at t=10, 30 and 50 s are answered 200, not 401", async () => {
    const { handler, at } = handlerAt({ ALMA_CHALLENGE_SECRET_ARN: ARN });
    at(0);
    expect((await handler(signedPost(pod(), FIRST))).statusCode).to.equal(200);
    at(5_000);
    endpoint.setSecret(ARN, ROTATED);
    const answers: number[] = [];
    for (const seconds of [10, 30, 50]) {
      at(seconds * 1000);
      answers.push((await handler(signedPost(pod(), ROTATED))).statusCode);
    }
    expect(answers).to.deep.equal([200, 200, 200]);
    // Read at the cold start, and once more at t=10 s after the first mismatch.
    expect(reads("GetSecretValue")).to.have.length(2);
    // The old secret, no longer stored: read again (t=50 s is 40 s after the last read), still none: 401.
    expect((await handler(signedPost(pod(), FIRST))).statusCode).to.equal(401);
    expect(reads("GetSecretValue")).to.have.length(3);
  });

  it("answers 503, not 401, to a mismatch inside the 5 s after a read, and 401 at once to unsigned webhooks", async () => {
    const { handler, advance } = handlerAt({ ALMA_CHALLENGE_SECRET_ARN: ARN });
    expect((await handler(signedPost(pod(), FIRST))).statusCode).to.equal(200);
    endpoint.setSecret(ARN, ROTATED);
    advance(4_999);
    const early = await handler(signedPost(pod(), ROTATED));
    expect([early.statusCode, early.body]).to.deep.equal([503, UNAVAILABLE]);
    expect(reads("GetSecretValue")).to.have.length(1);
    advance(1);
    expect((await handler(signedPost(pod(), ROTATED))).statusCode).to.equal(200);
    expect(reads("GetSecretValue")).to.have.length(2);
    // Unsigned webhooks, however many, read nothing.
    for (let i = 0; i < 5; i += 1) {
      const unsigned = signedPost(pod(), ROTATED, { headers: { "X-Exl-Signature": i % 2 ? "" : " " } });
      const answer = await handler(unsigned);
      expect([answer.statusCode, answer.body]).to.deep.equal([401, UNAUTHORIZED]);
    }
    expect(reads("GetSecretValue")).to.have.length(2);
  });

  it("shares one read among 50 concurrent webhooks that match none of the kept secrets", async () => {
    const { handler, advance } = handlerAt({ ALMA_CHALLENGE_SECRET_ARN: ARN });
    expect((await handler(signedPost(pod(), FIRST))).statusCode).to.equal(200);
    endpoint.setSecret(ARN, ROTATED);
    advance(10_000);
    const rotated = await statuses(Array.from({ length: 50 }, () => handler(signedPost(pod(), ROTATED))));
    expect(rotated).to.deep.equal(Array.from({ length: 50 }, () => 200));
    expect(reads("GetSecretValue")).to.have.length(2);
    expect(endpoint.executions()).to.have.length(51);
    advance(10_000);
    const forged = await statuses(Array.from({ length: 50 }, () => handler(signedPost(pod(), "forged"))));
    expect(forged).to.deep.equal(Array.from({ length: 50 }, () => 401));
    expect(reads("GetSecretValue")).to.have.length(3);
  });

  it("warns about previous secrets that cannot be read, and the current secret still works", async () => {
    const { handler, logger } = handlerAt({
      ALMA_CHALLENGE_SECRET_ARN: ARN,
      ALMA_PREVIOUS_CHALLENGE_SECRETS_ARN: PREVIOUS_ARN,
    });
    expect((await handler(signedPost(pod(), FIRST))).statusCode).to.equal(200);
    const warnings = logger.lines.filter((line) => line.level === "warn");
    expect(warnings.map((line) => [line.message, line.fields.secret])).to.deep.equal([
      [
        "The previous webhook secrets could not be read or used: the current one is still accepted",
        `secrets-manager ${PREVIOUS_ARN}`,
      ],
    ]);
  });

  it("in Lambda, refuses a stored development secret (503, an error naming it) and warns once about a short one", async () => {
    endpoint.setSecret(ARN, "itsasecret");
    const inLambda = { AWS_LAMBDA_FUNCTION_NAME: "alma-webhook-lambdas-dev", ALMA_CHALLENGE_SECRET_ARN: ARN };
    const { handler, logger, advance } = handlerAt(inLambda);
    expect((await handler(signedPost(pod(), "itsasecret"))).statusCode).to.equal(503);
    const errors = logger.lines.filter((line) => line.level === "error");
    expect(errors).to.have.length(1);
    expect(String(errors[0]?.fields.error)).to.contain("holds the published development secret 'itsasecret'");
    // Fixed in the store: taken 5 s after the refused read, without a restart.
    endpoint.setSecret(ARN, FIRST);
    advance(5_000);
    expect((await handler(signedPost(pod(), FIRST))).statusCode).to.equal(200);

    endpoint.setSecret(PARAMETER, "short-secret");
    const short = handlerAt({
      ...inLambda,
      ALMA_CHALLENGE_SECRET_ARN: "",
      ALMA_CHALLENGE_SECRET_PARAMETER: PARAMETER,
    });
    expect((await short.handler(signedPost(pod(), "short-secret"))).statusCode).to.equal(200);
    short.advance(5_000);
    expect((await short.handler(signedPost(pod(), "forged"))).statusCode).to.equal(401);
    expect(short.logger.lines.filter((line) => line.message.includes("shorter than 16"))).to.have.length(1);
    // Outside Lambda the local set-up's secret is used as stored.
    endpoint.setSecret(ARN, "itsasecret");
    expect(
      (await handlerAt({ ALMA_CHALLENGE_SECRET_ARN: ARN }).handler(signedPost(pod(), "itsasecret")))
        .statusCode,
    ).to.equal(200);
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
    advance(5_000);
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

  it("waits for a store that answers in 1.5 s: the webhook is delivered, not answered 503", async () => {
    endpoint.injectFault({ kind: "delay", delayMs: 1_500, operation: "GetSecretValue", times: 1 });
    const { handler } = handlerAt({ ALMA_CHALLENGE_SECRET_ARN: ARN });
    const started = Date.now();
    expect((await handler(signedPost(pod(), FIRST))).statusCode).to.equal(200);
    expect(Date.now() - started).to.be.lessThan(3_900);
    expect(endpoint.executions()).to.have.length(1);
  });

  it("trims the surrounding whitespace of a stored value (a file's newline) with a warning that names no value", async () => {
    endpoint.setSecret(ARN, `  ${ROTATED}\n`);
    endpoint.setSecret(PREVIOUS_ARN, `${FIRST}\r\n`);
    const { handler, logger } = handlerAt({
      ALMA_CHALLENGE_SECRET_ARN: ARN,
      ALMA_PREVIOUS_CHALLENGE_SECRETS_ARN: PREVIOUS_ARN,
    });
    expect((await handler(signedPost(pod(), ROTATED))).statusCode).to.equal(200);
    expect((await handler(signedPost(pod(), FIRST))).statusCode).to.equal(200);
    const warnings = logger.lines.filter((line) => line.message.includes("surrounding whitespace"));
    expect(warnings.map((line) => line.level)).to.deep.equal(["warn", "warn"]);
    const logged = JSON.stringify(logger.lines);
    expect(logged).not.to.include(ROTATED);
    expect(logged).not.to.include(FIRST);
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
