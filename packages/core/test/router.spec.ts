import { expect } from "chai";
import sinon from "sinon";
import { handleLambdaEvent, lambdaOutcomeOf } from "../src/adapters/lambda.js";
import {
  type ActivePlugin,
  createWebhookRouter,
  DispatchFailedError,
  type HttpResponse,
  InvalidRouterOptionsError,
  type Logger,
  toHttpResponse,
  WebhookNotDeliveredError,
  type WebhookRouterOptions,
} from "../src/index.js";
import {
  apiGatewayV1Event,
  challengeEvent,
  counter,
  failedJobEndPayload,
  functionUrlEvent,
  httpEvent,
  jobEndPayload,
  LAMBDA_FRONTS,
  legacyJobEndPayload,
  otherActionPayload,
  RecordingDispatcher,
  signBody,
  signedPost,
} from "../src/testing/index.js";
import { activePrefixed, activeSample, POD_ARN, POD_JOB, SECRET, TIMDEX_PREFIX } from "./fixtures/plugins.js";

const HEADERS = {
  "content-type": "text/plain; charset=utf-8",
  "x-content-type-options": "nosniff",
  "cache-control": "no-store",
};
const text = (statusCode: number, body: string): HttpResponse => ({
  statusCode,
  headers: HEADERS,
  body,
  isBase64Encoded: false,
});
const VALIDATED = "Webhook POST request received and validated";

function recordingLogger() {
  const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  const at =
    (level: string) =>
    (message: string, fields?: Record<string, unknown>): void => {
      lines.push({ level, message, ...(fields ? { fields } : {}) });
    };
  const logger: Logger = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
  return { logger, lines };
}

describe("createWebhookRouter", () => {
  let dispatcher: RecordingDispatcher;
  let log: ReturnType<typeof recordingLogger>;

  const router = (overrides: Partial<WebhookRouterOptions> = {}) =>
    createWebhookRouter({
      secrets: [SECRET],
      workspace: "dev",
      plugins: [activeSample, activePrefixed],
      dispatcher,
      logger: log.logger,
      ...overrides,
    });
  const post = (payload: unknown, options = {}) =>
    handleLambdaEvent(router(), signedPost(payload, SECRET, options));
  const pod = (job: Record<string, unknown> = {}) =>
    jobEndPayload({ job_instance: { name: POD_JOB, ...job } });

  beforeEach(() => {
    dispatcher = new RecordingDispatcher();
    log = recordingLogger();
  });

  afterEach(() => sinon.restore());

  describe("options", () => {
    it("refuses to build without a secret", () => {
      expect(() => router({ secrets: ["", ""] })).to.throw(
        InvalidRouterOptionsError,
        "At least one non-empty",
      );
    });

    it("refuses an empty workspace and a non-positive body limit", () => {
      expect(() => router({ workspace: " " })).to.throw(InvalidRouterOptionsError, "workspace");
      expect(() => router({ maxBodyBytes: 0 })).to.throw(InvalidRouterOptionsError, "maxBodyBytes");
    });
  });

  describe("GET challenge", () => {
    for (const front of LAMBDA_FRONTS) {
      it(`echoes the challenge as text/plain (${front})`, async () => {
        expect(await handleLambdaEvent(router(), challengeEvent("d4f3-a1b2 ünï", front))).to.deep.equal(
          text(200, "d4f3-a1b2 ünï"),
        );
      });

      it(`answers 400 without a challenge parameter (${front})`, async () => {
        expect(await handleLambdaEvent(router(), httpEvent(front, { method: "GET" }))).to.deep.equal(
          text(400, "Malformed request, 'challenge' query parameter required."),
        );
      });
    }

    it("answers 400 with a null query map", async () => {
      expect(
        (await handleLambdaEvent(router(), apiGatewayV1Event({ method: "GET", query: null }))).statusCode,
      ).to.equal(400);
    });

    it("answers JSON in json mode", async () => {
      expect(
        await handleLambdaEvent(router({ challengeFormat: "json" }), challengeEvent("abc")),
      ).to.deep.equal({
        statusCode: 200,
        headers: { ...HEADERS, "content-type": "application/json" },
        body: '{"challenge":"abc"}',
        isBase64Encoded: false,
      });
    });

    it("refuses a challenge longer than the limit", async () => {
      expect(
        await handleLambdaEvent(router({ maxChallengeLength: 8 }), challengeEvent("123456789")),
      ).to.deep.equal(text(400, "Malformed request, 'challenge' query parameter longer than 8 characters."));
    });

    it("starts nothing, even with a signed JOB_END body", async () => {
      const event = functionUrlEvent({
        method: "GET",
        query: { challenge: "x" },
        body: JSON.stringify(pod()),
      });
      await handleLambdaEvent(router(), event);
      expect(dispatcher.requests).to.deep.equal([]);
    });
  });

  describe("other methods", () => {
    for (const method of ["PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]) {
      it(`answers 405 to ${method}`, async () => {
        expect(await handleLambdaEvent(router(), functionUrlEvent({ method }))).to.deep.equal(
          text(405, `HTTP method ${method} not allowed. Supported methods: GET, POST.`),
        );
      });
    }
  });

  describe("events that are not HTTP", () => {
    it("answers 400 to an empty event instead of throwing", async () => {
      expect(await handleLambdaEvent(router(), {})).to.deep.equal(
        text(400, "Malformed request: the event is not an HTTP event (no HTTP method found)."),
      );
    });

    it("answers 400 to undefined", async () => {
      expect((await handleLambdaEvent(router(), undefined)).statusCode).to.equal(400);
    });
  });

  describe("signature", () => {
    const unauthorised = text(401, "Unable to validate signature. Has the webhook challenge secret changed?");

    it("answers 401 without the signature header", async () => {
      const event = functionUrlEvent({ body: JSON.stringify(pod()) });
      expect(await handleLambdaEvent(router(), event)).to.deep.equal(unauthorised);
    });

    it("answers 401 to a signature made with another secret", async () => {
      expect(await handleLambdaEvent(router(), signedPost(pod(), "not-the-secret"))).to.deep.equal(
        unauthorised,
      );
      expect(dispatcher.requests).to.deep.equal([]);
    });

    it("answers 401 to a tampered body", async () => {
      const event = signedPost(pod(), SECRET);
      const tampered = { ...event, body: JSON.stringify(pod({ id: "999" })) };
      expect(await handleLambdaEvent(router(), tampered)).to.deep.equal(unauthorised);
    });

    it("accepts the previous secret during a rotation", async () => {
      const response = await handleLambdaEvent(
        router({ secrets: ["new-secret", SECRET] }),
        signedPost(pod(), SECRET),
      );
      expect(response).to.deep.equal(text(200, `${VALIDATED}, SAMPLE pipeline initiated.`));
    });

    it("finds the header whatever its case on API Gateway v1", async () => {
      const body = JSON.stringify(pod());
      const event = apiGatewayV1Event({ body, headers: { "x-EXL-sIgNaTuRe": signBody(body, SECRET) } });
      expect((await handleLambdaEvent(router(), event)).statusCode).to.equal(200);
      expect(dispatcher.requests).to.have.length(1);
    });

    it("verifies base64 bodies over the decoded bytes", async () => {
      const response = await post(pod(), { base64: true });
      expect(response).to.deep.equal(text(200, `${VALIDATED}, SAMPLE pipeline initiated.`));
    });

    it("refuses a base64 body signed over its base64 text", async () => {
      const body = JSON.stringify(pod());
      const encoded = Buffer.from(body).toString("base64");
      const event = functionUrlEvent({
        body,
        base64: true,
        headers: { "x-exl-signature": signBody(encoded, SECRET) },
      });
      expect((await handleLambdaEvent(router(), event)).statusCode).to.equal(401);
    });
  });

  describe("body", () => {
    it("answers 413 before hashing a body over the limit", async () => {
      const event = functionUrlEvent({ body: "x".repeat(101), headers: { "x-exl-signature": "sig" } });
      expect(await handleLambdaEvent(router({ maxBodyBytes: 100 }), event)).to.deep.equal(
        text(413, "Request body of 101 bytes is larger than the limit of 100 bytes."),
      );
    });

    it("decides an XML body as its JSON form, the signature checked over the raw bytes", async () => {
      const xml = (name: string, status: string, records: string) =>
        `<?xml version="1.0" encoding="UTF-8"?><webhook><id>1</id><action>JOB_END</action>` +
        `<institution desc="MIT">01MIT_INST</institution><time>2024-11-06T14:43:11.020Z</time>` +
        `<job_instance><id>6219373120004761</id><name>${name}</name>` +
        `<status desc="Completed Successfully">${status}</status><end_time>2024-11-06T14:43:10.585Z</end_time>` +
        `<counters><counter><type desc="New records">label.new.records</type><value>${records}</value></counter>` +
        `<counter><type desc="">FTP has failed.</type><value>Download zip file for manual FTP.</value></counter>` +
        `</counters></job_instance></webhook>`;
      const cases: [string, unknown][] = [
        [xml(POD_JOB, "COMPLETED_SUCCESS", "12"), pod({ counter: [counter("label.new.records", 12)] })],
        [xml(POD_JOB, "COMPLETED_FAILED", "12"), pod({ status: { value: "COMPLETED_FAILED" } })],
        [xml(POD_JOB, "COMPLETED_SUCCESS", "0"), pod({ counter: [counter("label.new.records", 0)] })],
        [xml("Other job to Dev1", "COMPLETED_SUCCESS", "3"), pod({ name: "Other job to Dev1" })],
        ["<webhook><action>BIB</action><event>BIB_UPDATED</event></webhook>", { action: "BIB" }],
      ];
      for (const [body, json] of cases) {
        const fromXml = await post(body, { headers: { "Content-Type": "application/xml" } });
        const fromJson = await post(json);
        expect([fromXml.statusCode, fromXml.body]).to.deep.equal([fromJson.statusCode, fromJson.body]);
      }
      // Both forms asked for the same execution: the same input under the same name.
      const [fromXml, fromJson] = dispatcher.requests;
      expect(dispatcher.requests).to.have.length(2);
      expect(fromXml).to.deep.equal(fromJson);
    });

    it("decodes XML character references as any XML parser does", async () => {
      const xml = `<webhook><action>&#74;OB_END</action><job_instance><name>${POD_JOB.replace("P", "&#x50;")}</name>
        <status desc="ok">COMPLETED_SUCCESS</status><end_time>2024-11-06T14:43:10.585Z</end_time>
        <counters><counter><type>label.new.records</type><value>3</value></counter></counters></job_instance></webhook>`;
      const response = await post(xml, { headers: { "Content-Type": "application/xml" } });
      expect(response.body).to.equal(`${VALIDATED}, SAMPLE pipeline initiated.`);
    });

    it("reads the body as its bytes say, whatever the content type or the leading whitespace", async () => {
      const json = JSON.stringify(pod());
      for (const [body, type] of [
        [json, "application/x-www-form-urlencoded"],
        [json, "application/octet-stream"],
        [`${" ".repeat(100)}\n${json}`, "application/xml"],
      ]) {
        const response = await post(body, { headers: { "Content-Type": type } });
        expect(response.body, type).to.equal(`${VALIDATED}, SAMPLE pipeline initiated.`);
      }
    });

    it("refuses XML with a DOCTYPE or entities, malformed XML, and a body that is neither JSON nor XML", async () => {
      const bomb =
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><webhook><action>&a;</action></webhook>';
      expect((await post(bomb, { headers: { "Content-Type": "text/xml" } })).statusCode).to.equal(400);
      expect((await post("<webhook><action>JOB_END</webhook>")).statusCode).to.equal(400);
      const form = await post("action=JOB_END", {
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
      });
      expect(form.statusCode).to.equal(415);
    });

    it("reads a JSON body as JSON whatever its content type says", async () => {
      const response = await post(pod(), { headers: { "Content-Type": "application/xml" } });
      expect(response).to.deep.equal(text(200, `${VALIDATED}, SAMPLE pipeline initiated.`));
    });

    it("accepts a JSON body that starts with a byte-order mark", async () => {
      const response = await post(`\uFEFF${JSON.stringify(pod())}`);
      expect(response).to.deep.equal(text(200, `${VALIDATED}, SAMPLE pipeline initiated.`));
    });

    it("answers 400 to a body that is not JSON", async () => {
      const response = await post("not json at all");
      expect(response.statusCode).to.equal(400);
      expect(response.body).to.match(/^Malformed webhook body\. The body is not valid JSON/);
    });

    it("answers 400 to an empty signed body", async () => {
      expect(await post("")).to.deep.equal(
        text(400, "Malformed webhook body. The body is empty; a JSON webhook body is required."),
      );
    });

    it("answers 400 to a JSON array", async () => {
      expect(await post([pod()])).to.deep.equal(
        text(400, "Malformed webhook body. The body must be a JSON object with an 'action', not an array."),
      );
    });

    it("answers 400 naming a missing job_instance", async () => {
      expect(await post({ action: "JOB_END" })).to.deep.equal(
        text(400, "Malformed webhook body. job_instance is required."),
      );
    });

    it("answers 400 naming a missing counter", async () => {
      const payload = pod();
      const { counter: _dropped, ...job } = payload.job_instance;
      expect(await post({ ...payload, job_instance: job })).to.deep.equal(
        text(400, "Malformed webhook body. job_instance.counter is required."),
      );
    });

    it("answers 400 naming a non-numeric counter", async () => {
      const response = await post(pod({ counter: [counter("label.new.records", "lots")] }));
      expect(response.statusCode).to.equal(400);
      expect(response.body).to.contain(
        "job_instance.counter[0].value (label.new.records) must be a whole number",
      );
    });

    it("answers 400 naming a missing status or name", async () => {
      expect((await post(pod({ status: { desc: "x" } }))).body).to.contain(
        "job_instance.status.value must be a non-empty string",
      );
      const payload = pod();
      const { name: _name, ...job } = payload.job_instance;
      expect((await post({ ...payload, job_instance: job })).body).to.contain(
        "job_instance.name is required",
      );
    });

    it("handles a signed 5 MiB body", async () => {
      const padding = "x".repeat(5 * 1024 * 1024);
      const response = await post(pod({ padding }));
      expect(response).to.deep.equal(text(200, `${VALIDATED}, SAMPLE pipeline initiated.`));
    });
  });

  describe("decision chain", () => {
    it("ignores webhooks that are not JOB_END", async () => {
      expect(await post(otherActionPayload("USER"))).to.deep.equal(
        text(200, `${VALIDATED}, not a JOB_END webhook so no action was taken.`),
      );
    });

    it("ignores jobs of another environment", async () => {
      const name = "Publishing Platform Job PPOD EXPORT to Prod";
      expect(await post(pod({ name }))).to.deep.equal(
        text(200, `${VALIDATED} in dev env for job '${name}', no action taken.`),
      );
      expect(dispatcher.requests).to.deep.equal([]);
    });

    it("matches the environment case-insensitively ('dev' in 'Dev1')", async () => {
      expect((await post(pod())).body).to.equal(`${VALIDATED}, SAMPLE pipeline initiated.`);
    });

    it("ignores jobs no plugin claims", async () => {
      expect(await post(pod({ name: "Some other export to Dev1" }))).to.deep.equal(
        text(200, `${VALIDATED}, no action taken.`),
      );
    });

    it("ignores a claimed job that did not succeed", async () => {
      const payload = failedJobEndPayload({ job_instance: { name: POD_JOB } });
      expect(await post(payload)).to.deep.equal(
        text(200, `${VALIDATED}, Alma job '${POD_JOB}' failed so no action was taken.`),
      );
      expect(dispatcher.requests).to.deep.equal([]);
    });

    it("ignores a claimed job that exported zero records, counting only the plugin's counters", async () => {
      const counters = [
        counter("label.new.records", 0),
        counter("label.updated.records", 0),
        counter("c.jobs.publishing.total_records", 40),
      ];
      expect(await post(pod({ counter: counters }))).to.deep.equal(
        text(200, `${VALIDATED}, Alma job '${POD_JOB}' exported zero records so no action was taken.`),
      );
    });

    it("starts the pipeline with the plugin's input, name and target", async () => {
      expect(await post(pod())).to.deep.equal(text(200, `${VALIDATED}, SAMPLE pipeline initiated.`));
      expect(dispatcher.requests).to.deep.equal([
        {
          plugin: "SAMPLE",
          target: POD_ARN,
          name: "ppod-upload-20241106T144310-6219373120004761",
          input: '{"filename-prefix":"exlibris/pod/POD_ALMA_EXPORT_20241106"}',
          action: "JOB_END",
        },
      ]);
    });

    it("starts from deleted records alone", async () => {
      const response = await post(pod({ counter: [counter("label.deleted.records", 2)] }));
      expect(response.body).to.equal(`${VALIDATED}, SAMPLE pipeline initiated.`);
    });

    it("accepts the older payload shape with null fields", async () => {
      const payload = legacyJobEndPayload({ job_instance: { name: POD_JOB } });
      expect((await post(payload)).body).to.equal(`${VALIDATED}, SAMPLE pipeline initiated.`);
    });

    it("answers a redelivery as started without starting a second execution", async () => {
      await post(pod());
      const again = await post(pod());
      expect(again).to.deep.equal(text(200, `${VALIDATED}, SAMPLE pipeline initiated.`));
      expect(dispatcher.executions.size).to.equal(1);
    });

    it("handles multibyte UTF-8 job names", async () => {
      const name = `${TIMDEX_PREFIX} Tägliche`;
      const response = await post(jobEndPayload({ job_instance: { name } }));
      expect(response.body).to.equal(
        `${VALIDATED}, PREFIXED declined Alma job '${name}' (run type 'tägliche' is not a plain word) so no action was taken.`,
      );
      expect(
        log.lines.some((line) => line.level === "warn" && line.message.includes("PREFIXED declined")),
      ).to.equal(true);
    });

    it("answers 503 when the dispatcher fails transiently, so that Alma retries", async () => {
      dispatcher.behaveAs("transient-failure");
      expect(await post(pod())).to.deep.equal(
        text(503, `${VALIDATED}, but starting the SAMPLE pipeline failed for now; retry later.`),
      );
    });

    it("answers 500 when the dispatcher fails permanently", async () => {
      dispatcher.behaveAs("permanent-failure");
      expect(await post(pod())).to.deep.equal(
        text(500, `${VALIDATED}, but starting the SAMPLE pipeline failed.`),
      );
    });

    it("answers 500 when the dispatcher throws", async () => {
      dispatcher.behaveAs("throw");
      expect((await post(pod())).statusCode).to.equal(500);
    });

    it("answers a forced duplicate as started", async () => {
      dispatcher.behaveAs("duplicate");
      expect((await post(pod())).body).to.equal(`${VALIDATED}, SAMPLE pipeline initiated.`);
    });
  });

  describe("event age (maxEventAgeMs)", () => {
    const DAY = 86_400_000;
    const aged = (overrides: Partial<WebhookRouterOptions> = {}) =>
      router({ maxEventAgeMs: 7 * DAY, now: () => Date.parse("2024-11-20T00:00:00Z"), ...overrides });

    it("answers a claimed webhook sent longer ago than the limit 'too old', starts nothing, and warns", async () => {
      const response = await handleLambdaEvent(aged(), signedPost(pod(), SECRET)); // sent 2024-11-06T14:43
      expect(response).to.deep.equal(
        text(
          200,
          `${VALIDATED}, Alma job '${POD_JOB}' is too old (2024-11-06T14:43:11.020Z), no action taken.`,
        ),
      );
      expect(dispatcher.requests).to.deep.equal([]);
      expect(log.lines.find((line) => line.message === "webhook decision")?.level).to.equal("warn");
    });

    it("acts on a webhook within the limit, and reads end_time when time is absent", async () => {
      const recent = router({ maxEventAgeMs: 30 * DAY, now: () => Date.parse("2024-11-20T00:00:00Z") });
      expect((await handleLambdaEvent(recent, signedPost(pod(), SECRET))).body).to.equal(
        `${VALIDATED}, SAMPLE pipeline initiated.`,
      );
      const { time: _time, ...withoutTime } = pod({ end_time: "2023-08-15" });
      expect((await handleLambdaEvent(aged(), signedPost(withoutTime, SECRET))).body).to.contain(
        "is too old (2023-08-15)",
      );
    });

    it("acts when the age cannot be told, and never judges unclaimed jobs", async () => {
      const { time: _time, ...undated } = pod({ end_time: undefined });
      expect(
        (
          await handleLambdaEvent(
            aged(),
            signedPost(
              { ...undated, job_instance: { ...undated.job_instance, end_time: undefined } },
              SECRET,
            ),
          )
        ).statusCode,
      ).to.equal(400);
      expect(
        (await handleLambdaEvent(aged(), signedPost(pod({ name: "Other job to Dev1" }), SECRET))).body,
      ).to.equal(`${VALIDATED}, no action taken.`);
    });

    it("is off by default: the previous deployment's integration bodies carry old dates", async () => {
      expect((await post(pod({ end_time: "2023-08-15" }))).body).to.equal(
        `${VALIDATED}, SAMPLE pipeline initiated.`,
      );
    });

    it("refuses a limit that is not a positive number", () => {
      expect(() => router({ maxEventAgeMs: 0 })).to.throw(InvalidRouterOptionsError);
    });
  });

  describe("400 answers", () => {
    const hasControl = (text: string): boolean =>
      [...text].some(
        (char) => char.charCodeAt(0) < 0x20 || (char.charCodeAt(0) >= 0x7f && char.charCodeAt(0) <= 0x9f),
      );

    it("never carry control characters raw: they are quoted escaped", async () => {
      expect(toHttpResponse({ kind: "invalid-body", reason: "tag <a\u0007b>\n" }).body).to.equal(
        "Malformed webhook body. tag <a\\u0007b>\\u000a",
      );
      for (const body of [
        '{"action": "JOB_END", "x": "\u0001',
        "<webhook><a\u0001b>x</a\u0001b></webhook>",
        "<web\u0002hook/>",
      ]) {
        const response = await handleLambdaEvent(router(), signedPost(body, SECRET));
        expect(response.statusCode, body).to.equal(400);
        expect(hasControl(response.body), response.body).to.equal(false);
      }
    });
  });

  describe("several plugins", () => {
    const both = (name: string): ActivePlugin => ({ ...activeSample, name, matcher: activePrefixed.matcher });
    const daily = () => jobEndPayload({ job_instance: { name: `${TIMDEX_PREFIX} Daily` } });

    it("dispatches every plugin that claims the job", async () => {
      const response = await handleLambdaEvent(
        router({ plugins: [activePrefixed, both("OTHER")] }),
        signedPost(daily(), SECRET),
      );
      expect(response.body).to.equal(`${VALIDATED}, PREFIXED, OTHER pipelines initiated.`);
      expect(dispatcher.requests.map((request) => request.plugin)).to.deep.equal(["PREFIXED", "OTHER"]);
    });

    it("isolates a plugin that throws from the others", async () => {
      const broken: ActivePlugin = {
        ...both("BROKEN"),
        plugin: {
          ...activeSample.plugin,
          buildExecution: () => {
            throw new TypeError("bug");
          },
        },
      };
      const response = await handleLambdaEvent(
        router({ plugins: [broken, activePrefixed] }),
        signedPost(daily(), SECRET),
      );
      expect(response).to.deep.equal(text(500, `${VALIDATED}, but starting the BROKEN pipeline failed.`));
      expect(dispatcher.requests.map((request) => request.plugin)).to.deep.equal(["PREFIXED"]);
      const decision = log.lines.find((line) => line.message === "webhook decision");
      expect(decision?.fields?.plugins).to.deep.include({
        plugin: "BROKEN",
        decision: "failed",
        transient: false,
        error: "TypeError: bug",
      });
    });

    it("answers 503 when one of several plugins failed transiently", async () => {
      const flaky = new RecordingDispatcher();
      sinon
        .stub(flaky, "start")
        .callsFake(async (request) =>
          request.plugin === "OTHER"
            ? { status: "failed", transient: true, error: "throttled" }
            : { status: "started", deliveredTo: "arn" },
        );
      const response = await handleLambdaEvent(
        router({ plugins: [activePrefixed, both("OTHER")], dispatcher: flaky }),
        signedPost(daily(), SECRET),
      );
      expect(response.statusCode).to.equal(503);
      expect(response.body).to.contain("the OTHER pipeline failed for now");
    });
  });

  describe("logging", () => {
    it("writes one decision line with the request's facts", async () => {
      await handleLambdaEvent(router(), signedPost(pod(), SECRET, { requestId: "req-42" }));
      const decisions = log.lines.filter((line) => line.message === "webhook decision");
      expect(decisions).to.have.length(1);
      expect(decisions[0]?.fields).to.deep.include({
        requestId: "req-42",
        front: "function-url",
        method: "POST",
        action: "JOB_END",
        jobId: "6219373120004761",
        jobName: POD_JOB,
        outcome: "handled",
        statusCode: 200,
      });
    });

    it("never logs the secret or the signature", async () => {
      const event = signedPost(pod(), SECRET);
      const signature = (event.headers as Record<string, string>)["x-exl-signature"] as string;
      await handleLambdaEvent(router(), event);
      await handleLambdaEvent(router(), signedPost(pod(), "wrong"));
      await handleLambdaEvent(router(), { ...event, body: "garbage" });
      const written = JSON.stringify(log.lines);
      expect(written).not.to.contain(SECRET);
      expect(written).not.to.contain(signature);
    });

    it("logs the reason of a refused body", async () => {
      await post({ action: "JOB_END" });
      expect(log.lines[0]?.fields).to.deep.include({ outcome: "invalid-body", statusCode: 400 });
      expect(log.lines[0]?.fields?.reason).to.contain("job_instance is required");
    });

    it("still answers when the logger throws", async () => {
      const throwing: Logger = {
        ...log.logger,
        info: () => {
          throw new Error("disk full");
        },
      };
      expect(
        (await handleLambdaEvent(router({ logger: throwing }), challengeEvent("x"))).statusCode,
      ).to.equal(200);
    });

    it("is silent by default", async () => {
      const quiet = createWebhookRouter({ secrets: [SECRET], workspace: "dev", plugins: [], dispatcher });
      expect((await handleLambdaEvent(quiet, challengeEvent("x"))).body).to.equal("x");
    });
  });

  describe("unexpected errors", () => {
    it("answers 500 and logs an error when a matcher throws", async () => {
      const exploding: ActivePlugin = {
        ...activeSample,
        matcher: {
          description: "explodes",
          matches: () => {
            throw new Error("boom");
          },
        },
      };
      const response = await handleLambdaEvent(router({ plugins: [exploding] }), signedPost(pod(), SECRET));
      expect(response).to.deep.equal(
        text(500, "Internal error while handling the webhook; it was not acted on and may be retried."),
      );
      expect(log.lines.find((line) => line.level === "error")?.fields).to.deep.include({
        error: "Error: boom",
      });
    });

    it("decide returns the typed outcome", async () => {
      expect(
        await lambdaOutcomeOf(router(), signedPost(pod({ name: "Other to Dev1" }), SECRET)),
      ).to.deep.equal({
        kind: "unclaimed",
        jobName: "Other to Dev1",
      });
    });
  });
});

describe("createWebhookRouter reportError", () => {
  it("is awaited with unexpected errors, and its own failure does not change the answer", async () => {
    const reported: unknown[] = [];
    const broken: ActivePlugin = {
      ...activeSample,
      plugin: {
        ...activeSample.plugin,
        buildExecution: () => {
          throw new RangeError("plugin bug");
        },
      },
    };
    const options = {
      secrets: [SECRET],
      workspace: "dev",
      plugins: [broken],
      dispatcher: new RecordingDispatcher(),
    };
    const reportError = async (error: unknown) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      reported.push(error);
    };
    const response = await handleLambdaEvent(
      createWebhookRouter({ ...options, reportError }),
      signedPost(jobEndPayload({ job_instance: { name: POD_JOB } }), SECRET),
    );
    expect(response.statusCode).to.equal(500);
    expect(reported).to.have.length(1);
    expect(reported[0]).to.be.instanceOf(RangeError);
    const failing = createWebhookRouter({
      ...options,
      reportError: () => Promise.reject(new Error("tracker down")),
    });
    expect(
      (
        await handleLambdaEvent(
          failing,
          signedPost(jobEndPayload({ job_instance: { name: POD_JOB } }), SECRET),
        )
      ).statusCode,
    ).to.equal(500);
  });
});

describe("createWebhookRouter permanent dispatch failures", () => {
  it("are handed to reportError as a DispatchFailedError; transient ones are not (issue 31: they are reported as not delivered)", async () => {
    const reported: unknown[] = [];
    const dispatcher = new RecordingDispatcher().behaveAs("permanent-failure");
    const router = createWebhookRouter({
      secrets: [SECRET],
      workspace: "dev",
      plugins: [activeSample],
      dispatcher,
      reportError: (error) => reported.push(error),
    });
    const delivery = signedPost(jobEndPayload({ job_instance: { name: POD_JOB } }), SECRET);
    expect((await handleLambdaEvent(router, delivery)).statusCode).to.equal(500);
    expect(reported).to.have.length(1);
    expect(reported[0]).to.be.instanceOf(DispatchFailedError);
    expect(reported[0]).to.deep.include({
      pluginName: "SAMPLE",
      executionName: "ppod-upload-20241106T144310-6219373120004761",
    });
    expect((reported[0] as Error).message).to.contain("AccessDeniedException");
    dispatcher.behaveAs("transient-failure");
    expect((await handleLambdaEvent(router, delivery)).statusCode).to.equal(503);
    expect(reported).to.have.length(2);
    expect(reported[1]).not.to.be.instanceOf(DispatchFailedError);
    expect(reported[1]).to.be.instanceOf(WebhookNotDeliveredError);
    expect(reported[1]).to.deep.include({
      reason: "dispatch-failed",
      webhookId: "20241106T144310-6219373120004761",
    });
  });
});
