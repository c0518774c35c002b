// What the dispatcher answers for the cases the local endpoint cannot stage: an existing execution with
// another input or a failed status, Step Functions' throttling by status or by KMS, an EXPRESS state
// machine. The real SDK client talks the AWS JSON 1.0 protocol to a scripted endpoint (support/).

import { DISPATCH_BUDGET } from "@alma-webhooks/aws";
import {
  createStepFunctionsClient,
  type StepFunctionsCalls,
  StepFunctionsDispatcher,
  stepFunctionsCalls,
} from "@alma-webhooks/aws/step-functions";
import { jobEndPayload, signedPost } from "@alma-webhooks/core/testing";
import { expect } from "chai";
import { type Clock, type ErrorReporter, systemClock } from "../src/services.js";
import { TOKENS } from "../src/tokens.js";
import { ARNS, JOBS, SECRET, VALID_ENV } from "./support/environment.js";
import { awsError, type FakeScript, startFakeStepFunctions } from "./support/fake-step-functions.js";
import { handlerWithFakes } from "./support/handler.js";
import { recordingLogger } from "./support/recording-logger.js";

const NAME = "bursar-20241106T144310-7019873450004761";
const ARN = `${ARNS.BURSAR.replace(":stateMachine:", ":execution:")}:${NAME}`;
const INPUT = '{"job_id":"7019873450004761"}';
const request = (input = INPUT) => ({ plugin: "BURSAR", target: ARNS.BURSAR, name: NAME, input });

const exists: FakeScript[string] = () =>
  awsError("ExecutionAlreadyExists", 400, `Execution Already Exists: '${ARN}'`);
const described =
  (input: string, status = "RUNNING"): FakeScript[string] =>
  () => ({ body: { executionArn: ARN, stateMachineArn: ARNS.BURSAR, name: NAME, status, input } });
const standard: FakeScript[string] = () => ({ body: { stateMachineArn: ARNS.BURSAR, type: "STANDARD" } });

type MakeClient = () => StepFunctionsCalls | ReturnType<typeof createStepFunctionsClient>;

/** Runs `work` against a fake with the client `makeClient` makes, which must be the one `userAgent` names. */
async function withFakeUsing<T>(
  [makeClient, userAgent]: readonly [MakeClient, RegExp],
  script: FakeScript,
  work: (dispatcher: StepFunctionsDispatcher, logger: ReturnType<typeof recordingLogger>) => Promise<T>,
  clock: Clock = systemClock,
): Promise<{ result: T; operations: string[]; logger: ReturnType<typeof recordingLogger> }> {
  const fake = await startFakeStepFunctions(script);
  const client = makeClient();
  const logger = recordingLogger();
  try {
    const result = await work(new StepFunctionsDispatcher(client, logger, clock), logger);
    for (const request of fake.requests) expect(request.userAgent).to.match(userAgent);
    return { result, operations: fake.operations(), logger };
  } finally {
    client.destroy?.();
    await fake.close();
  }
}

const lines = (logger: ReturnType<typeof recordingLogger>, level: string) =>
  logger.lines.filter((line) => line.level === level);

// Every case through either client: the SDK's, and the small JSON 1.0 client a cold start uses when the
// environment holds its settings (the fake's: AWS_ENDPOINT_URL_SFN, a region, credentials).
const CLIENTS: [string, MakeClient, RegExp][] = [
  ["the SDK's client", createStepFunctionsClient, /^aws-sdk-js\//],
  ["the JSON 1.0 client", () => stepFunctionsCalls(), /^alma-webhooks aws-json-client$/],
];

for (const [clientName, makeClient, userAgent] of CLIENTS) {
  const withFake = <T>(
    script: FakeScript,
    work: (dispatcher: StepFunctionsDispatcher, logger: ReturnType<typeof recordingLogger>) => Promise<T>,
    clock?: Clock,
  ) => withFakeUsing([makeClient, userAgent], script, work, clock);

  describe(`StepFunctionsDispatcher (${clientName}): ExecutionAlreadyExists is checked with DescribeExecution`, function () {
    this.timeout(15_000);

    it("answers a duplicate when the existing execution has the same input, compared as parsed JSON", async () => {
      const { result, operations, logger } = await withFake(
        {
          StartExecution: exists,
          DescribeExecution: described('{ "job_id" : "7019873450004761" }'),
          DescribeStateMachine: standard,
        },
        (dispatcher) => dispatcher.start(request()),
      );
      expect(result).to.deep.equal({ status: "duplicate", deliveredTo: ARN });
      expect(operations).to.have.members(["StartExecution", "DescribeExecution", "DescribeStateMachine"]);
      expect(lines(logger, "info").map((line) => line.message)).to.include(
        "execution already exists: duplicate delivery",
      );
      expect(lines(logger, "warn")).to.deep.equal([]);
    });

    it("fails permanently, with an ERROR line, when the existing execution has another input", async () => {
      const { result, operations, logger } = await withFake(
        { StartExecution: exists, DescribeExecution: described('{"job_id":"earlier"}') },
        (dispatcher) => dispatcher.start(request()),
      );
      expect(result).to.deep.include({ status: "failed", transient: false });
      if (result.status === "failed") {
        expect(result.error).to.match(/^ExecutionAlreadyExists: .*another input/);
        expect(result.error).to.contain('{"job_id":"earlier"}').and.to.contain(INPUT);
      }
      // The state machine's type is asked beside StartExecution (no answer scripted here: not checked).
      expect(operations.filter((operation) => operation !== "DescribeStateMachine")).to.deep.equal([
        "StartExecution",
        "DescribeExecution",
      ]);
      const [error] = lines(logger, "error");
      expect(error?.message).to.equal("execution already exists with a different input: not started");
      expect(error?.fields).to.include({ executionArn: ARN, existingInput: '{"job_id":"earlier"}' });
    });

    for (const status of ["FAILED", "TIMED_OUT", "ABORTED"]) {
      it(`answers a duplicate with a WARN line naming the execution when it ended ${status}`, async () => {
        const { result, logger } = await withFake(
          {
            StartExecution: exists,
            DescribeExecution: described(INPUT, status),
            DescribeStateMachine: standard,
          },
          (dispatcher) => dispatcher.start(request()),
        );
        expect(result).to.deep.equal({ status: "duplicate", deliveredTo: ARN });
        const warnings = lines(logger, "warn");
        expect(warnings).to.have.length(1);
        expect(warnings[0]?.message).to.contain(status);
        expect(warnings[0]?.fields).to.include({ executionArn: ARN, executionStatus: status });
      });
    }

    it("falls back to a duplicate, with a WARN line saying why, when DescribeExecution is denied", async () => {
      const { result, logger } = await withFake(
        {
          StartExecution: exists,
          DescribeExecution: () => awsError("AccessDeniedException"),
          DescribeStateMachine: standard,
        },
        (dispatcher) => dispatcher.start(request()),
      );
      expect(result).to.deep.equal({ status: "duplicate", deliveredTo: ARN });
      const [warning] = lines(logger, "warn");
      expect(warning?.fields.reason).to.match(/^DescribeExecution failed: AccessDeniedException/);
    });

    it("falls back to a duplicate inside the dispatch budget when DescribeExecution never answers", async () => {
      const started = Date.now();
      const { result, logger } = await withFake(
        {
          StartExecution: exists,
          DescribeExecution: () => ({ delayMs: 10_000, body: {} }),
          DescribeStateMachine: standard,
        },
        (dispatcher) => dispatcher.start(request()),
      );
      const elapsed = Date.now() - started;
      expect(result).to.deep.equal({ status: "duplicate", deliveredTo: ARN });
      expect(elapsed).to.be.below(DISPATCH_BUDGET.totalMs + 500);
      expect(lines(logger, "warn")[0]?.fields.reason).to.match(/DescribeExecution failed/);
    });

    it("gives DescribeExecution only what StartExecution left of the budget", async () => {
      // A clock that says the whole budget went on StartExecution: DescribeExecution is not even sent.
      let now = 0;
      const clock = { now: () => (now += DISPATCH_BUDGET.totalMs / 2) };
      const { result, operations, logger } = await withFake(
        { StartExecution: exists, DescribeExecution: described(INPUT) },
        (dispatcher) => dispatcher.start(request()),
        clock,
      );
      expect(result.status).to.equal("duplicate");
      expect(operations).to.deep.equal(["StartExecution"]);
      expect(lines(logger, "warn")[0]?.fields.reason).to.match(/DispatchTimeoutError/);
    });
  });

  describe(`StepFunctionsDispatcher (${clientName}): transient answers`, function () {
    this.timeout(15_000);
    const cases: [label: string, answer: () => ReturnType<FakeScript[string]>][] = [
      ["HTTP 429 without an error type", () => ({ status: 429, body: { message: "Rate exceeded" } })],
      ["KmsThrottlingException", () => awsError("KmsThrottlingException")],
      ["ExecutionLimitExceeded (the open-executions quota)", () => awsError("ExecutionLimitExceeded")],
      ["503 ServiceUnavailable", () => awsError("ServiceUnavailable", 503)],
    ];
    for (const [label, answer] of cases) {
      it(`answers ${label} as a transient failure`, async () => {
        const { result } = await withFake({ StartExecution: answer }, (dispatcher) =>
          dispatcher.start(request()),
        );
        expect(result).to.deep.include({ status: "failed", transient: true });
      });
    }

    it("reports AccessDeniedException as permanent", async () => {
      const { result } = await withFake(
        { StartExecution: () => awsError("AccessDeniedException") },
        (dispatcher) => dispatcher.start(request()),
      );
      expect(result).to.deep.include({ status: "failed", transient: false });
    });
  });

  describe(`StepFunctionsDispatcher (${clientName}): the state machine's type, once per cold start`, function () {
    this.timeout(15_000);
    const started = (body: Record<string, unknown>) => ({
      body: { executionArn: `${ARN}-${String(body.name)}`, startDate: 1 },
    });

    it("warns once when the state machine is EXPRESS, and asks only at the first dispatch", async () => {
      const { result, operations, logger } = await withFake(
        {
          StartExecution: started,
          DescribeStateMachine: () => ({ body: { stateMachineArn: ARNS.BURSAR, type: "EXPRESS" } }),
        },
        async (dispatcher) => [
          await dispatcher.start({ ...request(), name: "a" }),
          await dispatcher.start({ ...request(), name: "b" }),
        ],
      );
      expect(result.map((r) => r.status)).to.deep.equal(["started", "started"]);
      // Asked once, beside the first StartExecution.
      expect(operations.slice(0, 2)).to.have.members(["StartExecution", "DescribeStateMachine"]);
      expect(operations.slice(2)).to.deep.equal(["StartExecution"]);
      const warnings = lines(logger, "warn");
      expect(warnings.map((line) => line.message)).to.deep.equal([
        "replays are not de-duplicated for EXPRESS state machines; use STANDARD",
      ]);
      expect(warnings[0]?.fields).to.include({ stateMachineArn: ARNS.BURSAR });
    });

    it("says nothing above DEBUG for a STANDARD state machine", async () => {
      const { logger } = await withFake(
        { StartExecution: started, DescribeStateMachine: standard },
        (dispatcher) => dispatcher.start(request()),
      );
      expect(logger.lines.filter((line) => line.level !== "info" && line.level !== "debug")).to.deep.equal(
        [],
      );
      expect(lines(logger, "info").map((line) => line.message)).to.deep.equal(["execution started"]);
    });

    it("never fails on it: AccessDenied is one INFO line and the execution is started", async () => {
      const { result, logger } = await withFake(
        { StartExecution: started, DescribeStateMachine: () => awsError("AccessDeniedException") },
        (dispatcher) => dispatcher.start(request()),
      );
      expect(result.status).to.equal("started");
      expect(lines(logger, "warn")).to.deep.equal([]);
      expect(lines(logger, "info").map((line) => line.message)).to.have.members([
        "execution started",
        "state machine type not checked (needs states:DescribeStateMachine)",
      ]);
    });

    it("waits for a silent DescribeStateMachine only its short share of the budget", async () => {
      const began = Date.now();
      const { result } = await withFake(
        { StartExecution: started, DescribeStateMachine: () => ({ delayMs: 10_000, body: {} }) },
        (dispatcher) => dispatcher.start(request()),
      );
      expect(result.status).to.equal("started");
      expect(Date.now() - began).to.be.below(DISPATCH_BUDGET.stateMachineCheckMs + 400);
    });
  });
}

describe("the handler's answers for these dispatch results", function () {
  this.timeout(15_000);
  const bursar = () =>
    signedPost(
      jobEndPayload({
        job_instance: {
          name: JOBS.BURSAR,
          id: "7019873450004761",
          end_time: "2024-11-06T14:43:10.000Z",
          counter: [{ type: { value: "com.exlibris.external.bursar.report.fines_fees_count" }, value: "4" }],
        },
      }),
      SECRET,
    );

  async function answer(script: FakeScript) {
    const fake = await startFakeStepFunctions(script);
    try {
      const { handler, container, logger } = handlerWithFakes({ env: VALID_ENV });
      const reports: unknown[] = [];
      const reporter: ErrorReporter = { enabled: true, report: async (error) => void reports.push(error) };
      container.register(TOKENS.ErrorReporter, { useValue: reporter });
      const response = await handler(bursar());
      return { response, reports, logger, operations: fake.operations() };
    } finally {
      await fake.close();
    }
  }

  it("answers 503 to a 429 and to KmsThrottlingException, and reports neither as a failed start (issue 31: each once as not delivered)", async () => {
    for (const fault of [
      () => ({ status: 429, body: { message: "Rate exceeded" } }),
      () => awsError("KmsThrottlingException"),
    ]) {
      const { response, reports } = await answer({ StartExecution: fault });
      expect(response.statusCode).to.equal(503);
      // Throttled every time: the SDK's retries end either in the refusal or at the webhook's deadline,
      // depending on how fast this machine runs them; both are the one transient not-delivered report.
      expect(reports).to.have.length(1);
      expect(String(reports[0])).to.match(
        /^WebhookNotDeliveredError: Webhook 20241106T144310-7019873450004761 was not delivered \((dispatch-failed|deadline)\)$/,
      );
    }
  });

  it("answers 500 and reports to the error tracker when the existing execution has another input", async () => {
    const { response, reports, operations } = await answer({
      StartExecution: exists,
      DescribeExecution: described('{"job_id":"earlier"}'),
    });
    expect(operations.filter((operation) => operation !== "DescribeStateMachine")).to.deep.equal([
      "StartExecution",
      "DescribeExecution",
    ]);
    expect(response.statusCode).to.equal(500);
    expect(reports).to.have.length(1);
    expect(String((reports[0] as Error).message)).to.contain("another input");
  });

  it("answers 200 (already started) when the existing execution has the same input", async () => {
    const { response, reports } = await answer({
      StartExecution: exists,
      DescribeExecution: described(INPUT, "FAILED"),
      DescribeStateMachine: standard,
    });
    expect(response.statusCode).to.equal(200);
    expect(response.body).to.contain("BURSAR pipeline initiated");
    expect(reports).to.deep.equal([]);
  });
});
