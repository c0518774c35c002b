import { createHmac } from "node:crypto";
import {
  counter,
  functionUrlEvent,
  jobEndPayload,
  RecordingDispatcher,
  signedPost,
} from "@alma-webhooks/core/testing";
import { expect } from "chai";
import { JOBS, SECRET } from "../support/environment.js";
import { handlerWithFakes } from "../support/handler.js";

// Edge cases found while building the property tests (by the generators or in review), kept as plain tests.
describe("reliability regressions", () => {
  const dispatcher = new RecordingDispatcher();
  const { handler, logger } = handlerWithFakes({ dispatcher });
  const sign = (body: string) => createHmac("sha256", SECRET).update(body).digest("base64");

  it("does not copy a malformed body into the log (V8 quotes it in JSON.parse errors)", async () => {
    const body = '{"action": JOB_END, "note": "private-text-from-the-client"}';
    const response = await handler(functionUrlEvent({ body, headers: { "x-exl-signature": sign(body) } }));
    expect(response.statusCode).to.equal(400);
    expect(JSON.stringify(logger.lines)).not.to.contain("private-text-from-the-client");
  });

  it("answers 400 to a signed JSON null, number or string body", async () => {
    for (const [body, what] of [
      ["null", "null"],
      ["12", "a number"],
      ['"JOB_END"', "a string"],
    ] as const) {
      const response = await handler(functionUrlEvent({ body, headers: { "x-exl-signature": sign(body) } }));
      expect([response.statusCode, response.body]).to.deep.equal([
        400,
        `Malformed webhook body. The body must be a JSON object with an 'action', not ${what}.`,
      ]);
    }
  });

  it("starts for a record counter of any number of digits, and not for one of zeros", async () => {
    const payload = (value: string) =>
      jobEndPayload({ job_instance: { name: JOBS.PPOD, counter: [counter("label.new.records", value)] } });
    expect((await handler(signedPost(payload("0".repeat(25)), SECRET))).statusCode).to.equal(200);
    expect(dispatcher.requests).to.deep.equal([]);
    expect((await handler(signedPost(payload("9".repeat(25)), SECRET))).statusCode).to.equal(200);
    expect(dispatcher.requests.map((request) => request.plugin)).to.deep.equal(["PPOD"]);
  });

  it("treats isBase64Encoded given as the string 'true' as not encoded", async () => {
    const body = JSON.stringify(jobEndPayload({ job_instance: { name: "Other to Dev1" } }));
    const event = {
      ...functionUrlEvent({ body, headers: { "x-exl-signature": sign(body) } }),
      isBase64Encoded: "true",
    };
    expect((await handler(event)).statusCode).to.equal(200);
  });

  it("answers 400 to an empty multi-value challenge list", async () => {
    const event = {
      httpMethod: "GET",
      multiValueQueryStringParameters: { challenge: [] },
      queryStringParameters: null,
    };
    expect((await handler(event)).statusCode).to.equal(400);
  });

  it("ignores a __proto__ header name and non-string header values", async () => {
    const event = JSON.parse(
      '{"httpMethod":"GET","headers":{"__proto__":{"x":1},"a":7},"queryStringParameters":{"challenge":"c"}}',
    );
    expect((await handler(event)).body).to.equal("c");
  });

  it("answers 400 to events that are not objects or whose http field is null", async () => {
    for (const event of [Buffer.from("GET /"), 42, [], { version: "2.0", requestContext: { http: null } }]) {
      expect((await handler(event)).statusCode).to.equal(400);
    }
  });
});
