import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { signBody } from "@alma-webhooks/core";
import { almaEventPayload } from "@alma-webhooks/core/testing";
import { serve } from "@hono/node-server";
import { expect } from "chai";
import { createApp, limitServer } from "../src/app.js";
import { OutboxDispatcher } from "../src/outbox-dispatcher.js";

const SECRET = "a-webhook-secret";
const LIMIT = 256 * 1024;
const VALIDATED = "Webhook POST request received and validated";

type Reply = { status: number; body: string };

/** One request to the service over a real socket; `send` writes the body and may leave it unfinished. */
function call(
  port: number,
  options: { method?: string; path?: string; headers?: Record<string, string | number> },
  send: (request: ReturnType<typeof httpRequest>) => void = (request) => request.end(),
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: "127.0.0.1",
        port,
        method: options.method ?? "POST",
        path: options.path ?? "/alma/webhook",
        headers: options.headers,
      },
      (response) => {
        let body = "";
        response.setEncoding("utf8").on("data", (chunk: string) => {
          body += chunk;
        });
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    request.on("error", reject);
    send(request);
  });
}

const signedHeaders = (body: string) => ({
  "content-type": "application/json",
  "x-exl-signature": signBody(body, SECRET),
});

const post = (port: number, payload: unknown, headers = signedHeaders(JSON.stringify(payload))) =>
  call(port, { headers }, (request) => request.end(JSON.stringify(payload)));

describe("the Hono service over HTTP on 127.0.0.1", () => {
  let server: Server;
  let port: number;
  let dispatcher: OutboxDispatcher;

  beforeEach(async () => {
    dispatcher = new OutboxDispatcher();
    const app = createApp({
      env: { ALMA_CHALLENGE_SECRET: SECRET, LOAN_DESK_OUTBOX: "circulation-desk" },
      dispatcher,
      maxBodyBytes: LIMIT,
    });
    await new Promise<void>((resolve) => {
      server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info: AddressInfo) => {
        port = info.port;
        resolve();
      }) as Server;
    });
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("answers Alma's challenge and its own health check", async () => {
    expect(await call(port, { method: "GET", path: "/alma/webhook?challenge=desk-123" })).to.deep.equal({
      status: 200,
      body: "desk-123",
    });
    expect(await call(port, { method: "GET", path: "/health" })).to.deep.equal({ status: 200, body: "ok" });
  });

  it("refuses a body whose signature does not match with 401, and adds nothing", async () => {
    const loan = almaEventPayload("LOAN");
    const reply = await post(port, loan, signedHeaders(`${JSON.stringify(loan)} `));
    expect(reply.status).to.equal(401);
    expect(dispatcher.entries).to.deep.equal([]);
  });

  it("hands a routed LOAN to the outbox once, even when Alma sends it again", async () => {
    const loan = almaEventPayload("LOAN");
    const first = await post(port, loan);
    expect(first).to.deep.equal({ status: 200, body: `${VALIDATED}, LOAN_DESK pipeline initiated.` });
    expect((await post(port, loan)).status).to.equal(200);
    expect(dispatcher.entries).to.have.length(1);
    expect(dispatcher.entries[0]).to.deep.include({
      outbox: "circulation-desk",
      input: { event: "LOAN_CREATED", loanId: "7332811490004761", userId: "PRIMARY_ID_1" },
    });
  });

  it("answers a kind nobody routes 200 and leaves it", async () => {
    const reply = await post(port, almaEventPayload("BIB"));
    expect(reply).to.deep.equal({
      status: 200,
      body: `${VALIDATED}, not a JOB_END webhook so no action was taken.`,
    });
    expect(dispatcher.entries).to.deep.equal([]);
  });

  it("takes a body split across many chunks", async () => {
    const loan = JSON.stringify(almaEventPayload("LOAN"));
    const reply = await call(port, { headers: signedHeaders(loan) }, (request) => {
      const bytes = Buffer.from(loan);
      for (let at = 0; at < bytes.length; at += 16) request.write(bytes.subarray(at, at + 16));
      request.end();
    });
    expect(reply.status).to.equal(200);
    expect(dispatcher.entries).to.have.length(1);
  });

  it("answers an oversized body 413 before it has all been sent", async () => {
    const reply = await call(port, { headers: { "content-type": "application/json" } }, (request) => {
      // More than the limit, and the request is never ended: only an answer from what was read ends this.
      request.write(Buffer.alloc(LIMIT + 1024, 0x20));
    });
    expect(reply.status).to.equal(413);
    const declared = await call(port, { headers: { "content-length": LIMIT * 20 } }, (request) => {
      request.flushHeaders(); // the headers alone: not a byte of the body
    });
    expect(declared.status).to.equal(413);
    expect(dispatcher.entries).to.deep.equal([]);
  });
});

describe("the Hono service's server", () => {
  it("is bounded: request and headers timeouts, a connection cap", () => {
    const server = limitServer(createServer());
    expect([server.requestTimeout, server.headersTimeout, server.maxConnections]).to.deep.equal([
      10_000, 5_000, 200,
    ]);
  });
});
