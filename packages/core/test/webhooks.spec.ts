import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import sinon from "sinon";
import {
  createFastifyPlugin,
  type FastifyLike,
  type FastifyReplyLike,
  type FastifyRequestLike,
} from "../src/adapters/fastify.js";
import { createFetchHandler } from "../src/adapters/fetch.js";
import { handleLambdaEvent, lambdaOutcomeOf } from "../src/adapters/lambda.js";
import { createNodeMiddleware } from "../src/adapters/node.js";
import {
  createWebhooks,
  type HandlerContext,
  InvalidPluginError,
  InvalidRouterOptionsError,
  type LoanPayload,
  type Logger,
  signBody,
  TransientError,
  type Webhooks,
} from "../src/index.js";
import {
  almaEventPayload,
  challengeEvent,
  counter,
  failedJobEndPayload,
  jobEndPayload,
  signedPost,
} from "../src/testing/index.js";

const SECRET = "handler-secret";
const VALIDATED = "Webhook POST request received and validated";
const JOB = "MARC Export to Dev1";

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const make = (options: Partial<Parameters<typeof createWebhooks>[0]> = {}): Webhooks =>
  createWebhooks({ secret: SECRET, logger: quiet, ...options });
const deliver = async (webhooks: Webhooks, payload: unknown) => {
  const { statusCode, body } = await handleLambdaEvent(webhooks, signedPost(payload, SECRET));
  return { statusCode, body };
};

describe("createWebhooks", () => {
  afterEach(() => sinon.restore());

  it("calls the handler of an event with its typed payload, id and raw body, and answers 200 handled", async () => {
    const seen: HandlerContext<LoanPayload>[] = [];
    const webhooks = make().on("LOAN.LOAN_CREATED", async (context) => {
      await Promise.resolve();
      seen.push(context);
    });
    const loan = almaEventPayload("LOAN");
    expect(await deliver(webhooks, loan)).to.deep.equal({
      statusCode: 200,
      body: `${VALIDATED}, LOAN_CREATED handled.`,
    });
    expect(seen).to.have.length(1);
    const [context] = seen;
    expect(context?.payload.item_loan?.loan_id).to.equal("7332811490004761");
    expect(context?.rawBody.toString("utf8")).to.equal(JSON.stringify(loan));
    expect([context?.action, context?.event]).to.deep.equal(["LOAN", "LOAN_CREATED"]);
    expect(context?.id).to.match(/^loan-\d{8}T\d{6}-/);
  });

  it("gives a redelivery the same id and two webhooks different ids, the same to every handler", async () => {
    const ids: string[] = [];
    const webhooks = make()
      .on("LOAN", ({ id }) => ids.push(id))
      .onAny(({ id }) => ids.push(id));
    const first = almaEventPayload("LOAN");
    await deliver(webhooks, first);
    await deliver(webhooks, first);
    await deliver(webhooks, { ...first, id: "another-webhook" });
    expect(ids[0]).to.equal(ids[1]);
    expect(ids[2]).to.equal(ids[0]);
    expect(ids[3]).to.equal(ids[0]);
    expect(ids[4]).to.not.equal(ids[0]);
  });

  it("leaves webhooks nobody listens to as the router does", async () => {
    const handler = sinon.spy();
    const webhooks = make().on("LOAN.LOAN_RETURNED", handler);
    expect(await deliver(webhooks, almaEventPayload("BIB"))).to.deep.equal({
      statusCode: 200,
      body: `${VALIDATED}, not a JOB_END webhook so no action was taken.`,
    });
    expect((await deliver(webhooks, almaEventPayload("LOAN"))).body).to.equal(
      `${VALIDATED}, no action taken.`,
    );
    expect(handler.called).to.equal(false);
  });

  it("answers a throw 500 and a TransientError 503, telling every error handler", async () => {
    const errors: [unknown, string][] = [];
    const webhooks = make()
      .on("LOAN", () => {
        throw new Error("boom");
      })
      .on("REQUEST", async () => {
        throw new TransientError("database unreachable");
      })
      .onError((error, { handler }) => {
        errors.push([error, handler]);
      })
      .onError(() => {
        throw new Error("the error handler fails too");
      });
    expect(await deliver(webhooks, almaEventPayload("LOAN"))).to.deep.equal({
      statusCode: 500,
      body: `${VALIDATED}, but starting the LOAN pipeline failed.`,
    });
    expect((await deliver(webhooks, almaEventPayload("REQUEST"))).statusCode).to.equal(503);
    expect(errors.map(([error, handler]) => [(error as Error).message, handler])).to.deep.equal([
      ["boom", "LOAN"],
      ["database unreachable", "REQUEST"],
    ]);
  });

  it("hands a job end of the named job to onJobEnd, whatever its status unless told", async () => {
    const any = sinon.spy();
    const succeeded = sinon.spy();
    const webhooks = make({ workspace: "dev" })
      .onJobEnd(JOB, any)
      .onJobEnd(JOB.toUpperCase(), succeeded, { acceptedStatuses: ["COMPLETED_SUCCESS"], name: "MARC_OK" });
    const failed = failedJobEndPayload({ job_instance: { name: JOB } });
    expect((await deliver(webhooks, failed)).body).to.equal(`${VALIDATED}, MARC_EXPORT_TO_DEV1 handled.`);
    const ended = jobEndPayload({ job_instance: { name: JOB, counter: [] } });
    expect((await deliver(webhooks, ended)).body).to.equal(
      `${VALIDATED}, MARC_EXPORT_TO_DEV1, MARC_OK handled.`,
    );
    expect([any.callCount, succeeded.callCount]).to.deep.equal([2, 1]);
    const [{ id, payload }] = succeeded.firstCall.args as [HandlerContext];
    expect(id).to.match(/^job-end-20241106T144310-/);
    expect(payload.action).to.equal("JOB_END");
  });

  it("gates job ends on the workspace when given, and not at all without it", async () => {
    const prod = sinon.spy();
    const anywhere = sinon.spy();
    make({ workspace: "prod" }).on("JOB_END", prod);
    const gated = make({ workspace: "prod" }).on("JOB_END", prod);
    const open = make().on("JOB_END", anywhere);
    const ended = jobEndPayload({ job_instance: { name: JOB, counter: [counter("label.new.records", 1)] } });
    expect((await deliver(gated, ended)).body).to.equal(
      `${VALIDATED} in prod env for job '${JOB}', no action taken.`,
    );
    expect((await deliver(open, ended)).body).to.equal(`${VALIDATED}, JOB_END handled.`);
    expect([prod.called, anywhere.called]).to.deep.equal([false, true]);
  });

  it("calls only the handlers of the institutions given", async () => {
    const handler = sinon.spy();
    const webhooks = make({ institutions: ["01OTHER_INST"] }).on("LOAN", handler);
    expect((await deliver(webhooks, almaEventPayload("LOAN"))).body).to.equal(
      `${VALIDATED}, no action taken.`,
    );
    expect(handler.called).to.equal(false);
  });

  it("names a second handler of the same kind apart, and refuses malformed names", () => {
    const webhooks = make()
      .on("LOAN", () => {})
      .on("LOAN", () => {})
      .onAny(() => {});
    expect(webhooks.plugins.map((plugin) => plugin.name)).to.deep.equal(["LOAN", "LOAN_2", "ANY"]);
    // @ts-expect-error: not an Alma event name (refused by the compiler too)
    expect(() => webhooks.on("loan.created", () => {})).to.throw(InvalidPluginError, "upper case");
    // @ts-expect-error: a job end has no event
    expect(() => webhooks.on("JOB_END.MARC", () => {})).to.throw(InvalidPluginError, "onJobEnd");
    expect(() => webhooks.on("LOAN", () => {}, { name: "LOAN" })).to.throw(InvalidPluginError, "LOAN");
    expect(() => webhooks.onJobEnd(" ", () => {})).to.throw(InvalidPluginError, "name");
  });

  it("refuses an event name that its schemas do not document, with the nearest one", () => {
    const webhooks = make();
    // @ts-expect-error: a misspelled event (TS2345, as at run time)
    expect(() => webhooks.on("LOAN.LOAN_CRATED", () => {})).to.throw(
      InvalidPluginError,
      `Handler of 'LOAN.LOAN_CRATED': no Alma action or event has this name; did you mean "LOAN.LOAN_CREATED"?`,
    );
    // @ts-expect-error: a misspelled action
    expect(() => webhooks.on("LAON.LOAN_CREATED", () => {})).to.throw(
      InvalidPluginError,
      '"LOAN.LOAN_CREATED"',
    );
    // @ts-expect-error: an event Alma may add later is not a known name
    expect(() => webhooks.on("LOAN.LOAN_RECALLED", () => {})).to.throw(
      InvalidPluginError,
      `use onUnchecked("LOAN.LOAN_RECALLED", handler)`,
    );
    expect(() => webhooks.onUnchecked("loan", () => {})).to.throw(InvalidPluginError, "upper case");
    expect(webhooks.plugins).to.deep.equal([]);
  });

  it("takes any name with onUnchecked, warning of one that looks like a documented name misspelled", () => {
    const warn = sinon.spy();
    const webhooks = make({ logger: { ...quiet, warn } })
      .onUnchecked("LOAN.LOAN_RECALLED", () => {})
      .onUnchecked("LOAN.LOAN_CRATED", () => {});
    expect(webhooks.plugins.map((plugin) => plugin.name)).to.deep.equal(["LOAN_RECALLED", "LOAN_CRATED"]);
    expect(warn.args).to.deep.equal([
      [
        `onUnchecked handler of 'LOAN.LOAN_CRATED': no Alma action or event has this name; did you mean "LOAN.LOAN_CREATED"? It is registered as given.`,
      ],
    ]);
  });

  it("calls a handler registered with onUnchecked for a name Alma added later, its payload typed by the action", async () => {
    const loans: (string | undefined)[] = [];
    const webhooks = make().onUnchecked("LOAN.LOAN_RECALLED", ({ payload }) => {
      loans.push(payload.item_loan?.loan_id);
    });
    const recalled = { ...almaEventPayload("LOAN"), event: { value: "LOAN_RECALLED" } };
    expect(await deliver(webhooks, recalled)).to.deep.equal({
      statusCode: 200,
      body: `${VALIDATED}, LOAN_RECALLED handled.`,
    });
    expect(await deliver(webhooks, almaEventPayload("LOAN"))).to.deep.equal({
      statusCode: 200,
      body: `${VALIDATED}, no action taken.`,
    });
    expect(loans).to.deep.equal(["7332811490004761"]);
  });

  it("checks its options at once: a secret is required", () => {
    expect(() => createWebhooks({})).to.throw(InvalidRouterOptionsError, "secret");
    expect(() => createWebhooks({ secret: SECRET, workspace: " " })).to.throw(InvalidRouterOptionsError);
  });

  it("answers the challenge, and writes only warnings and errors to the console by default", async () => {
    const error = sinon.stub(console, "error");
    const info = sinon.stub(console, "info");
    const webhooks = createWebhooks({ secrets: [SECRET] });
    expect((await handleLambdaEvent(webhooks, challengeEvent("abc"))).body).to.equal("abc");
    expect((await lambdaOutcomeOf(webhooks, challengeEvent("abc"))).kind).to.equal("challenge");
    const parsed = await webhooks.handleRequest({
      method: "POST",
      headers: {},
      body: "",
      bodyAlreadyRead: "a body parser ran first",
    });
    expect(parsed.statusCode).to.equal(500);
    expect(error.calledOnce).to.equal(true);
    expect(info.called).to.equal(false);
  });
});

describe("a body already read before the handler", () => {
  let server: Server;
  let port: number;
  const loan = JSON.stringify(almaEventPayload("LOAN"));
  const headers = { "content-type": "application/json", "x-exl-signature": signBody(loan, SECRET) };

  /** A node server whose `before` step plays a body parser. */
  async function serve(before: (request: import("node:http").IncomingMessage) => Promise<void>) {
    const handled: string[] = [];
    const webhooks = make().on("LOAN.LOAN_CREATED", ({ id }) => {
      handled.push(id);
    });
    const middleware = createNodeMiddleware(webhooks);
    server = createServer(async (request, response) => {
      await before(request);
      await middleware(request, response);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
    return handled;
  }

  const call = (method: string, path: string, body?: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = httpRequest({ host: "127.0.0.1", port, method, path, headers }, (response) => {
        let text = "";
        response.setEncoding("utf8").on("data", (chunk: string) => {
          text += chunk;
        });
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body: text }));
      });
      request.on("error", reject);
      request.end(body);
    });

  const readAll = async (request: import("node:http").IncomingMessage): Promise<string> => {
    let text = "";
    for await (const chunk of request) text += String(chunk);
    return text;
  };

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("answers a parsed body 500 naming the parser and how to mount the handler, never 401", async () => {
    const handled = await serve(async (request) => {
      if (request.method === "POST") Object.assign(request, { body: JSON.parse(await readAll(request)) });
    });
    const reply = await call("POST", "/", loan);
    expect(reply.status).to.equal(500);
    expect(reply.body).to.contain(
      "a body parser (such as express.json()) ran before the Alma webhook handler",
    );
    expect(reply.body).to.contain('express.raw({ type: "*/*" })');
    expect((await call("GET", "/?challenge=still")).body).to.equal("still");
    expect(handled).to.deep.equal([]);
  });

  it("reads the stream itself when a parser only set an empty body, as Express 4's do", async () => {
    const handled = await serve(async (request) => {
      Object.assign(request, { body: {} });
    });
    expect((await call("POST", "/", loan)).status).to.equal(200);
    expect(handled).to.have.length(1);
  });

  it("answers a stream already read 500 naming the cause", async () => {
    await serve(async (request) => {
      if (request.method === "POST") await readAll(request);
    });
    const reply = await call("POST", "/", loan);
    expect(reply.status).to.equal(500);
    expect(reply.body).to.contain("the request stream was already read");
  });

  it("takes the bytes a raw body parser kept, as express.raw() does", async () => {
    const handled = await serve(async (request) => {
      if (request.method === "POST") Object.assign(request, { body: Buffer.from(await readAll(request)) });
    });
    expect(await call("POST", "/", loan)).to.deep.equal({
      status: 200,
      body: `${VALIDATED}, LOAN_CREATED handled.`,
    });
    expect(handled).to.have.length(1);
  });

  it("answers a Fetch request whose body was read 500 naming the cause", async () => {
    const handle = createFetchHandler(make());
    const request = new Request("http://localhost/", { method: "POST", body: loan, headers });
    await request.json();
    const reply = await handle(request);
    expect(reply.status).to.equal(500);
    expect(await reply.text()).to.contain("already read");
  });
});

describe("createFastifyPlugin", () => {
  /** A fastify instance in miniature: what the plugin registers, and a way to call its route. */
  function fakeFastify() {
    const calls: string[] = [];
    let route: Parameters<FastifyLike["route"]>[0] | undefined;
    const instance: FastifyLike = {
      removeAllContentTypeParsers: () => calls.push("removeAll"),
      addContentTypeParser: (type, options, parser) => {
        calls.push(`${type} as ${options.parseAs} up to ${options.bodyLimit}`);
        parser(undefined, Buffer.from("x"), (_error, body) => calls.push(`parsed ${body.length}`));
      },
      route: (options) => {
        route = options;
        calls.push(`${options.method.join(",")} ${options.url} up to ${options.bodyLimit}`);
      },
    };
    const invoke = async (request: FastifyRequestLike) => {
      const sent: { status?: number; headers?: Record<string, string>; body?: string } = {};
      const reply: FastifyReplyLike = {
        code: (status) => {
          sent.status = status;
          return reply;
        },
        headers: (values) => {
          sent.headers = values;
          return reply;
        },
        send: (body) => {
          sent.body = body;
          return reply;
        },
      };
      await route?.handler(request, reply);
      return sent;
    };
    /** What the route answers when fastify itself refuses the request with `error` (its 413, say). */
    const fail = async (error: { statusCode?: number }, request: FastifyRequestLike) => {
      const sent: { status?: number; body?: string } = {};
      const reply: FastifyReplyLike = {
        code: (status) => {
          sent.status = status;
          return reply;
        },
        headers: () => reply,
        send: (body) => {
          sent.body = body;
          return reply;
        },
      };
      await route?.errorHandler?.(error, request, reply);
      return sent;
    };
    return { instance, calls, invoke, fail };
  }

  it("installs a scoped raw-bytes parser and one route that answers as the router does", async () => {
    const webhooks = make({ maxBodyBytes: 1000 }).on("LOAN", () => {});
    const { instance, calls, invoke } = fakeFastify();
    await createFastifyPlugin(webhooks, { path: "/alma/webhook" })(instance);
    expect(calls).to.deep.equal([
      "removeAll",
      "* as buffer up to 1000",
      "parsed 1",
      "GET,POST,PUT,DELETE,PATCH /alma/webhook up to 1000",
    ]);
    const challenge = await invoke({ method: "GET", url: "/alma/webhook?challenge=f", headers: {} });
    expect([challenge.status, challenge.body]).to.deep.equal([200, "f"]);
    const loan = JSON.stringify(almaEventPayload("LOAN"));
    const signed = { "x-exl-signature": signBody(loan, SECRET) };
    const routed = await invoke({
      method: "POST",
      url: "/alma/webhook",
      headers: signed,
      body: Buffer.from(loan),
    });
    expect([routed.status, routed.body]).to.deep.equal([200, `${VALIDATED}, LOAN handled.`]);
    const empty = await invoke({ method: "POST", url: "/alma/webhook", headers: {}, body: undefined });
    expect(empty.status).to.equal(401);
  });

  it("answers fastify's own 413 through the router: an ERROR line, not delivered, reason too-large", async () => {
    const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
    const logger = {
      debug: () => {},
      info: (message: string, fields?: Record<string, unknown>) =>
        lines.push({ level: "info", message, fields }),
      warn: (message: string, fields?: Record<string, unknown>) =>
        lines.push({ level: "warn", message, fields }),
      error: (message: string, fields?: Record<string, unknown>) =>
        lines.push({ level: "error", message, fields }),
    };
    const { instance, fail } = fakeFastify();
    await createFastifyPlugin(make({ logger, maxBodyBytes: 1000 }).on("LOAN", () => {}))(instance);
    const request = { method: "POST", url: "/", headers: { "content-length": "5000" } };
    const refused = await fail({ statusCode: 413 }, request);
    expect(refused.status).to.equal(413);
    const decision = lines.find((line) => line.message === "webhook decision");
    expect(decision?.level).to.equal("error");
    expect(decision?.fields).to.deep.include({ notDelivered: "too-large", front: "fastify" });
    // Any other error stays fastify's to answer.
    let rethrown: unknown;
    await fail({ statusCode: 400 }, request).catch((error: unknown) => {
      rethrown = error;
    });
    expect(rethrown).to.deep.equal({ statusCode: 400 });
  });

  it("serves / by default", async () => {
    const { instance, calls } = fakeFastify();
    await createFastifyPlugin(make())(instance);
    expect(calls.at(-1)).to.match(/ \/ up to /);
  });
});
