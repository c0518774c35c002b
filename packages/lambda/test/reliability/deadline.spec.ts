import { jobEndPayload, signedPost } from "@alma-webhooks/core/testing";
import { expect } from "chai";
import { JOBS, localStepFunctions, VALID_ENV } from "../support/environment.js";
import { handlerWithFakes } from "../support/handler.js";

const SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:alma-webhook-AbCdEf";
const STORED = "a-stored-webhook-secret-of-some-length";
/** The function's timeout (infra WEBHOOK_TIMEOUT): an answer later than this is never sent. */
const FUNCTION_TIMEOUT_MS = 4_000;

describe("one deadline per webhook, shared by the secret read and the dispatch", function () {
  this.timeout(30_000);

  it("answers 503 inside the function timeout under a slow store and a hung Step Functions", async () => {
    const { endpoint, stop } = await localStepFunctions({ [SECRET_ARN]: STORED });
    try {
      const { ALMA_CHALLENGE_SECRET: _secret, ...env } = VALID_ENV;
      const { handler } = handlerWithFakes({ env: { ...env, ALMA_CHALLENGE_SECRET_ARN: SECRET_ARN } });
      endpoint.injectFault({ kind: "delay", delayMs: 1_100, times: 1, operation: "GetSecretValue" });
      endpoint.injectFault({
        kind: "delay",
        delayMs: 10_000,
        times: Number.POSITIVE_INFINITY,
        operation: "StartExecution",
      });
      const started = Date.now();
      const response = await handler(
        signedPost(jobEndPayload({ job_instance: { name: JOBS.PPOD } }), STORED),
      );
      const ms = Date.now() - started;
      console.log(
        `      worst case (store 1.1 s slow, Step Functions hung): ${response.statusCode} after ${ms} ms`,
      );
      expect(response.statusCode).to.equal(503);
      expect(ms).to.be.below(FUNCTION_TIMEOUT_MS - 300);
    } finally {
      await stop();
    }
  });
});
