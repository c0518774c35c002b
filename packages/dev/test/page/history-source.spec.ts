import { createServer, type IncomingMessage } from "node:http";
import { expect } from "chai";
import type { DeliveryQuery, DeliveryRecord, DeliverySource } from "../../src/cli/deliveries.js";
import { deliveriesPageCommand, startDeliveriesPage } from "../../src/cli/deliveries-page.js";
import { CliError, type CliIo } from "../../src/cli/io.js";
import { historyDeliveriesSource, historyIdOf } from "../../src/page/history-source.js";
import { invokeRedeliver } from "../../src/page/invoke-redeliver.js";

const NOW = Date.parse("2026-12-07T12:00:00.000Z");

const RECORDS: DeliveryRecord[] = [
  {
    receivedAt: "2026-12-07T09:00:00.000Z",
    action: "JOB_END",
    jobName: "Publishing Platform Job PPOD EXPORT to Dev1",
    identity: "20241106T144310-6219373120004761",
    outcome: "handled",
    status: 500,
    failed: true,
    requestId: "req-failed",
    plugins: [{ plugin: "PPOD", decision: "failed", transient: false, error: "StateMachineDoesNotExist" }],
  },
  {
    receivedAt: "2026-12-07T11:00:00.000Z",
    action: "LOAN",
    event: "LOAN_CREATED",
    identity: "20241106T150000-Vt8leuCxhd",
    outcome: "handled",
    status: 200,
    failed: false,
    requestId: "req-dup",
    plugins: [
      {
        plugin: "CIRCULATION",
        decision: "duplicate",
        executionName: "circ-1",
        forwarded: true,
        messageId: "m-1",
      },
      {
        plugin: "JOBS",
        decision: "started",
        executionName: "jobs-1",
        executionArn: "arn:aws:states:us-east-1:1:execution:jobs:jobs-1",
      },
    ],
  },
];

function fakeHistory(records: DeliveryRecord[] = RECORDS) {
  const queries: DeliveryQuery[] = [];
  const history: DeliverySource = {
    describe: "fake",
    async read(query) {
      queries.push(query);
      return records
        .filter((r) => r.receivedAt >= query.since && (!query.failedOnly || r.failed))
        .map((r) => ({ ...r }));
    },
  };
  return { history, queries };
}

describe("the page for a deployed stage: the delivery history and redelivery through the function", () => {
  it("lists the history newest first with each plugin's decision (a repeat is a duplicate), filtered", async () => {
    const { history, queries } = fakeHistory();
    const source = historyDeliveriesSource({
      table: "ledger",
      history,
      now: () => NOW,
      functionName: "fn:live",
    });
    expect(source.describe).to.equal("table ledger, redelivery through fn:live");
    const [dup, failed] = await source.list({});
    expect(queries[0]).to.deep.equal({ since: "2026-12-06T12:00:00.000Z", failedOnly: false });
    expect(dup).to.deep.include({
      id: "req-dup",
      kind: "LOAN.LOAN_CREATED",
      fate: "delivered",
      redeliverable: true,
    });
    expect(dup?.decisions.map((d) => [d.name, d.decision, d.execution])).to.deep.equal([
      ["CIRCULATION", "duplicate", "m-1"],
      ["JOBS", "started", "arn:aws:states:us-east-1:1:execution:jobs:jobs-1"],
    ]);
    expect(failed).to.deep.include({ id: "req-failed", fate: "error", reason: "" });
    expect((await source.list({ failedOnly: true })).map((v) => v.id)).to.deep.equal(["req-failed"]);
    expect(queries[1]?.failedOnly).to.equal(true);
    expect((await source.list({ plugin: "jobs" })).map((v) => v.id)).to.deep.equal(["req-dup"]);
    expect((await source.list({ since: "2026-12-07T10:00:00.000Z" })).map((v) => v.id)).to.deep.equal([
      "req-dup",
    ]);
    expect(historyIdOf({ ...RECORDS[0], requestId: undefined } as DeliveryRecord)).to.equal(
      RECORDS[0]?.identity,
    );
  });

  it("tells a story without the body (the history keeps fates, not bytes), and scans once for a webhook not listed", async () => {
    const { history, queries } = fakeHistory();
    const source = historyDeliveriesSource({ table: "ledger", history, now: () => NOW });
    const story = await source.story("req-failed");
    expect(queries).to.have.length(1);
    expect(queries[0]?.since).to.equal("2026-11-07T12:00:00.000Z");
    expect(story).to.deep.include({ bodyFormat: "none", redeliverable: false, requestId: "req-failed" });
    expect(story?.bodyNote).to.include("ALMA_UNDELIVERED_BUCKET");
    expect(await source.story("req-failed")).to.not.equal(undefined);
    expect(queries).to.have.length(1);
    expect(await source.story("nope")).to.equal(undefined);
    expect(await source.bodyBytes("req-failed")).to.equal(undefined);
  });

  it("names a kept webhook by its kept id (what the function redelivers by) and opens it to the kept bytes", async () => {
    const keptRecord: DeliveryRecord = {
      ...(RECORDS[0] as DeliveryRecord),
      notDelivered: "dispatch-failed",
      keptAs: "undelivered/20241106T144310-6219373120004761.json",
    };
    const { history } = fakeHistory([keptRecord]);
    const body = '{"action":"JOB_END","id":"1"}';
    const reads: string[] = [];
    const kept = async (id: string) => {
      reads.push(id);
      return {
        format: 1 as const,
        id,
        reason: "dispatch-failed",
        receivedAt: keptRecord.receivedAt,
        headers: { "content-type": "application/json", "x-exl-signature": "sig" },
        body: Buffer.from(body).toString("base64"),
        isBase64Encoded: true as const,
        sha256: "",
        size: body.length,
      };
    };
    const source = historyDeliveriesSource({ table: "ledger", history, kept, now: () => NOW });
    const [view] = await source.list({});
    expect(view?.id).to.equal("20241106T144310-6219373120004761");
    const story = await source.story("20241106T144310-6219373120004761");
    expect(story).to.deep.include({ bodyFormat: "json", bodyBytes: body.length, requestId: "req-failed" });
    expect(story?.body).to.equal(JSON.stringify(JSON.parse(body), null, 2));
    expect(story?.bodyNote).to.include("dispatch-failed");
    expect((await source.bodyBytes("20241106T144310-6219373120004761"))?.bytes.toString()).to.equal(body);
    expect(reads).to.deep.equal(["20241106T144310-6219373120004761", "20241106T144310-6219373120004761"]);
    // Without a bucket the story says where the bytes are and how to see them.
    const unread = historyDeliveriesSource({ table: "ledger", history, now: () => NOW });
    expect((await unread.story("20241106T144310-6219373120004761"))?.bodyNote).to.include("--bucket");
  });

  it("redelivers through the function's invoke, and says so when it cannot", async () => {
    const { history } = fakeHistory();
    const calls: [string, readonly string[]][] = [];
    const source = historyDeliveriesSource({
      table: "ledger",
      history,
      functionName: "fn:live",
      invoke: async (name, ids) => {
        calls.push([name, ids]);
        if (ids.includes("boom")) throw new CliError("Cannot invoke fn:live: AccessDenied");
        return { results: ids.map((id) => ({ id, statusCode: 200, body: "ok", outcome: "handled" })) };
      },
    });
    expect((await source.redeliver(["req-failed"])).results).to.deep.equal([
      { id: "req-failed", statusCode: 200, body: "ok", outcome: "handled" },
    ]);
    expect((await source.redeliver(["boom"])).results).to.deep.equal([
      { id: "boom", statusCode: 502, body: "Cannot invoke fn:live: AccessDenied", outcome: "invoke-failed" },
    ]);
    expect(calls).to.deep.equal([
      ["fn:live", ["req-failed"]],
      ["fn:live", ["boom"]],
    ]);
    const readOnly = historyDeliveriesSource({ table: "ledger", history });
    expect((await readOnly.redeliver(["a"])).results[0]).to.include({
      statusCode: 400,
      outcome: "not-configured",
    });
    const failing = historyDeliveriesSource({
      table: "ledger",
      history,
      functionName: "fn",
      invoke: async () => {
        throw new TypeError("a bug");
      },
    });
    let thrown: unknown;
    await failing.redeliver(["a"]).catch((error: unknown) => {
      thrown = error;
    });
    expect(thrown).to.be.instanceOf(TypeError);
  });
});

describe("invokeRedeliver: the C3 event through the Lambda API", () => {
  const saved = { ...process.env };
  let requests: { path: string; body: string; headers: IncomingMessage["headers"] }[];
  let answer: { status: number; headers: Record<string, string>; body: string };
  const lambda = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      requests.push({
        path: req.url ?? "",
        body: Buffer.concat(chunks).toString("utf8"),
        headers: req.headers,
      });
      res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
      res.end(answer.body);
    });
  });

  before(async () => {
    await new Promise<void>((resolve) => lambda.listen(0, "127.0.0.1", resolve));
    const address = lambda.address() as { port: number };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: `http://127.0.0.1:${address.port}`,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_MAX_ATTEMPTS: "1",
    });
  });
  beforeEach(() => {
    requests = [];
  });
  after(async () => {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
    await new Promise((resolve) => lambda.close(resolve));
  });

  it("invokes NAME:QUALIFIER RequestResponse with the ids only, and returns the function's results", async () => {
    const results = [{ id: "req-1", statusCode: 200, body: "ok", outcome: "handled" }];
    answer = { status: 200, headers: {}, body: JSON.stringify({ results }) };
    expect(await invokeRedeliver("alma-webhook:live", ["req-1"])).to.deep.equal({ results });
    expect(requests).to.have.length(1);
    expect(requests[0]?.path).to.equal("/2015-03-31/functions/alma-webhook%3Alive/invocations");
    expect(requests[0]?.headers["x-amz-invocation-type"]).to.equal("RequestResponse");
    expect(JSON.parse(requests[0]?.body ?? "")).to.deep.equal({ redeliver: { ids: ["req-1"] } });
  });

  it("says when the function failed, answered no results, or could not be invoked", async () => {
    answer = {
      status: 200,
      headers: { "x-amz-function-error": "Unhandled" },
      body: '{"errorMessage":"boom"}',
    };
    let error: unknown = await invokeRedeliver("fn", ["a"]).catch((e: unknown) => e);
    expect(error)
      .to.be.instanceOf(CliError)
      .with.property("message", 'The function fn failed: {"errorMessage":"boom"}');
    answer = { status: 200, headers: {}, body: '{"statusCode":400}' };
    error = await invokeRedeliver("fn", ["a"]).catch((e: unknown) => e);
    expect((error as Error).message).to.equal(
      'The function fn answered no redelivery results: {"statusCode":400}',
    );
    answer = { status: 200, headers: {}, body: "not json" };
    error = await invokeRedeliver("fn", ["a"]).catch((e: unknown) => e);
    expect((error as Error).message).to.match(/answered no redelivery results: not json/);
    answer = {
      status: 404,
      headers: { "x-amzn-errortype": "ResourceNotFoundException" },
      body: '{"Type":"User","message":"Function not found: fn"}',
    };
    error = await invokeRedeliver("fn", ["a"]).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(CliError);
    expect((error as Error).message).to.match(/^Cannot invoke fn: Function not found/);
  });
});

describe("alma-webhook deliveries --table NAME --serve", () => {
  const io = (env: NodeJS.ProcessEnv = {}) => {
    const out: string[] = [];
    const value: CliIo & { out: string[] } = {
      out,
      stdout: (text) => out.push(text),
      stderr: () => {},
      stdin: async () => Buffer.alloc(0),
      env,
      cwd: "/",
    };
    return value;
  };

  it("serves the page on 127.0.0.1 until stopped, and nothing else", async () => {
    const it = io();
    let answered: [number, number, string] | undefined;
    const code = await deliveriesPageCommand(
      ["--table", "ledger", "--serve", "--port", "0"],
      it,
      async () => {
        const url = /listening on (\S+)/.exec(it.out.join(""))?.[1] ?? "";
        const page = await fetch(`${url}/_/deliveries`);
        const other = await fetch(`${url}/`, { method: "POST", body: "{}" });
        answered = [page.status, other.status, await other.text()];
      },
    );
    expect(code).to.equal(0);
    expect(answered).to.deep.equal([200, 404, "This server serves the deliveries page only: /_/deliveries"]);
    expect(it.out.join("")).to.match(/listening on http:\/\/127\.0\.0\.1:\d+\n/);
    expect(it.out.join("")).to.include("Read only: add --function NAME[:live] to redeliver.");
  });

  it("names the function it redelivers through, takes the table from ALMA_IDEMPOTENCY_TABLE, and refuses bad options", async () => {
    const it = io({ ALMA_IDEMPOTENCY_TABLE: "ledger" });
    expect(
      await deliveriesPageCommand(["--serve", "--port", "0", "--function", "fn:live"], it, async () => {}),
    ).to.equal(0);
    expect(it.out.join("")).to.include("Redeliver invokes fn:live with your AWS credentials.");
    const usage = async (args: string[], pattern: RegExp) => {
      const error = await deliveriesPageCommand(args, io(), async () => {}).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(CliError).with.property("exitCode", 2);
      expect((error as Error).message).to.match(pattern);
    };
    await usage(["--serve"], /--table NAME or ALMA_IDEMPOTENCY_TABLE/);
    await usage(["--serve", "--table", "t", "--port", "http"], /--port must be a port number/);
    await usage(["--serve", "--table", "t", "extra"], /takes no arguments/);
  });

  it("lists a deployed stage's webhooks through the page's API", async () => {
    const { history } = fakeHistory();
    const page = await startDeliveriesPage({ table: "ledger", history, port: 0, now: () => NOW });
    try {
      const list = (await (await fetch(`${page.url}/_/api/deliveries?id=req-dup`)).json()) as {
        mode: string;
        deliveries: { id: string }[];
      };
      expect(list.mode).to.equal("deployed");
      expect(list.deliveries.map((d) => d.id)).to.deep.equal(["req-dup"]);
    } finally {
      await page.close();
    }
  });
});
