import { existsSync } from "node:fs";
import {
  challengeEvent,
  counter,
  functionUrlEvent,
  jobEndPayload,
  signedPost,
} from "@alma-webhooks/core/testing";
import { expect } from "chai";
import { type LocalStepFunctions, startLocalStepFunctions } from "../src/local/step-functions-endpoint.js";
import { BUNDLE, PING_BUNDLE, runChild } from "./support/child.js";
import { ARNS, JOBS, SECRET, VALID_ENV } from "./support/environment.js";
import { startHttpSink } from "./support/http-sink.js";

const VALIDATED = "Webhook POST request received and validated";
const NODE_22 = ["npx", "--yes", "--package=node@22", "--", "node"];

const TABLE: [unknown, number, string][] = [
  [challengeEvent("bundle-check"), 200, "bundle-check"],
  [functionUrlEvent({ method: "GET" }), 400, "Malformed request, 'challenge' query parameter required."],
  [
    functionUrlEvent({ method: "DELETE" }),
    405,
    "HTTP method DELETE not allowed. Supported methods: GET, POST.",
  ],
  [
    signedPost({ action: "JOB_END" }, "wrong"),
    401,
    "Unable to validate signature. Has the webhook challenge secret changed?",
  ],
  [
    signedPost({ action: "LOAN" }, SECRET),
    200,
    `${VALIDATED}, not a JOB_END webhook so no action was taken.`,
  ],
  [
    signedPost(jobEndPayload({ job_instance: { name: "PPOD export to Stage" } }), SECRET),
    200,
    `${VALIDATED} in dev env for job 'PPOD export to Stage', no action taken.`,
  ],
  [
    signedPost(jobEndPayload({ job_instance: { name: "Other job to Dev1" } }), SECRET),
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
    signedPost(
      jobEndPayload({ job_instance: { name: JOBS.PPOD, counter: [counter("label.new.records", 0)] } }),
      SECRET,
    ),
    200,
    `${VALIDATED}, Alma job '${JOBS.PPOD}' exported zero records so no action was taken.`,
  ],
  [
    signedPost(jobEndPayload({ job_instance: { name: JOBS.PPOD } }), SECRET),
    200,
    `${VALIDATED}, PPOD pipeline initiated.`,
  ],
  [
    signedPost(jobEndPayload({ job_instance: { name: `${JOBS.TIMDEX_PREFIX} Daily` } }), SECRET),
    200,
    `${VALIDATED}, TIMDEX pipeline initiated.`,
  ],
  [
    signedPost(
      jobEndPayload({
        job_instance: {
          name: JOBS.BURSAR,
          counter: [counter("com.exlibris.external.bursar.report.fines_fees_count", 2)],
        },
      }),
      SECRET,
    ),
    200,
    `${VALIDATED}, BURSAR pipeline initiated.`,
  ],
  [{}, 400, "Malformed request: the event is not an HTTP event (no HTTP method found)."],
];

describe("the bundle (dist/webhook.mjs)", function () {
  this.timeout(180_000);
  let endpoint: LocalStepFunctions;

  before(() => {
    if (!existsSync(BUNDLE))
      throw new Error(`${BUNDLE} is missing: run 'make build' (the lambda bundle) first`);
  });
  beforeEach(async () => {
    endpoint = await startLocalStepFunctions({ stateMachineArns: Object.values(ARNS) });
  });
  afterEach(() => endpoint.close());

  const lambdaEnv = () => ({
    ...VALID_ENV,
    POWERTOOLS_LOG_LEVEL: "INFO",
    AWS_ENDPOINT_URL_SFN: endpoint.url,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
  });

  for (const [label, command] of [
    ["this machine's Node", [process.execPath]],
    ["Node 22, Lambda's runtime", NODE_22],
  ] as const) {
    it(`answers every row of the response table under ${label}, loading only the bundle`, async () => {
      const { responses, resolved } = await runChild(
        BUNDLE,
        TABLE.map(([event]) => event),
        lambdaEnv(),
        command,
      );
      expect(responses.map((r) => [r.statusCode, r.body])).to.deep.equal(
        TABLE.map(([, status, body]) => [status, body]),
      );
      expect(endpoint.executions().map((execution) => execution.stateMachineArn)).to.deep.equal([
        ARNS.PPOD,
        ARNS.TIMDEX,
        ARNS.BURSAR,
      ]);
      const outside = resolved.filter(
        (url) => url.startsWith("file:") && !url.includes("/dist/") && !url.includes("alma-child-"),
      );
      expect(outside, "modules loaded from outside the bundle").to.deep.equal([]);
      expect(resolved.filter((url) => url.includes("sentry"))).to.deep.equal([]);
    });
  }

  it("loads the Sentry chunk only when SENTRY_DSN is set", async () => {
    const sink = await startHttpSink();
    try {
      const env = { ...lambdaEnv(), SENTRY_DSN: `${sink.url.replace("http://", "http://key@")}/7` };
      const { responses, stdout, resolved } = await runChild(BUNDLE, [challengeEvent("x")], env);
      expect(responses.map((r) => r.statusCode)).to.deep.equal([200]);
      expect(stdout).to.contain("Sentry error reporting is on");
      expect(resolved.some((url) => /chunks\/sentry-sdk-[\w-]+\.mjs$/.test(url))).to.equal(true);
    } finally {
      await sink.close();
    }
  });

  it("dist/ping.mjs answers pong", async () => {
    const { responses } = await runChild(PING_BUNDLE, [{}], {});
    expect(responses).to.deep.equal(["pong"]);
  });
});
