import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { signBody } from "@alma-webhooks/core";
import { createNodeMiddleware } from "@alma-webhooks/core/node";
import { almaEventPayload } from "@alma-webhooks/core/testing";
import { expect } from "chai";
import express, { type Express } from "express";
import { createApp, createLoanWebhooks, limitServer } from "../src/app.js";
import { LoanDesk } from "../src/loan-desk.js";

const SECRET = "an-express-secret";
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

const signed = (body: string) => ({
  "content-type": "application/json",
  "x-exl-signature": signBody(body, SECRET),
});
const post = (port: number, payload: unknown, headers = signed(JSON.stringify(payload))) =>
  call(port, { headers }, JSON.stringify(payload));

async function listen(app: Express): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = app.listen(0, "127.0.0.1", () => {
      resolve({ server, port: (server.address() as AddressInfo).port });
    });
  });
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

describe("the Express service over HTTP on 127.0.0.1", () => {
  let server: Server;
  let port: number;
  let desk: LoanDesk;

  beforeEach(async () => {
    desk = new LoanDesk();
    ({ server, port } = await listen(createApp({ secret: SECRET, desk })));
  });

  afterEach(() => close(server));

  it("answers Alma's challenge, a GET without a body, and its own health check", async () => {
    expect(await call(port, { method: "GET", path: "/alma/webhook?challenge=desk-123" })).to.deep.equal({
      status: 200,
      body: "desk-123",
    });
    expect(await call(port, { method: "GET", path: "/health" })).to.deep.equal({ status: 200, body: "ok" });
  });

  it("refuses an unsigned body with 401 and calls no handler", async () => {
    const loan = almaEventPayload("LOAN");
    const reply = await post(port, loan, { "content-type": "application/json" } as ReturnType<typeof signed>);
    expect(reply).to.deep.equal({
      status: 401,
      body: "Unable to validate signature. Has the webhook challenge secret changed?",
    });
    expect(desk.loans).to.deep.equal([]);
  });

  it("calls the LOAN_CREATED handler once, even when Alma sends the webhook again", async () => {
    const loan = almaEventPayload("LOAN");
    expect(await post(port, loan)).to.deep.equal({
      status: 200,
      body: `${VALIDATED}, LOAN_CREATED handled.`,
    });
    expect((await post(port, loan)).status).to.equal(200);
    expect(desk.loans).to.have.length(1);
    expect(desk.loans[0]).to.deep.include({ loanId: "7332811490004761", userId: "PRIMARY_ID_1" });
    expect(desk.loans[0]?.id).to.match(/^loan-/);
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
});

describe("the handler mounted after express.json(), a mistake", () => {
  it("answers 500 naming the body parser and how to mount the handler, never 401; the challenge still works", async () => {
    const desk = new LoanDesk();
    const app = express();
    app.use(express.json());
    app.use(createNodeMiddleware(createLoanWebhooks({ secret: SECRET, desk }), { path: "/alma/webhook" }));
    const { server, port } = await listen(app);
    const logged: unknown[][] = [];
    const consoleError = console.error;
    console.error = (...line: unknown[]) => logged.push(line);
    try {
      const reply = await post(port, almaEventPayload("LOAN"));
      expect(logged.map(([message]) => message)).to.deep.equal(["webhook decision: configuration error"]);
      expect(reply.status).to.equal(500);
      expect(reply.body).to.equal(
        "The webhook body could not be read: a body parser (such as express.json()) ran before the Alma " +
          "webhook handler and parsed the body into an object: mount the Alma webhook handler before any " +
          'body parser, or give its route the raw bytes (Express: express.raw({ type: "*/*" }); fastify: ' +
          "@alma-webhooks/core/fastify). The signature covers the exact bytes Alma sent, so a parsed body " +
          "cannot be checked.",
      );
      expect(await call(port, { method: "GET", path: "/alma/webhook?challenge=ok" })).to.deep.equal({
        status: 200,
        body: "ok",
      });
      expect(desk.loans).to.deep.equal([]);
    } finally {
      console.error = consoleError;
      await close(server);
    }
  });

  it("takes a signed 150 kB webhook behind express.raw with the README's limit, where the default 100 kB answers 413", async () => {
    const large = { ...almaEventPayload("LOAN"), notes: "x".repeat(150_000) };
    for (const [options, status] of [
      [{ type: "*/*", limit: "1mb" }, 200],
      [{ type: "*/*" }, 413],
    ] as const) {
      const desk = new LoanDesk();
      const app = express();
      app.use(
        "/alma/webhook",
        express.raw(options),
        createNodeMiddleware(createLoanWebhooks({ secret: SECRET, desk })),
      );
      const { server, port } = await listen(app);
      try {
        expect((await post(port, large)).status, JSON.stringify(options)).to.equal(status);
        expect(desk.loans).to.have.length(status === 200 ? 1 : 0);
      } finally {
        await close(server);
      }
    }
  });

  it("bounds its server: request and headers timeouts, a connection cap", () => {
    const server = limitServer(createServer());
    expect([server.requestTimeout, server.headersTimeout, server.maxConnections]).to.deep.equal([
      10_000, 5_000, 200,
    ]);
  });

  it("works behind express.raw({ type: '*/*' }), which keeps the bytes", async () => {
    const desk = new LoanDesk();
    const app = express();
    app.use("/alma/webhook", express.raw({ type: "*/*" }));
    app.use(createNodeMiddleware(createLoanWebhooks({ secret: SECRET, desk }), { path: "/alma/webhook" }));
    const { server, port } = await listen(app);
    try {
      expect((await post(port, almaEventPayload("LOAN"))).status).to.equal(200);
      expect(desk.loans).to.have.length(1);
    } finally {
      await close(server);
    }
  });
});
