import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LocalFunction, LocalStepFunctions } from "@alma-webhooks/local-aws/endpoint";
import { startLocalStepFunctions } from "@alma-webhooks/local-aws/endpoint";
import { expect } from "chai";
import { runCli } from "../../src/cli/cli.js";
import type { DeliveryQuery, DeliveryRecord } from "../../src/cli/deliveries.js";
import type { CliIo } from "../../src/cli/io.js";
import { keptIdOf, redeliverCommand, resultsOf } from "../../src/cli/redeliver.js";

interface FakeIo extends CliIo {
  readonly out: string[];
  readonly err: string[];
}

function fakeIo(env: NodeJS.ProcessEnv = {}, cwd = process.cwd()): FakeIo {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    stdin: async () => Buffer.alloc(0),
    env,
    cwd,
  };
}

/** What the deployed function keeps, in this test: two webhooks by id. */
const KEPT: Readonly<Record<string, string>> = {
  "20241106T144310-6219373120004761": "Webhook POST request received and validated, PPOD pipeline initiated.",
  "body-3f2a9c1d":
    "Webhook POST request received and validated, not a JOB_END webhook so no action was taken.",
};

/** A stand-in for the function's redelivery (contract C3): answers each id from KEPT, 404 otherwise. */
const redeliveringFunction: LocalFunction = async (event) => {
  const ids = (event as { redeliver: { ids: string[] } }).redeliver.ids;
  return {
    results: ids.map((id) =>
      KEPT[id] === undefined
        ? { id, statusCode: 404, body: `No webhook is kept under the id ${id}.`, outcome: "not-kept" }
        : { id, statusCode: 200, body: KEPT[id], outcome: "handled" },
    ),
  };
};

const AWS_VARIABLES = [
  "AWS_ENDPOINT_URL_LAMBDA",
  "AWS_REGION",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_PROFILE",
  "AWS_ENDPOINT_URL",
] as const;

describe("alma-webhook redeliver", () => {
  describe("--function: the deployed function, invoked over the wire (the embedded endpoint's Lambda Invoke)", () => {
    let endpoint: LocalStepFunctions;
    const saved: Record<string, string | undefined> = {};

    before(async () => {
      endpoint = await startLocalStepFunctions({
        functions: {
          "alma-webhooks-prod:live": redeliveringFunction,
          broken: async () => {
            throw new Error("Runtime.ImportModuleError");
          },
          refusing: async () => ({ results: [], error: "A redelivery names webhook ids only." }),
          // Time for two ids per invocation; the rest answered as the function answers them (C3).
          hurried: async (event) => ({
            results: (event as { redeliver: { ids: string[] } }).redeliver.ids.map((id, n) =>
              n < 2
                ? { id, statusCode: 200, body: "delivered", outcome: "handled" }
                : {
                    id,
                    statusCode: 503,
                    body: "Not tried: the invocation ran out of time.",
                    outcome: "not-tried",
                  },
            ),
          }),
          stuck: async (event) => ({
            results: (event as { redeliver: { ids: string[] } }).redeliver.ids.map((id) => ({
              id,
              statusCode: 503,
              body: "Not tried: the invocation ran out of time.",
              outcome: "not-tried",
            })),
          }),
        },
      });
      for (const name of AWS_VARIABLES) saved[name] = process.env[name];
      delete process.env.AWS_PROFILE;
      delete process.env.AWS_ENDPOINT_URL;
      Object.assign(process.env, {
        AWS_ENDPOINT_URL_LAMBDA: endpoint.url,
        AWS_REGION: "us-east-1",
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: "test",
      });
    });
    after(async () => {
      for (const name of AWS_VARIABLES) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
      await endpoint.close();
    });
    beforeEach(() => endpoint.reset());

    it("invokes NAME:QUALIFIER exactly as given with the ids only, one line per id, exit 0 when all are delivered", async () => {
      const io = fakeIo();
      const ids = Object.keys(KEPT);
      const code = await runCli(["redeliver", ...ids, "--function", "alma-webhooks-prod:live"], io);
      expect(io.err.join("")).to.equal(
        "2 of 2 webhook(s) redelivered through function alma-webhooks-prod:live\n",
      );
      expect(code).to.equal(0);
      expect(endpoint.invocations()).to.deep.equal([
        {
          functionName: "alma-webhooks-prod",
          qualifier: "live",
          invocationType: "RequestResponse",
          event: { redeliver: { ids } },
        },
      ]);
      expect(io.out).to.deep.equal([
        `20241106T144310-6219373120004761  200 handled  ${KEPT["20241106T144310-6219373120004761"]}\n`,
        `body-3f2a9c1d  200 handled  ${KEPT["body-3f2a9c1d"]}\n`,
      ]);
    });

    it("exits 1 when any id is not delivered, and still prints every id's answer", async () => {
      const io = fakeIo();
      const code = await runCli(
        ["redeliver", "body-3f2a9c1d", "body-unknown", "--function", "alma-webhooks-prod:live"],
        io,
      );
      expect(code).to.equal(1);
      expect(io.out[1]).to.equal(
        "body-unknown  404 not-kept  No webhook is kept under the id body-unknown.\n",
      );
      expect(io.err.join("")).to.include("1 of 2 webhook(s) redelivered");
    });

    it("sends many ids in batches of 10, each id once", async () => {
      const ids = Array.from({ length: 23 }, (_, n) => `body-${String(n).padStart(4, "0")}`);
      const io = fakeIo();
      await runCli(["redeliver", ...ids, ids[0] as string, "--function", "alma-webhooks-prod:live"], io);
      const batches = endpoint
        .invocations()
        .map((call) => (call.event as { redeliver: { ids: string[] } }).redeliver.ids);
      expect(batches.map((batch) => batch.length)).to.deep.equal([10, 10, 3]);
      expect(batches.flat()).to.deep.equal(ids);
      expect(io.out).to.have.length(23);
    });

    it("invokes again for the ids the function had no time for ('not-tried'), at most three times each", async () => {
      const io = fakeIo();
      const ids = ["body-a", "body-b", "body-c", "body-d", "body-e"];
      const code = await runCli(["redeliver", ...ids, "--function", "hurried"], io);
      expect(
        endpoint.invocations().map((call) => (call.event as { redeliver: { ids: string[] } }).redeliver.ids),
      ).to.deep.equal([ids, ["body-c", "body-d", "body-e"], ["body-e"]]);
      expect(io.out).to.deep.equal(ids.map((id) => `${id}  200 handled  delivered\n`));
      expect(code).to.equal(0);
      const stuck = fakeIo();
      expect(await runCli(["redeliver", "body-z", "--function", "stuck"], stuck)).to.equal(1);
      expect(endpoint.invocations().filter((call) => call.functionName === "stuck")).to.have.length(3);
      expect(stuck.out).to.deep.equal([
        "body-z  503 not-tried  Not tried: the invocation ran out of time.\n",
      ]);
    });

    it("--dry-run prints what it would redeliver and invokes nothing", async () => {
      const io = fakeIo();
      const code = await runCli(
        ["redeliver", "body-3f2a9c1d", "--function", "alma-webhooks-prod:live", "--dry-run"],
        io,
      );
      expect(code).to.equal(0);
      expect(io.out).to.deep.equal([
        "body-3f2a9c1d  would be redelivered through function alma-webhooks-prod:live\n",
      ]);
      expect(endpoint.requests()).to.deep.equal([]);
    });

    it("says why when the function fails, refuses the event, or does not exist (exit 1)", async () => {
      const cases: [string, string][] = [
        ["broken", "function broken failed (Unhandled): "],
        ["refusing", "function refusing refused the redelivery: A redelivery names webhook ids only."],
        ["nobody", "Cannot invoke function nobody: ResourceNotFoundException: Function not found"],
      ];
      for (const [name, message] of cases) {
        const io = fakeIo();
        expect(await runCli(["redeliver", "body-1", "--function", name], io), name).to.equal(1);
        expect(io.err.join(""), name).to.include(`alma-webhook redeliver: ${message}`);
      }
    });

    it("--failed redelivers the kept webhooks of the delivery history's failed records, each once", async () => {
      const queries: [string, DeliveryQuery][] = [];
      const failed = (receivedAt: string, keptAs?: string): DeliveryRecord => ({
        receivedAt,
        outcome: "invalid-body",
        status: 400,
        failed: true,
        plugins: [],
        ...(keptAs === undefined ? {} : { keptAs, notDelivered: "invalid-body" }),
      });
      const io = fakeIo({ ALMA_IDEMPOTENCY_TABLE: "from-env" });
      const code = await redeliverCommand(
        ["--failed", "--since", "2h", "--function", "alma-webhooks-prod:live"],
        io,
        {
          now: () => Date.parse("2026-12-07T12:00:00.000Z"),
          historySource: (table) => ({
            describe: `table ${table}`,
            read: async (query) => {
              queries.push([table, query]);
              return [
                failed("2026-12-07T11:30:00.000Z", "undelivered/body-3f2a9c1d.json"),
                failed("2026-12-07T10:30:00.000Z", "undelivered/20241106T144310-6219373120004761.json"),
                failed("2026-12-07T11:40:00.000Z", "undelivered/body-3f2a9c1d.json"),
                failed("2026-12-07T11:50:00.000Z"),
              ];
            },
          }),
        },
      );
      expect(code).to.equal(0);
      expect(queries).to.deep.equal([["from-env", { since: "2026-12-07T10:00:00.000Z", failedOnly: true }]]);
      expect(endpoint.invocations().map((call) => call.event)).to.deep.equal([
        { redeliver: { ids: ["20241106T144310-6219373120004761", "body-3f2a9c1d"] } },
      ]);
      expect(io.err[0]).to.equal(
        "1 failed webhook(s) since 2026-12-07T10:00:00.000Z in table from-env have no kept bytes (received before ALMA_UNDELIVERED_BUCKET was set): they cannot be redelivered\n",
      );
    });
  });

  describe("without --function: the local server's POST /_/redeliver (contract C4)", () => {
    let server: Server;
    let url: string;
    const received: { method?: string; path?: string; type?: string; body: unknown }[] = [];

    before(async () => {
      server = createServer((request: IncomingMessage, response: ServerResponse) => {
        const chunks: Buffer[] = [];
        request.on("data", (chunk: Buffer) => chunks.push(chunk));
        request.on("end", () => {
          const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { ids: string[] };
          received.push({
            method: request.method,
            path: request.url,
            type: request.headers["content-type"],
            body,
          });
          if (request.url !== "/_/redeliver") return void response.writeHead(404).end("Not found");
          const results = body.ids.map((id) =>
            id === "3f2a9c1d"
              ? {
                  id,
                  statusCode: 200,
                  body: "Webhook POST request received and validated, LOANS forwarded.",
                  outcome: "handled",
                }
              : { id, statusCode: 404, body: `No webhook ${id} in the journal.`, outcome: "unknown" },
          );
          response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ results }));
        });
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));
    beforeEach(() => {
      received.length = 0;
    });

    it("posts the ids to /_/redeliver of --url and prints each answer; exit 1 for an unknown id", async () => {
      const io = fakeIo();
      const code = await runCli(["redeliver", "3f2a9c1d", "0000beef", "--url", url], io);
      expect(received).to.deep.equal([
        {
          method: "POST",
          path: "/_/redeliver",
          type: "application/json",
          body: { ids: ["3f2a9c1d", "0000beef"] },
        },
      ]);
      expect(io.out).to.deep.equal([
        "3f2a9c1d  200 handled  Webhook POST request received and validated, LOANS forwarded.\n",
        "0000beef  404 unknown  No webhook 0000beef in the journal.\n",
      ]);
      expect(code).to.equal(1);
      expect(await runCli(["redeliver", "3f2a9c1d", "--url", `${url}/`], fakeIo())).to.equal(0);
    });

    it("--failed takes the failed webhooks of the local journal (not the unverified 401s)", async () => {
      const dir = await mkdtemp(join(tmpdir(), "redeliver-"));
      try {
        const entry = (id: string, status: number, time: string, decision = "started") => ({
          id,
          requestId: `${id}-request`,
          time,
          method: "POST",
          path: "/",
          kind: "LOAN.LOAN_CREATED",
          status,
          answer: "",
          reason: "",
          decisions: [{ name: "LOANS", decision, reason: "" }],
          ms: 3,
          signed: true,
          body: "{}",
        });
        const journal = join(dir, "webhooks.jsonl");
        const lines = [
          entry("old00000", 500, "2026-12-06T09:00:00.000Z"),
          entry("3f2a9c1d", 400, "2026-12-07T11:00:00.000Z"),
          entry("401401aa", 401, "2026-12-07T11:01:00.000Z"),
          entry("fine0000", 200, "2026-12-07T11:02:00.000Z"),
          entry("0000beef", 200, "2026-12-07T11:03:00.000Z", "failed"),
        ];
        await writeFile(journal, `${lines.map((line) => JSON.stringify(line)).join("\n")}\n`);
        const io = fakeIo({ ALMA_LOCAL_WEBHOOKS: journal });
        await redeliverCommand(["--failed", "--url", url], io, {
          now: () => Date.parse("2026-12-07T12:00:00.000Z"),
        });
        expect(received.map((request) => request.body)).to.deep.equal([{ ids: ["3f2a9c1d", "0000beef"] }]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it("says the local server is not running, or does not speak C4", async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
      const port = (closed.address() as AddressInfo).port;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      const down = fakeIo();
      expect(await runCli(["redeliver", "3f2a9c1d", "--url", `http://127.0.0.1:${port}/`], down)).to.equal(1);
      expect(down.err.join("")).to.include("ECONNREFUSED. Is the local server running (make run)?");
      const other = fakeIo();
      expect(await runCli(["redeliver", "3f2a9c1d", "--url", `${url}/elsewhere/`], other)).to.equal(1);
      expect(other.err.join("")).to.include(`${url}/elsewhere/_/redeliver answered 404: Not found`);
    });
  });

  it("refuses what it cannot do with exit code 2", async () => {
    const cases: [string[], string][] = [
      [[], "Name the webhook ids to redeliver, or --failed"],
      [["a", "--failed"], "not both"],
      [["a", "--function", "f", "--url", "http://x/"], "not both"],
      [["../etc", "--function", "f"], `Not webhook ids (letters, digits, '-' and '_'): "../etc"`],
      [["--failed", "--function", "f"], "--failed reads the delivery history: say which ledger table"],
      [["a", "--table", "t"], "--table goes with --failed"],
      [["a", "--url", "not a url"], "Not a URL: not a url"],
    ];
    for (const [args, message] of cases) {
      const io = fakeIo();
      expect(await runCli(["redeliver", ...args], io), args.join(" ")).to.equal(2);
      expect(io.err.join(""), args.join(" ")).to.include(message);
    }
  });

  it("reads kept ids and answers strictly", () => {
    const base: DeliveryRecord = { receivedAt: "", outcome: "x", status: 400, failed: true, plugins: [] };
    expect(keptIdOf({ ...base, keptAs: "undelivered/body-1.json" })).to.equal("body-1");
    expect(keptIdOf({ ...base, keptAs: "elsewhere/body-1.json" })).to.equal(undefined);
    expect(keptIdOf(base)).to.equal(undefined);
    expect(() => resultsOf([], "f")).to.throw('f answered something else than {"results": [...]}');
    expect(() => resultsOf({ results: [{ id: 1 }] }, "f")).to.throw("a result without an id");
    expect(() => resultsOf({}, "f")).to.throw('f answered without "results"');
    expect(resultsOf({ results: [{ id: "a", statusCode: 200 }] }, "f")).to.deep.equal([
      { id: "a", statusCode: 200, body: "" },
    ]);
  });
});
