import { silentLogger } from "@alma-webhooks/core";
import type { LocalStepFunctions } from "@alma-webhooks/local-aws/endpoint";
import { expect } from "chai";
import { settingsFromEnvironment } from "../src/aws-json-client.js";
import { DISPATCH_BUDGET, isTransient, systemClock } from "../src/index.js";
import { STEP_FUNCTIONS } from "../src/step-functions-calls.js";
import {
  createStepFunctionsClient,
  type StepFunctionsCalls,
  StepFunctionsDispatcher,
  stepFunctionsCalls,
} from "../src/step-functions-dispatcher.js";
import { STATE_MACHINES as ARNS, localEndpoint } from "./support/local-endpoint.js";

const logger = { ...silentLogger, addContext: () => {} };
const request = (name: string, input = '{"job_id":"1"}') => ({
  plugin: "BURSAR",
  target: ARNS.BURSAR,
  name,
  input,
});

// The same answers from either client: the SDK's, and the small JSON 1.0 client a cold start uses when the
// environment holds its settings (the local endpoint's: AWS_ENDPOINT_URL_SFN, a region, credentials).
const CLIENTS: [string, () => StepFunctionsCalls | ReturnType<typeof createStepFunctionsClient>][] = [
  ["the SDK's client", createStepFunctionsClient],
  ["the JSON 1.0 client", () => stepFunctionsCalls()],
];

for (const [clientName, makeClient] of CLIENTS)
  describe(`StepFunctionsDispatcher, through ${clientName}`, function () {
    this.timeout(15_000);
    let endpoint: LocalStepFunctions;
    let stop: () => Promise<void>;
    let dispatcher: StepFunctionsDispatcher;
    let client: ReturnType<(typeof CLIENTS)[number][1]>;

    beforeEach(async () => {
      ({ endpoint, stop } = await localEndpoint());
      client = makeClient();
      dispatcher = new StepFunctionsDispatcher(client, logger, systemClock);
    });

    afterEach(async () => {
      client.destroy?.();
      await stop();
    });

    it(`uses ${clientName}`, () => {
      // The SDK's client is an SFNClient; the calls stepFunctionsCalls() made are the JSON client's, since
      // the environment the local endpoint sets holds all its settings.
      expect("startExecution" in client).to.equal(clientName !== "the SDK's client");
      expect(settingsFromEnvironment(STEP_FUNCTIONS, process.env)).to.not.equal(undefined);
    });

    it("starts an execution through AWS_ENDPOINT_URL_SFN with the exact ARN, name and input", async () => {
      const result = await dispatcher.start(request("bursar-1"));
      expect(result).to.deep.equal({
        status: "started",
        deliveredTo: "arn:aws:states:us-east-1:123456789012:execution:bursar-test:bursar-1",
      });
      expect(endpoint.requests().map((r) => [r.operation, r.body])).to.have.deep.members([
        ["StartExecution", { stateMachineArn: ARNS.BURSAR, name: "bursar-1", input: '{"job_id":"1"}' }],
        // The one-off type check, beside StartExecution (the local endpoint does not know it: an INFO line).
        ["DescribeStateMachine", { stateMachineArn: ARNS.BURSAR }],
      ]);
    });

    it("reports ExecutionAlreadyExists with the same input (as parsed JSON) as a duplicate", async () => {
      await dispatcher.start(request("bursar-2"));
      const again = await dispatcher.start(request("bursar-2", '{ "job_id": "1" }'));
      expect(again).to.deep.equal({
        status: "duplicate",
        deliveredTo: "arn:aws:states:us-east-1:123456789012:execution:bursar-test:bursar-2",
      });
      expect(endpoint.executions()).to.have.length(1);
    });

    it("retries throttling and 5xx within the budget, starting exactly one execution", async () => {
      endpoint.injectFault({ kind: "server-error", times: 1, operation: "StartExecution" });
      endpoint.injectFault({ kind: "reset", times: 1, operation: "StartExecution" });
      const result = await dispatcher.start(request("bursar-3"));
      expect(result.status).to.equal("started");
      expect(endpoint.executions()).to.have.length(1);
      expect(endpoint.requests().filter((r) => r.operation === "StartExecution")).to.have.length(3);
    });

    it("gives up after the attempts run out: a transient failure", async () => {
      endpoint.injectFault({
        kind: "server-error",
        times: Number.POSITIVE_INFINITY,
        operation: "StartExecution",
      });
      const result = await dispatcher.start(request("bursar-4"));
      expect(result).to.deep.include({ status: "failed", transient: true });
      const starts = endpoint.requests().filter((r) => r.operation === "StartExecution");
      expect(starts).to.have.length(DISPATCH_BUDGET.maxAttempts);
      expect(endpoint.executions()).to.deep.equal([]);
    });

    it("reports persistent throttling as transient", async () => {
      endpoint.injectFault({ kind: "throttle", times: Number.POSITIVE_INFINITY });
      const result = await dispatcher.start(request("bursar-5"));
      expect(result).to.deep.include({ status: "failed", transient: true });
      if (result.status === "failed") expect(result.error).to.match(/^ThrottlingException/);
    });

    it("answers inside the budget when the endpoint never answers", async () => {
      endpoint.injectFault({ kind: "delay", delayMs: 20_000, times: Number.POSITIVE_INFINITY });
      const started = Date.now();
      const result = await dispatcher.start(request("bursar-6"));
      const elapsed = Date.now() - started;
      expect(result).to.deep.include({ status: "failed", transient: true });
      expect(elapsed).to.be.below(DISPATCH_BUDGET.totalMs + 500);
    });

    it("reports an unknown state machine as a permanent failure", async () => {
      const result = await dispatcher.start({
        ...request("x"),
        target: ARNS.BURSAR.replace("bursar-test", "gone"),
      });
      expect(result).to.deep.include({ status: "failed", transient: false });
      if (result.status === "failed") expect(result.error).to.match(/^StateMachineDoesNotExist/);
    });

    it("reports a refused connection as transient", async () => {
      await endpoint.close();
      const result = await dispatcher.start(request("bursar-7"));
      expect(result).to.deep.include({ status: "failed", transient: true });
    });
  });

describe("isTransient", () => {
  for (const error of [
    { name: "ThrottlingException" },
    { name: "InternalServerError", $fault: "server" },
    { name: "ServiceUnavailable", $metadata: { httpStatusCode: 503 } },
    { name: "Error", code: "ECONNRESET" },
    { name: "TimeoutError" },
    { name: "AbortError" },
    { name: "KmsThrottlingException", $fault: "client", $metadata: { httpStatusCode: 400 } },
    { name: "ExecutionLimitExceeded", $fault: "client", $metadata: { httpStatusCode: 400 } },
    { name: "UnknownError", $fault: "client", $metadata: { httpStatusCode: 429 } },
    { name: "SomethingNew", $retryable: {} },
    { name: "SomethingNew", $retryable: { throttling: true } },
    { name: "ServiceUnavailable" },
    { name: "Error", code: "ETIMEDOUT" },
    { name: "Error", cause: { code: "ECONNRESET" } },
  ]) {
    it(`is true for ${JSON.stringify(error)}`, () => expect(isTransient(error)).to.equal(true));
  }
  for (const error of [
    { name: "AccessDeniedException", $fault: "client", $metadata: { httpStatusCode: 400 } },
    { name: "InvalidArn" },
    { name: "InvalidExecutionInput" },
    { name: "StateMachineDoesNotExist", $fault: "client", $metadata: { httpStatusCode: 400 } },
    { name: "KmsAccessDeniedException", $fault: "client", $metadata: { httpStatusCode: 400 } },
    undefined,
    "boom",
  ]) {
    it(`is false for ${JSON.stringify(error)}`, () => expect(isTransient(error)).to.equal(false));
  }
});
