import { jobEndPayload, RecordingDispatcher, signedPost } from "@alma-webhooks/core/testing";
import type { FaultKind, LocalStepFunctions } from "@alma-webhooks/local-aws/endpoint";
import { expect } from "chai";
import { TOKENS } from "../../src/tokens.js";
import { MISCONFIGURED } from "../../src/webhook-handler.js";
import { JOBS, localStepFunctions, SECRET } from "../support/environment.js";
import { handlerWithFakes } from "../support/handler.js";

/** Alma gives up after 5 s; every answer must leave well before. */
const ANSWER_BUDGET_MS = 4_500;
const POD = "Webhook POST request received and validated, PPOD pipeline initiated.";

const freshHandler = (env?: Record<string, string | undefined>) => handlerWithFakes(env ? { env } : {});

const delivery = () => signedPost(jobEndPayload({ job_instance: { name: JOBS.PPOD } }), SECRET);

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await work();
  return { result, ms: performance.now() - started };
}

describe("dispatch faults (local Step Functions endpoint with fault injection)", function () {
  this.timeout(60_000);
  let endpoint: LocalStepFunctions;
  let stop: () => Promise<void>;
  let worst = 0;

  beforeEach(async () => ({ endpoint, stop } = await localStepFunctions()));
  afterEach(() => stop());
  after(() => console.log(`      worst answer time under a dispatch fault: ${worst.toFixed(0)} ms`));

  const kinds: { kind: FaultKind; label: string; delayMs?: number }[] = [
    { kind: "throttle", label: "throttling" },
    { kind: "server-error", label: "5xx answers" },
    { kind: "reset", label: "connection resets" },
    { kind: "delay", label: "an endpoint slower than the budget", delayMs: 4_000 },
  ];

  for (const { kind, label, delayMs } of kinds) {
    it(`answers 503 within ${ANSWER_BUDGET_MS} ms under ${label}, and Alma's retry starts exactly one execution`, async () => {
      const { handler } = freshHandler();
      endpoint.injectFault({ kind, times: Number.POSITIVE_INFINITY, ...(delayMs ? { delayMs } : {}) });
      const { result, ms } = await timed(() => handler(delivery()));
      worst = Math.max(worst, ms);
      expect(result.statusCode).to.equal(503);
      expect(ms).to.be.below(ANSWER_BUDGET_MS);
      const attempts = endpoint.requests().filter((request) => request.operation === "StartExecution").length;
      expect(attempts, "bounded retries").to.be.within(1, 3);
      endpoint.clearFaults();
      // Requests the slow endpoint is still holding land now; whatever they did, the retry must not add one.
      if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs + 200));
      const retry = await handler(delivery());
      expect(retry.body).to.equal(POD);
      expect(endpoint.executions()).to.have.length(1);
    });
  }

  it("starts exactly one execution for a storm of 50 concurrent deliveries, and answers each 200", async () => {
    const { handler } = freshHandler();
    const { result: responses, ms } = await timed(() =>
      Promise.all(Array.from({ length: 50 }, () => handler(delivery()))),
    );
    expect(new Set(responses.map((response) => `${response.statusCode} ${response.body}`))).to.deep.equal(
      new Set([`200 ${POD}`]),
    );
    expect(endpoint.executions()).to.have.length(1);
    expect(ms).to.be.below(ANSWER_BUDGET_MS);
  });

  it("starts exactly one execution for a storm that meets throttling", async () => {
    const { handler } = freshHandler();
    endpoint.injectFault({ kind: "throttle", times: 10 });
    const responses = await Promise.all(Array.from({ length: 50 }, () => handler(delivery())));
    for (const response of responses) expect([200, 503]).to.include(response.statusCode);
    const retries = await Promise.all(
      responses.filter((response) => response.statusCode === 503).map(() => handler(delivery())),
    );
    for (const response of retries) expect(response.statusCode).to.equal(200);
    expect(endpoint.executions()).to.have.length(1);
  });
});

describe("configuration faults", () => {
  it("answers 500 with a generic body, names each problem once per cold start, and starts nothing", async () => {
    const dispatcher = new RecordingDispatcher();
    const { handler, logger, container } = freshHandler({
      WORKSPACE: "dev",
      PPOD_STATE_MACHINE_ARN: "arn:nope",
    });
    container.register(TOKENS.Dispatcher, { useValue: dispatcher });
    for (let i = 0; i < 3; i += 1) expect(await handler(delivery())).to.deep.equal(MISCONFIGURED);
    expect(dispatcher.requests).to.deep.equal([]);
    const errors = logger.lines.filter((line) => line.level === "error");
    expect(errors).to.have.length(1);
    expect(errors[0]?.fields.problems).to.deep.equal([
      "Required env variable ALMA_CHALLENGE_SECRET is not set",
    ]);
    expect(MISCONFIGURED.body).not.to.match(/ALMA_CHALLENGE_SECRET|WORKSPACE/);
  });
});
