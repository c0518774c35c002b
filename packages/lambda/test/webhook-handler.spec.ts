import {
  counter,
  functionUrlEvent,
  jobEndPayload,
  RecordingDispatcher,
  signedPost,
} from "@alma-webhooks/core/testing";
import { SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import type { Context } from "aws-lambda";
import { expect } from "chai";
import { createAppContainer } from "../src/container.js";
import { handler as ping } from "../src/handlers/ping.js";
import type { LocalStepFunctions } from "../src/local/step-functions-endpoint.js";
import { TOKENS } from "../src/tokens.js";
import { createWebhookHandler, MISCONFIGURED } from "../src/webhook-handler.js";
import { ARNS, JOBS, localStepFunctions, SECRET, VALID_ENV } from "./support/environment.js";
import { recordingLogger } from "./support/recording-logger.js";

const VALIDATED = "Webhook POST request received and validated";
const pod = () => jobEndPayload({ job_instance: { name: JOBS.PPOD } });
const timdex = (runType: string) =>
  jobEndPayload({ job_instance: { name: `${JOBS.TIMDEX_PREFIX} ${runType}` } });
const bursar = () =>
  jobEndPayload({
    job_instance: {
      name: JOBS.BURSAR,
      id: "7019873450004761",
      counter: [counter("com.exlibris.external.bursar.report.fines_fees_count", 4)],
    },
  });

function handlerWith(
  env: Record<string, string | undefined> = VALID_ENV,
  setup?: (c: ReturnType<typeof createAppContainer>) => void,
) {
  const container = createAppContainer({ env });
  const logger = recordingLogger();
  container.register(TOKENS.Logger, { useValue: logger });
  setup?.(container);
  return { handler: createWebhookHandler({ container }), logger, container };
}

describe("webhook handler", function () {
  this.timeout(20_000);

  describe("through the real Step Functions client", () => {
    let endpoint: LocalStepFunctions;
    let stop: () => Promise<void>;

    beforeEach(async () => ({ endpoint, stop } = await localStepFunctions()));
    afterEach(() => stop());

    const started = () => endpoint.requests().filter((request) => request.operation === "StartExecution");

    it("starts POD with the exact StartExecution request", async () => {
      const { handler } = handlerWith();
      const response = await handler(signedPost(pod(), SECRET));
      expect(response.statusCode).to.equal(200);
      expect(response.body).to.equal(`${VALIDATED}, PPOD pipeline initiated.`);
      expect(started().map((request) => request.body)).to.deep.equal([
        {
          stateMachineArn: ARNS.PPOD,
          name: "ppod-upload-20241106T144310-6219373120004761",
          input: '{"filename-prefix":"exlibris/pod/POD_ALMA_EXPORT_20241106"}',
        },
      ]);
    });

    it("starts TIMDEX daily and full with the exact requests", async () => {
      const { handler } = handlerWith();
      expect((await handler(signedPost(timdex("Daily"), SECRET))).body).to.equal(
        `${VALIDATED}, TIMDEX pipeline initiated.`,
      );
      await handler(
        signedPost(jobEndPayload({ job_instance: { name: `${JOBS.TIMDEX_PREFIX} FULL`, id: "2" } }), SECRET),
      );
      expect(started().map((request) => request.body)).to.deep.equal([
        {
          stateMachineArn: ARNS.TIMDEX,
          name: "alma-daily-ingest-20241106T144310-6219373120004761",
          input:
            '{"next-step":"transform","run-date":"2024-11-06","run-type":"daily","source":"alma","verbose":"true"}',
        },
        {
          stateMachineArn: ARNS.TIMDEX,
          name: "alma-full-ingest-20241106T144310-2",
          input:
            '{"next-step":"transform","run-date":"2024-11-06","run-type":"full","source":"alma","verbose":"true"}',
        },
      ]);
    });

    it("starts Bursar with the exact StartExecution request", async () => {
      const { handler } = handlerWith();
      expect((await handler(signedPost(bursar(), SECRET))).body).to.equal(
        `${VALIDATED}, BURSAR pipeline initiated.`,
      );
      expect(started().map((request) => request.body)).to.deep.equal([
        {
          stateMachineArn: ARNS.BURSAR,
          name: "bursar-20241106T144310-7019873450004761",
          input: '{"job_id":"7019873450004761"}',
        },
      ]);
    });

    it("answers a redelivery 200 without a second execution, also when Step Functions says it exists", async () => {
      const { handler, logger } = handlerWith();
      await handler(signedPost(pod(), SECRET));
      expect((await handler(signedPost(pod(), SECRET))).body).to.equal(
        `${VALIDATED}, PPOD pipeline initiated.`,
      );
      expect(endpoint.executions()).to.have.length(1);
      // An execution of that name with another input (started by an earlier version, say): Step Functions
      // answers ExecutionAlreadyExists, which is a duplicate, not an error.
      const sfn = new SFNClient({});
      const name = "bursar-20241106T144310-7019873450004761";
      await sfn.send(
        new StartExecutionCommand({ stateMachineArn: ARNS.BURSAR, name, input: '{"job_id":"earlier"}' }),
      );
      expect((await handler(signedPost(bursar(), SECRET))).body).to.equal(
        `${VALIDATED}, BURSAR pipeline initiated.`,
      );
      sfn.destroy();
      expect(endpoint.executions()).to.have.length(2);
      expect(
        logger.lines.some((line) => line.message === "execution already exists: duplicate delivery"),
      ).to.equal(true);
    });

    it("retries throttling and 500s, then answers 503 so that Alma retries", async () => {
      const { handler } = handlerWith();
      endpoint.injectFault({ kind: "throttle", times: 1 });
      endpoint.injectFault({ kind: "server-error", times: Number.POSITIVE_INFINITY });
      const response = await handler(signedPost(pod(), SECRET));
      expect(response.statusCode).to.equal(503);
      expect(response.body).to.equal(
        `${VALIDATED}, but starting the PPOD pipeline failed for now; retry later.`,
      );
      expect(started()).to.have.length(3);
      endpoint.clearFaults();
      expect((await handler(signedPost(pod(), SECRET))).statusCode).to.equal(200);
      expect(endpoint.executions()).to.have.length(1);
    });

    it("answers 503 well inside 5 s when the endpoint never answers", async () => {
      const { handler } = handlerWith();
      endpoint.injectFault({ kind: "delay", delayMs: 30_000, times: Number.POSITIVE_INFINITY });
      const begun = Date.now();
      const response = await handler(signedPost(pod(), SECRET));
      expect(response.statusCode).to.equal(503);
      expect(Date.now() - begun).to.be.below(4_000);
    });
  });

  describe("with a fake dispatcher in a child container", () => {
    const fake = () => {
      const dispatcher = new RecordingDispatcher();
      return {
        dispatcher,
        ...handlerWith(VALID_ENV, (c) => c.register(TOKENS.Dispatcher, { useValue: dispatcher })),
      };
    };

    it("answers every row of the response table", async () => {
      const { handler } = fake();
      const rows: [unknown, number, string][] = [
        [functionUrlEvent({ method: "GET", query: { challenge: "c-1" } }), 200, "c-1"],
        [
          functionUrlEvent({ method: "GET" }),
          400,
          "Malformed request, 'challenge' query parameter required.",
        ],
        [
          functionUrlEvent({ method: "PUT" }),
          405,
          "HTTP method PUT not allowed. Supported methods: GET, POST.",
        ],
        [
          signedPost(pod(), "wrong"),
          401,
          "Unable to validate signature. Has the webhook challenge secret changed?",
        ],
        [
          signedPost({ action: "USER" }, SECRET),
          200,
          `${VALIDATED}, not a JOB_END webhook so no action was taken.`,
        ],
        [
          signedPost(jobEndPayload({ job_instance: { name: "PPOD export to Prod" } }), SECRET),
          200,
          `${VALIDATED} in dev env for job 'PPOD export to Prod', no action taken.`,
        ],
        [
          signedPost(jobEndPayload({ job_instance: { name: "Other to Dev1" } }), SECRET),
          200,
          `${VALIDATED}, no action taken.`,
        ],
        [
          signedPost(
            jobEndPayload({ job_instance: { name: JOBS.PPOD, status: { value: "COMPLETED_FAILED" } } }),
            SECRET,
          ),
          200,
          `${VALIDATED}, Alma job '${JOBS.PPOD}' failed so no action was taken.`,
        ],
        [
          signedPost(jobEndPayload({ job_instance: { name: JOBS.PPOD, counter: [] } }), SECRET),
          200,
          `${VALIDATED}, Alma job '${JOBS.PPOD}' exported zero records so no action was taken.`,
        ],
        [signedPost(pod(), SECRET), 200, `${VALIDATED}, PPOD pipeline initiated.`],
        [signedPost(timdex("Daily"), SECRET), 200, `${VALIDATED}, TIMDEX pipeline initiated.`],
        [signedPost(bursar(), SECRET), 200, `${VALIDATED}, BURSAR pipeline initiated.`],
        [{}, 400, "Malformed request: the event is not an HTTP event (no HTTP method found)."],
      ];
      for (const [event, statusCode, body] of rows) {
        const response = await handler(event);
        expect([response.statusCode, response.body]).to.deep.equal([statusCode, body]);
      }
    });

    it("builds the router once per cold start and logs the start-up lines once", async () => {
      const { handler, logger } = fake();
      await handler(functionUrlEvent({ method: "GET", query: { challenge: "a" } }));
      await handler(functionUrlEvent({ method: "GET", query: { challenge: "b" } }));
      const startups = logger.lines.filter((line) => line.message.startsWith("Started:"));
      expect(startups).to.have.length(1);
      expect(startups[0]?.message).to.equal("Started: Sentry error reporting is off");
      expect(logger.lines.filter((line) => line.message === "webhook decision")).to.have.length(2);
    });

    it("passes the Lambda context to the logger", async () => {
      const { handler, logger } = fake();
      const contexts: Context[] = [];
      logger.addContext = (context) => contexts.push(context);
      const context = { awsRequestId: "lambda-1", functionName: "alma-webhook" } as Context;
      await handler(functionUrlEvent({ method: "GET", query: { challenge: "a" } }), context);
      expect(contexts).to.deep.equal([context]);
    });
  });

  describe("with an invalid configuration", () => {
    it("answers 500 to every request and logs each problem once", async () => {
      const { handler, logger } = handlerWith({ ALMA_POD_EXPORT_JOB_NAME: JOBS.PPOD });
      for (const event of [
        signedPost(pod(), SECRET),
        functionUrlEvent({ method: "GET", query: { challenge: "x" } }),
      ]) {
        expect(await handler(event)).to.deep.equal(MISCONFIGURED);
      }
      const errors = logger.lines.filter((line) => line.level === "error");
      expect(errors).to.have.length(1);
      expect(errors[0]?.fields.problems).to.deep.equal([
        "Required env variable WORKSPACE is not set",
        "Required env variable ALMA_CHALLENGE_SECRET is not set",
        "PPOD_STATE_MACHINE_ARN is not set, but the PPOD plugin needs it because ALMA_POD_EXPORT_JOB_NAME is set.",
      ]);
    });
  });

  describe("ping", () => {
    it("answers pong", async () => {
      expect(await ping()).to.equal("pong");
    });
  });
});
