import {
  functionUrlEvent,
  jobEndPayload,
  RecordingDispatcher,
  signedPost,
} from "@alma-webhooks/core/testing";
import type { LocalStepFunctions } from "@alma-webhooks/local-aws/endpoint";
import { SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import type { Context } from "aws-lambda";
import { expect } from "chai";
import { handler as ping } from "../src/handlers/ping.js";
import { MISCONFIGURED } from "../src/webhook-handler.js";
import { ARNS, JOBS, localStepFunctions, SECRET, VALID_ENV } from "./support/environment.js";
import { handlerWithFakes } from "./support/handler.js";
import { RESPONSE_TABLE, TRIGGERS } from "./support/response-table.js";

const VALIDATED = "Webhook POST request received and validated";
const { pod, timdex, bursar } = TRIGGERS;

const handlerWith = (env?: Record<string, string | undefined>) => handlerWithFakes(env ? { env } : {});

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
      // An execution of that name with the same input written differently (started by an earlier version,
      // say): Step Functions answers ExecutionAlreadyExists, which is a duplicate, not an error.
      const sfn = new SFNClient({});
      const name = "bursar-20241106T144310-7019873450004761";
      await sfn.send(
        new StartExecutionCommand({
          stateMachineArn: ARNS.BURSAR,
          name,
          input: '{ "job_id": "7019873450004761" }',
        }),
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
      return { dispatcher, ...handlerWithFakes({ dispatcher }) };
    };

    it("answers every row of the response table", async () => {
      const { handler } = fake();
      for (const [event, statusCode, body] of RESPONSE_TABLE) {
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

    it("answers a webhook older than ALMA_WEBHOOK_MAX_EVENT_AGE 'too old' and starts nothing", async () => {
      const dispatcher = new RecordingDispatcher();
      const { handler } = handlerWithFakes({
        dispatcher,
        env: { ...VALID_ENV, ALMA_WEBHOOK_MAX_EVENT_AGE: "7d" },
      });
      const response = await handler(signedPost(TRIGGERS.pod(), SECRET)); // sent in November 2024
      expect([response.statusCode, response.body]).to.deep.equal([
        200,
        `Webhook POST request received and validated, Alma job '${JOBS.PPOD}' is too old (2024-11-06T14:43:11.020Z), no action taken.`,
      ]);
      expect(dispatcher.requests).to.deep.equal([]);
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
