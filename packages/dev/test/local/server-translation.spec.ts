import { request as httpRequest } from "node:http";
import { createServer, type Server } from "node:net";
import { DEFAULT_MAX_BODY_BYTES } from "@alma-webhooks/core";
import { normaliseEvent } from "@alma-webhooks/core/lambda";
import { PortInUseError } from "@alma-webhooks/local-aws/errors";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { expect } from "chai";
import {
  answerOf,
  EMULATOR_PATH,
  functionUrlEventOf,
  type LocalInvoke,
  type LocalServer,
  startLocalServer,
} from "../../src/local/server.js";
import { getWithHost } from "./server-child.js";

const NOW = new Date("2024-11-06T14:43:11.000Z");

describe("local server: request → Function URL event", () => {
  it("lowercases header names, joins repeats with commas and moves cookies to `cookies`", () => {
    const event = functionUrlEventOf({
      method: "post",
      url: "/",
      rawHeaders: [
        "Host",
        "localhost:9000",
        "X-Exl-Signature",
        "abc=",
        "X-Dup",
        "a",
        "x-dup",
        "b",
        "Cookie",
        "a=1; b=2",
      ],
      body: Buffer.alloc(0),
      now: NOW,
    });
    expect(event.headers).to.include({ host: "localhost:9000", "x-exl-signature": "abc=", "x-dup": "a,b" });
    expect(event.headers).not.to.have.property("cookie");
    expect(event.cookies).to.deep.equal(["a=1", "b=2"]);
    expect(event.requestContext.http.method).to.equal("POST");
  });

  it("keeps the raw query string and decodes the parameters, joining repeats with commas", () => {
    const event = functionUrlEventOf({
      method: "GET",
      url: "/hook/path?challenge=a%20b+c&x=1&x=2&flag",
      rawHeaders: [],
      body: Buffer.alloc(0),
    });
    expect(event.rawPath).to.equal("/hook/path");
    expect(event.rawQueryString).to.equal("challenge=a%20b+c&x=1&x=2&flag");
    expect(event.queryStringParameters).to.deep.equal({ challenge: "a b c", x: "1,2", flag: "" });
    expect(event.requestContext.http.path).to.equal("/hook/path");
  });

  it("leaves out queryStringParameters and body when there are none, as Function URLs do", () => {
    const event = functionUrlEventOf({ method: "GET", url: "/", rawHeaders: [], body: Buffer.alloc(0) });
    expect(event).not.to.have.property("queryStringParameters");
    expect(event).not.to.have.property("body");
    expect(event.isBase64Encoded).to.equal(false);
    expect(event.rawQueryString).to.equal("");
  });

  it("base64-encodes the body so the exact bytes, invalid UTF-8 included, reach the handler", () => {
    const bytes = Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0x7d]);
    const event = functionUrlEventOf({ method: "POST", url: "/", rawHeaders: [], body: bytes });
    expect(event.isBase64Encoded).to.equal(true);
    expect(Buffer.from(event.body ?? "", "base64").equals(bytes)).to.equal(true);
    const normalised = normaliseEvent(event);
    expect(normalised.ok && normalised.request.body.equals(bytes)).to.equal(true);
  });

  it("fills the payload 2.0 request context", () => {
    const event = functionUrlEventOf({
      method: "GET",
      url: "/",
      rawHeaders: ["User-Agent", "curl/8", "Host", "127.0.0.1:9000"],
      body: Buffer.alloc(0),
      sourceIp: "127.0.0.1",
      requestId: "req-1",
      now: NOW,
    });
    expect(event.version).to.equal("2.0");
    expect(event.routeKey).to.equal("$default");
    expect(event.requestContext).to.deep.include({
      requestId: "req-1",
      time: "06/Nov/2024:14:43:11 +0000",
      timeEpoch: NOW.getTime(),
      domainName: "127.0.0.1:9000",
    });
    expect(event.requestContext.http).to.deep.equal({
      method: "GET",
      path: "/",
      protocol: "HTTP/1.1",
      sourceIp: "127.0.0.1",
      userAgent: "curl/8",
    });
  });

  it("keeps headers and query parameters named like Object's own properties as plain names", () => {
    const event: APIGatewayProxyEventV2 = functionUrlEventOf({
      method: "GET",
      url: "/?constructor=a&toString=b&__proto__=c&hasOwnProperty=d",
      rawHeaders: ["Constructor", "1", "toString", "2", "__proto__", "3"],
      body: Buffer.alloc(0),
    });
    expect(Object.entries(event.headers)).to.deep.include.members([
      ["constructor", "1"],
      ["tostring", "2"],
      ["__proto__", "3"],
    ]);
    expect(Object.entries(event.queryStringParameters ?? {})).to.deep.equal([
      ["constructor", "a"],
      ["toString", "b"],
      ["__proto__", "c"],
      ["hasOwnProperty", "d"],
    ]);
  });
});

describe("local server: handler result → HTTP answer", () => {
  it("uses the statusCode, headers and body of an HTTP response", () => {
    const answer = answerOf({
      statusCode: 401,
      headers: { "Content-Type": "text/plain" },
      body: "no",
      isBase64Encoded: false,
    });
    expect(answer.status).to.equal(401);
    expect(answer.headers).to.deep.equal({ "content-type": "text/plain" });
    expect(answer.body.toString()).to.equal("no");
  });

  it("decodes a base64 body and turns cookies into set-cookie", () => {
    const answer = answerOf({
      statusCode: 200,
      body: Buffer.from([1, 2]).toString("base64"),
      isBase64Encoded: true,
      cookies: ["a=1"],
    });
    expect([...answer.body]).to.deep.equal([1, 2]);
    expect(answer.headers["set-cookie"]).to.deep.equal(["a=1"]);
  });

  it("answers 200 JSON for a result that is not an HTTP response", () => {
    expect(answerOf({ hello: "world" })).to.deep.include({
      status: 200,
      headers: { "content-type": "application/json" },
    });
    expect(answerOf(undefined).body.toString()).to.equal("null");
  });
});

describe("local server: HTTP", () => {
  let server: LocalServer | undefined;
  const events: unknown[] = [];
  let result: unknown = {
    statusCode: 200,
    headers: { "content-type": "text/plain" },
    body: "ok",
    isBase64Encoded: false,
  };
  const invoke: LocalInvoke = async (event) => {
    events.push(event);
    if (result instanceof Error) throw result;
    return result;
  };

  beforeEach(async () => {
    events.length = 0;
    result = {
      statusCode: 200,
      headers: { "content-type": "text/plain" },
      body: "ok",
      isBase64Encoded: false,
    };
    server = await startLocalServer({ invoke });
  });
  afterEach(async () => {
    await server?.close();
  });

  /** A raw request, so that the bytes sent are exactly these (fetch would re-encode nothing, but be sure). */
  function send(
    method: string,
    path: string,
    body?: Buffer,
  ): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        `${server?.url}${path}`,
        { method, headers: { "X-Exl-Signature": "sig" } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString(),
              headers: res.headers,
            }),
          );
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  }

  it("passes the exact body bytes and lowercased headers to the handler and answers with its response", async () => {
    const bytes = Buffer.from([0x7b, 0xc3, 0x28, 0x7d]); // invalid UTF-8 on purpose
    result = { statusCode: 202, headers: { "X-Answer": "yes" }, body: "accepted", isBase64Encoded: false };
    const answer = await send("POST", "/?a=1", bytes);
    expect(answer).to.deep.include({ status: 202, body: "accepted" });
    expect(answer.headers["x-answer"]).to.equal("yes");
    const event = events[0] as APIGatewayProxyEventV2;
    expect(event.headers["x-exl-signature"]).to.equal("sig");
    expect(Buffer.from(event.body ?? "", "base64").equals(bytes)).to.equal(true);
    expect(event.queryStringParameters).to.deep.equal({ a: "1" });
  });

  it("hands the emulator path's JSON body to the handler as the event and answers its result as JSON", async () => {
    result = { statusCode: 400, body: "bad" };
    const answer = await send("POST", EMULATOR_PATH, Buffer.from('{"hello":"world"}'));
    expect(events).to.deep.equal([{ hello: "world" }]);
    expect(answer.status).to.equal(200);
    expect(JSON.parse(answer.body)).to.deep.equal({ statusCode: 400, body: "bad" });
  });

  it("treats an empty emulator body as {} and refuses invalid JSON with 400", async () => {
    await send("POST", EMULATOR_PATH);
    expect(events).to.deep.equal([{}]);
    const answer = await send("POST", EMULATOR_PATH, Buffer.from("{nope"));
    expect(answer.status).to.equal(400);
    expect(JSON.parse(answer.body).errorType).to.equal("InvalidRequestContentException");
  });

  it("answers 405 to anything but POST on the emulator path", async () => {
    expect((await send("GET", EMULATOR_PATH)).status).to.equal(405);
    expect(events).to.have.length(0);
  });

  it("answers 502 like a Function URL when the handler throws, and reports the error on the emulator path", async () => {
    result = new TypeError("boom");
    expect(await send("POST", "/")).to.deep.include({ status: 502, body: "Internal Server Error" });
    const answer = await send("POST", EMULATOR_PATH, Buffer.from("{}"));
    expect(answer.headers["x-amz-function-error"]).to.equal("Unhandled");
    expect(JSON.parse(answer.body)).to.deep.equal({ errorType: "TypeError", errorMessage: "boom" });
  });

  it("answers 413 above Lambda's 6 MB payload limit without calling the handler", async () => {
    const answer = await send("POST", "/", Buffer.alloc(DEFAULT_MAX_BODY_BYTES + 1, 0x61));
    expect(answer.status).to.equal(413);
    expect(events).to.have.length(0);
  });

  it("answers 421 to a Host that is not the loopback name or address it listens on", async () => {
    const { url, port } = server as LocalServer;
    for (const host of ["evil.example", `evil.example:${port}`, "127.0.0.1:1", "192.168.1.2"]) {
      expect((await getWithHost(url, host)).status, host).to.equal(421);
    }
    expect(events).to.have.length(0);
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) {
      expect(await getWithHost(url, host), host).to.deep.equal({ status: 200, body: "ok" });
    }
  });

  it("rejects with PortInUseError, naming the port and the way out, when the port is taken", async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const error = await startLocalServer({ invoke, port }).then(
        () => expect.fail("expected a rejection"),
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(PortInUseError);
      expect((error as Error).message).to.equal(
        `Port ${port} is already in use: stop the other process or set PORT=${port + 1}`,
      );
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
