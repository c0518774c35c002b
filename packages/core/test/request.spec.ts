import { expect } from "chai";
import { normaliseEvent } from "../src/adapters/lambda.js";
import { albEvent, apiGatewayV1Event, functionUrlEvent } from "../src/testing/index.js";

function requestOf(event: unknown) {
  const result = normaliseEvent(event);
  if (!result.ok) throw new Error(`expected a request, got: ${result.reason}`);
  return result.request;
}

describe("normaliseEvent", () => {
  it("reads a Function URL (payload 2.0) event", () => {
    const request = requestOf(
      functionUrlEvent({
        method: "post",
        headers: { "X-Exl-Signature": "sig" },
        body: "{}",
        requestId: "r1",
      }),
    );
    expect(request).to.deep.include({ method: "POST", requestId: "r1", front: "function-url", query: {} });
    expect(request.headers["x-exl-signature"]).to.equal("sig");
    expect(request.body.toString()).to.equal("{}");
  });

  it("reads an API Gateway v1 event and lowercases header names given in any case", () => {
    const request = requestOf(apiGatewayV1Event({ headers: { "X-EXL-Signature": "sig" }, body: "{}" }));
    expect(request.front).to.equal("api-gateway-v1");
    expect(request.headers["x-exl-signature"]).to.equal("sig");
    expect(request.requestId).to.equal("req-api-gateway-v1");
  });

  it("reads API Gateway v1 headers from single-value headers when multiValueHeaders is absent", () => {
    const event = {
      ...apiGatewayV1Event({ headers: { "X-Exl-Signature": "sig" } }),
      multiValueHeaders: undefined,
    };
    expect(requestOf(event).headers["x-exl-signature"]).to.equal("sig");
  });

  it("joins repeated multi-value headers with a comma", () => {
    const event = { ...apiGatewayV1Event(), multiValueHeaders: { Accept: ["a", "b"] } };
    expect(requestOf(event).headers.accept).to.equal("a, b");
  });

  it("reads an ALB event, decodes its URL-encoded query and takes the trace id as request id", () => {
    const request = requestOf(
      albEvent({ method: "GET", query: { challenge: "a b&c=d" }, requestId: "Root=1-x" }),
    );
    expect(request).to.deep.include({ front: "alb", method: "GET", requestId: "Root=1-x" });
    expect(request.query).to.deep.equal({ challenge: "a b&c=d" });
  });

  it("keeps a malformed percent-encoding in an ALB query as it came", () => {
    const event = { ...albEvent({ method: "GET" }), queryStringParameters: { challenge: "%E0%A4%A" } };
    expect(requestOf(event).query.challenge).to.equal("%E0%A4%A");
  });

  it("takes the first value of a repeated query parameter", () => {
    const event = {
      ...apiGatewayV1Event({ method: "GET" }),
      queryStringParameters: { challenge: "second" },
      multiValueQueryStringParameters: { challenge: ["first", "second"] },
    };
    expect(requestOf(event).query.challenge).to.equal("first");
  });

  it("reads headers and query parameters named like Object's own properties as plain names", () => {
    const event = {
      httpMethod: "GET",
      headers: { Constructor: "c", toString: "t" },
      queryStringParameters: { toString: "x", hasOwnProperty: "y" },
    };
    const request = requestOf(event);
    expect(request.headers).to.deep.equal({ constructor: "c", tostring: "t" });
    expect(request.query).to.deep.equal({ toString: "x", hasOwnProperty: "y" });
  });

  it("treats a null query map as no query", () => {
    expect(requestOf(apiGatewayV1Event({ method: "GET", query: null })).query).to.deep.equal({});
  });

  it("decodes a base64 body to the exact bytes sent", () => {
    const bytes = Buffer.from([0x00, 0xff, 0xfe, 0x41, 0xe2, 0x82, 0xac]);
    expect(requestOf(functionUrlEvent({ body: bytes })).body.equals(bytes)).to.equal(true);
  });

  it("keeps multibyte UTF-8 text bodies byte for byte", () => {
    const body = '{"name":"Export à Dév1 — 東京"}';
    expect(requestOf(apiGatewayV1Event({ body })).body.equals(Buffer.from(body, "utf8"))).to.equal(true);
  });

  it("keeps a text body's original string, and none for a base64 body", () => {
    expect(requestOf(functionUrlEvent({ body: '{"a":"é"}' })).text).to.equal('{"a":"é"}');
    expect(requestOf(functionUrlEvent({ body: '{"a":1}', base64: true })).text).to.equal(undefined);
  });

  it("gives an empty body when there is none", () => {
    expect(requestOf(functionUrlEvent({ method: "GET" })).body.length).to.equal(0);
  });

  it("falls back to 'unknown' when no request id is present", () => {
    const event = { httpMethod: "GET", headers: {} };
    expect(requestOf(event).requestId).to.equal("unknown");
  });

  for (const [label, event] of [
    ["an empty object", {}],
    ["null", null],
    ["an array", []],
    ["a string", "GET /"],
    ["a non-string method", { httpMethod: 42 }],
    ["a payload 2.0 event without http", { version: "2.0", requestContext: {} }],
  ] as const) {
    it(`refuses ${label} as not an HTTP event`, () => {
      expect(normaliseEvent(event).ok).to.equal(false);
    });
  }

  it("refuses a body that is not a string, saying so", () => {
    expect(normaliseEvent({ httpMethod: "POST", body: { action: "JOB_END" } })).to.deep.equal({
      ok: false,
      reason: "the event's body is not a string",
    });
  });
});
