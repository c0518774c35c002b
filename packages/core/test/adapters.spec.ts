import { once } from "node:events";
import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { createFetchHandler } from "../src/adapters/fetch.js";
import { handleLambdaEvent } from "../src/adapters/lambda.js";
import { createNodeMiddleware } from "../src/adapters/node.js";
import { createWebhookRouter, type HttpRequest, type WebhookRouter } from "../src/index.js";
import {
  challengeEvent,
  counter,
  jobEndPayload,
  RecordingDispatcher,
  signBody,
  signedPost,
} from "../src/testing/index.js";
import { activeSample, POD_JOB, SECRET } from "./fixtures/plugins.js";

const LIMIT = 64 * 1024;
const podBody = JSON.stringify(
  jobEndPayload({ job_instance: { name: POD_JOB, counter: [counter("label.new.records", 3)] } }),
);
const signed = { "content-type": "application/json", "x-exl-signature": signBody(podBody, SECRET) };

function makeRouter(dispatcher = new RecordingDispatcher()): WebhookRouter {
  return createWebhookRouter({
    secrets: [SECRET],
    workspace: "dev",
    plugins: [activeSample],
    dispatcher,
    maxBodyBytes: LIMIT,
  });
}

describe("router.handleRequest", () => {
  it("answers exactly as router.handle does for the same request, text or bytes", async () => {
    const router = makeRouter();
    const pairs: [unknown, HttpRequest][] = [
      [challengeEvent("abc"), { method: "get", headers: {}, query: { challenge: "abc" }, body: "" }],
      [
        signedPost(podBody, SECRET),
        { method: "POST", headers: { "X-Exl-Signature": signed["x-exl-signature"] }, body: podBody },
      ],
      [
        signedPost(podBody, SECRET, { headers: { "x-exl-signature": "wrong" } }),
        { method: "POST", headers: { "x-exl-signature": "wrong" }, body: new TextEncoder().encode(podBody) },
      ],
      [
        signedPost("x".repeat(LIMIT + 1), SECRET),
        { method: "POST", headers: {}, body: "x".repeat(LIMIT + 1) },
      ],
    ];
    for (const [event, request] of pairs) {
      expect(await router.handleRequest(request)).to.deep.equal(await handleLambdaEvent(router, event));
    }
  });

  it("answers 413 from bodyBytes, joins repeated headers and takes the first query value", async () => {
    const router = makeRouter();
    const tooLarge = await router.handleRequest({
      method: "POST",
      headers: {},
      body: "",
      bodyBytes: LIMIT + 5,
    });
    expect(tooLarge.statusCode).to.equal(413);
    expect(tooLarge.body).to.contain(`${LIMIT + 5} bytes`);
    const query = new URLSearchParams("challenge=first&challenge=second");
    expect((await router.handleRequest({ method: "GET", headers: {}, query, body: "" })).body).to.equal(
      "first",
    );
    const listed = { challenge: ["one", "two"] };
    expect(
      (await router.handleRequest({ method: "GET", headers: {}, query: listed, body: "" })).body,
    ).to.equal("one");
    const split = { "x-exl-signature": [signed["x-exl-signature"]], "content-type": undefined };
    expect(
      (await router.handleRequest({ method: "POST", headers: split, body: podBody })).statusCode,
    ).to.equal(200);
  });
});

type Reply = { status: number; body: string; headers: IncomingMessage["headers"] };

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
  );
}

/** One request over a real socket; `send` writes the body as it likes and may leave it unfinished. */
function call(
  port: number,
  options: { method?: string; path?: string; headers?: Record<string, string | number> },
  send: (write: (chunk: string | Buffer) => void, end: () => void, flush: () => void) => void = (
    _write,
    end,
  ) => end(),
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: "127.0.0.1",
        port,
        method: options.method ?? "POST",
        path: options.path ?? "/",
        headers: options.headers,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    req.on("error", reject);
    send(
      (chunk) => req.write(chunk),
      () => req.end(),
      () => req.flushHeaders(),
    );
  });
}

describe("createNodeMiddleware over node:http", () => {
  let server: Server;
  let port: number;
  let dispatcher: RecordingDispatcher;
  let nexted: string[];

  beforeEach(async () => {
    dispatcher = new RecordingDispatcher();
    nexted = [];
    const middleware = createNodeMiddleware(makeRouter(dispatcher), { path: "/webhook" });
    server = createServer((req, res) =>
      middleware(req, res, () => {
        nexted.push(req.url ?? "");
        res.writeHead(418).end("next");
      }),
    );
    port = await listen(server);
  });

  afterEach(async () => {
    server.closeAllConnections();
    server.close();
    await once(server, "close");
  });

  it("answers the challenge, a signed job end and an unsigned one", async () => {
    const challenge = await call(port, { method: "GET", path: "/webhook?challenge=a%20b" });
    expect(challenge).to.include({ status: 200, body: "a b" });
    const started = await call(port, { path: "/webhook", headers: signed }, (write, end) => {
      write(podBody);
      end();
    });
    expect(started.status).to.equal(200);
    expect(started.body).to.equal("Webhook POST request received and validated, SAMPLE pipeline initiated.");
    expect(dispatcher.requests).to.have.length(1);
    const unsigned = await call(port, { path: "/webhook" }, (write, end) => {
      write(podBody);
      end();
    });
    expect(unsigned.status).to.equal(401);
    expect(dispatcher.requests).to.have.length(1);
  });

  it("takes a body split across many small chunks", async () => {
    const reply = await call(port, { path: "/webhook", headers: signed }, (write, end) => {
      const bytes = Buffer.from(podBody);
      for (let at = 0; at < bytes.length; at += 7) write(bytes.subarray(at, at + 7));
      end();
    });
    expect(reply.status).to.equal(200);
    expect(dispatcher.requests).to.have.length(1);
  });

  it("answers 413 to a declared length over the limit before any byte is sent", async () => {
    const headers = { ...signed, "content-length": LIMIT * 10 };
    const reply = await call(port, { path: "/webhook", headers }, (_write, _end, flush) => {
      // Only the headers are sent and the request is never finished: only an early answer ends this test.
      flush();
    });
    expect(reply.status).to.equal(413);
    expect(reply.body).to.contain(`${LIMIT * 10} bytes`);
    expect(reply.headers.connection).to.equal("close");
  });

  it("answers 413 to a chunked body as soon as it passes the limit, without waiting for the rest", async () => {
    const reply = await call(port, { path: "/webhook", headers: signed }, (write) => {
      // The request stays open: the server must answer from what it has read.
      write(Buffer.alloc(LIMIT + 1, 0x20));
    });
    expect(reply.status).to.equal(413);
    expect(dispatcher.requests).to.have.length(0);
  });

  it("passes other paths to next, and a client gone mid-body costs nothing", async () => {
    const other = await call(port, { method: "GET", path: "/health" });
    expect(other).to.include({ status: 418, body: "next" });
    expect(nexted).to.deep.equal(["/health"]);
    await new Promise<void>((resolve) => {
      const req = httpRequest({ host: "127.0.0.1", port, method: "POST", path: "/webhook", headers: signed });
      req.on("error", () => resolve());
      req.write(podBody.slice(0, 10), () => {
        req.destroy();
        resolve();
      });
    });
    const after = await call(port, { method: "GET", path: "/webhook?challenge=still" });
    expect(after).to.include({ status: 200, body: "still" });
  });

  it("answers 404 for another path without next", async () => {
    const standalone = createServer(createNodeMiddleware(makeRouter(), { path: "/webhook" }));
    const own = await listen(standalone);
    try {
      expect((await call(own, { method: "GET", path: "/elsewhere" })).status).to.equal(404);
      expect((await call(own, { method: "GET", path: "/webhook?challenge=x" })).body).to.equal("x");
    } finally {
      standalone.close();
    }
  });
});

/** A request whose body stream counts what was pulled from it. */
function streamedRequest(chunks: readonly Uint8Array[], headers: Record<string, string> = {}) {
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const chunk = chunks[pulled];
        pulled += 1;
        if (chunk === undefined) controller.close();
        else controller.enqueue(chunk);
      },
    },
    { highWaterMark: 0 }, // nothing is pulled before the handler reads
  );
  const request = new Request("http://localhost/webhook", {
    method: "POST",
    headers,
    body,
    duplex: "half",
  } as RequestInit);
  return { request, pulled: () => pulled };
}

describe("createFetchHandler", () => {
  it("answers the challenge and a signed job end with the router's headers", async () => {
    const dispatcher = new RecordingDispatcher();
    const handle = createFetchHandler(makeRouter(dispatcher));
    const challenge = await handle(new Request("http://localhost/webhook?challenge=xyz"));
    expect(challenge.status).to.equal(200);
    expect(await challenge.text()).to.equal("xyz");
    expect(challenge.headers.get("cache-control")).to.equal("no-store");
    const started = await handle(
      new Request("http://localhost/webhook", { method: "POST", headers: signed, body: podBody }),
    );
    expect(started.status).to.equal(200);
    expect(dispatcher.requests).to.have.length(1);
  });

  it("reads a body of many chunks, and stops reading one past the limit", async () => {
    const handle = createFetchHandler(makeRouter());
    const bytes = new TextEncoder().encode(podBody);
    const pieces = Array.from({ length: Math.ceil(bytes.length / 5) }, (_, i) =>
      bytes.subarray(i * 5, i * 5 + 5),
    );
    const many = streamedRequest(pieces, signed);
    expect((await handle(many.request)).status).to.equal(200);

    const huge = streamedRequest(
      Array.from({ length: 100 }, () => new Uint8Array(LIMIT / 4)),
      signed,
    );
    const refused = await handle(huge.request);
    expect(refused.status).to.equal(413);
    expect(huge.pulled()).to.be.lessThan(10);
  });

  it("answers 413 to a declared length over the limit without reading, and 400 to a broken stream", async () => {
    const handle = createFetchHandler(makeRouter());
    const declared = streamedRequest([new Uint8Array(1)], { ...signed, "content-length": String(LIMIT + 1) });
    expect((await handle(declared.request)).status).to.equal(413);
    expect(declared.pulled()).to.equal(0);
    const broken = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(new Error("connection reset"));
      },
    });
    const request = new Request("http://localhost/", {
      method: "POST",
      body: broken,
      duplex: "half",
    } as RequestInit);
    expect((await handle(request)).status).to.equal(400);
  });
});

describe("the adapters' body limits: a default that fits Alma, a read that gives up on a stalled client", () => {
  const router = () =>
    createWebhookRouter({
      secrets: [SECRET],
      workspace: "dev",
      plugins: [activeSample],
      dispatcher: new RecordingDispatcher(),
    });
  let server: Server;
  let port: number;
  const serve = async (options: Parameters<typeof createNodeMiddleware>[1]) => {
    const middleware = createNodeMiddleware(router(), options);
    server = createServer((req, res) => middleware(req, res));
    port = await listen(server);
  };
  afterEach(async () => {
    server.closeAllConnections();
    server.close();
    await once(server, "close");
  });

  it("answers 413 above 1 MiB by default, though the router would take 6 MiB", async () => {
    await serve({});
    const headers = { ...signed, "content-length": 1024 * 1024 + 1 };
    const reply = await call(port, { headers }, (_write, _end, flush) => flush());
    expect(reply.status).to.equal(413);
    expect(reply.body).to.contain("limit of 1048576 bytes");
  });

  it("answers 408 and closes the connection when the body stalls past bodyTimeoutMs", async () => {
    await serve({ bodyTimeoutMs: 150 });
    const started = Date.now();
    const reply = await call(port, { headers: { ...signed, "content-length": podBody.length } }, (write) =>
      write(podBody.slice(0, 10)),
    );
    expect(reply.status).to.equal(408);
    expect(reply.body).to.equal("The request body was not received within 150 ms.");
    expect(reply.headers.connection).to.equal("close");
    expect(Date.now() - started).to.be.below(2000);
  });

  it("the Fetch handler answers 408 to a stream that stalls, and cancels it", async () => {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(podBody.slice(0, 10)));
      },
      cancel() {
        cancelled = true;
      },
    });
    const request = new Request("http://localhost/", {
      method: "POST",
      headers: signed,
      body,
      duplex: "half",
    } as RequestInit);
    const response = await createFetchHandler(router(), { bodyTimeoutMs: 100 })(request);
    expect(response.status).to.equal(408);
    expect(cancelled).to.equal(true);
  });
});
