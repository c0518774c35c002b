import { request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { signBody } from "@alma-webhooks/core";
import { createNodeMiddleware } from "@alma-webhooks/core/node";
import { almaEventPayload } from "@alma-webhooks/core/testing";
import { expect } from "chai";
import Fastify, { type FastifyInstance } from "fastify";
import { createApp, createLoanWebhooks, SERVER_LIMITS } from "../src/app.js";
import { LoanDesk } from "../src/loan-desk.js";

const SECRET = "a-fastify-secret";
const VALIDATED = "Webhook POST request received and validated";

type Reply = { status: number; body: string };

/** One request over a real socket; a GET sends no body at all. */
function call(
  port: number,
  options: { method?: string; path?: string; headers?: Record<string, string> },
  body?: string,
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
        let text = "";
        response.setEncoding("utf8").on("data", (chunk: string) => {
          text += chunk;
        });
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body: text }));
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

const signed = (body: string): Record<string, string> => ({
  "content-type": "application/json",
  "x-exl-signature": signBody(body, SECRET),
});
const post = (port: number, payload: unknown, headers = signed(JSON.stringify(payload)), path?: string) =>
  call(port, { headers, ...(path ? { path } : {}) }, JSON.stringify(payload));

async function listen(app: FastifyInstance): Promise<number> {
  await app.listen({ port: 0, host: "127.0.0.1" });
  return (app.server.address() as AddressInfo).port;
}

describe("the fastify service over HTTP on 127.0.0.1", () => {
  let app: FastifyInstance;
  let port: number;
  let desk: LoanDesk;

  beforeEach(async () => {
    desk = new LoanDesk();
    app = await createApp({ secret: SECRET, desk });
    port = await listen(app);
  });

  afterEach(() => app.close());

  it("answers Alma's challenge, a GET without a body, and its own health check", async () => {
    expect(await call(port, { method: "GET", path: "/alma/webhook?challenge=desk-123" })).to.deep.equal({
      status: 200,
      body: "desk-123",
    });
    expect(await call(port, { method: "GET", path: "/health" })).to.deep.equal({ status: 200, body: "ok" });
  });

  it("refuses an unsigned body with 401 and calls no handler", async () => {
    const reply = await post(port, almaEventPayload("LOAN"), { "content-type": "application/json" });
    expect(reply).to.deep.equal({
      status: 401,
      body: "Unable to validate signature. Has the webhook challenge secret changed?",
    });
    expect(desk.loans).to.deep.equal([]);
  });

  it("calls the LOAN_CREATED handler once, even when Alma sends the webhook again, JSON or not", async () => {
    const loan = almaEventPayload("LOAN");
    expect(await post(port, loan)).to.deep.equal({
      status: 200,
      body: `${VALIDATED}, LOAN_CREATED handled.`,
    });
    const text = JSON.stringify(loan);
    const untyped = { "x-exl-signature": signBody(text, SECRET), "content-type": "text/plain" };
    expect((await call(port, { headers: untyped }, text)).status).to.equal(200);
    expect(desk.loans).to.have.length(1);
    expect(desk.loans[0]).to.deep.include({ loanId: "7332811490004761", userId: "PRIMARY_ID_1" });
    const listed = await call(port, { method: "GET", path: "/loans" });
    expect(JSON.parse(listed.body)).to.deep.equal(desk.loans);
  });

  it("answers a kind nobody handles (BIB) 200 and leaves it", async () => {
    expect(await post(port, almaEventPayload("BIB"))).to.deep.equal({
      status: 200,
      body: `${VALIDATED}, not a JOB_END webhook so no action was taken.`,
    });
    expect(desk.loans).to.deep.equal([]);
  });

  it("keeps fastify's JSON parsing for the rest of the app, and answers other methods 405", async () => {
    const echo = await call(
      port,
      { path: "/echo", headers: { "content-type": "application/json" } },
      '{"a":1}',
    );
    expect(echo).to.deep.equal({ status: 200, body: '{"a":1}' });
    expect((await call(port, { method: "PUT" }, "x")).status).to.equal(405);
  });

  it("answers a body over the limit 413 through the router (its words, the decision line), no handler called", async () => {
    const big = JSON.stringify({ ...almaEventPayload("LOAN"), padding: "x".repeat(1024 * 1024) });
    const refused = await call(port, { headers: signed(big) }, big);
    expect(refused.status).to.equal(413);
    expect(refused.body).to.match(/^Request body of \d+ bytes is larger than/);
    expect(desk.loans).to.have.length(0);
  });
});

describe("the node middleware in a fastify route, after fastify parsed the body: a mistake", () => {
  it("answers 500 naming the cause, never 401; the challenge still works", async () => {
    const desk = new LoanDesk();
    const middleware = createNodeMiddleware(createLoanWebhooks({ secret: SECRET, desk }));
    const app = Fastify();
    app.all("/alma/webhook", async (request, reply) => {
      reply.hijack();
      await middleware(request.raw, reply.raw);
    });
    const port = await listen(app);
    const consoleError = console.error;
    const logged: unknown[] = [];
    console.error = (message: unknown) => logged.push(message);
    try {
      const reply = await post(port, almaEventPayload("LOAN"));
      expect(reply.status).to.equal(500);
      expect(reply.body).to.contain("the request stream was already read by something that ran before");
      expect(reply.body).to.contain("@alma-webhooks/core/fastify");
      expect(logged).to.deep.equal(["webhook decision: configuration error"]);
      expect(await call(port, { method: "GET", path: "/alma/webhook?challenge=ok" })).to.deep.equal({
        status: 200,
        body: "ok",
      });
      expect(desk.loans).to.deep.equal([]);
    } finally {
      console.error = consoleError;
      await app.close();
    }
  });
});

describe("the fastify service's server", () => {
  it("is bounded: a request timeout (fastify has none by default), a connection timeout, a body limit", async () => {
    const app = await createApp({ secret: SECRET, desk: new LoanDesk() });
    const { connectionTimeout, bodyLimit } = app.initialConfig;
    // fastify hands requestTimeout to node's server (it is not in initialConfig) and times idle sockets out.
    const { requestTimeout, timeout } = app.server;
    expect({ requestTimeout, connectionTimeout, bodyLimit }).to.deep.equal(SERVER_LIMITS);
    expect(timeout).to.equal(SERVER_LIMITS.connectionTimeout);
    expect(SERVER_LIMITS).to.deep.equal({
      requestTimeout: 10_000,
      connectionTimeout: 10_000,
      bodyLimit: 1024 * 1024,
    });
    await app.close();
  });
});
