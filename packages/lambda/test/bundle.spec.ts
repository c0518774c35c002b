import { existsSync } from "node:fs";
import { challengeEvent } from "@alma-webhooks/core/testing";
import { expect } from "chai";
import { type LocalStepFunctions, startLocalStepFunctions } from "../src/local/step-functions-endpoint.js";
import { BUNDLE, PING_BUNDLE, runChild } from "./support/child.js";
import { ARNS, VALID_ENV } from "./support/environment.js";
import { startHttpSink } from "./support/http-sink.js";
import { RESPONSE_TABLE } from "./support/response-table.js";

const NODE_22 = ["npx", "--yes", "--package=node@22", "--", "node"];
const TABLE = RESPONSE_TABLE;

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
