import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { runCli } from "../../src/cli/cli.js";
import type { CliIo } from "../../src/cli/io.js";
import { deliver } from "../../src/cli/send.js";
import { DEV_SECRET } from "../../src/local/defaults.js";
import { samplePayloads } from "../../src/local/pipelines.js";
import { type LocalRun, startLocalRun } from "../../src/local/run.js";
import { readWebhooks } from "../../src/local/webhook-journal.js";
import { localDeliveriesSource } from "../../src/page/local-source.js";
import type { RedeliveryResult } from "../../src/page/model.js";

const PPOD = samplePayloads().find((sample) => sample.name === "ppod-1.json")?.body ?? Buffer.alloc(0);

describe("local redelivery (C4: POST /_/redeliver) and the local journal as the page reads it", () => {
  let dir: string;
  let run: LocalRun;
  const saved = { ...process.env };

  const redeliver = async (ids: unknown): Promise<{ status: number; results: RedeliveryResult[] }> => {
    const response = await fetch(`${run.url}/_/redeliver`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ids }),
    });
    return {
      status: response.status,
      results: ((await response.json()) as { results: RedeliveryResult[] }).results,
    };
  };
  const journal = async () => (await readWebhooks(run.webhookJournalPath)).entries;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "alma-redeliver-"));
    const env: NodeJS.ProcessEnv = { PORT: "0", ALMA_LOCAL_JOURNAL: join(dir, "executions.jsonl") };
    run = await startLocalRun({ env, out: () => {}, cwd: dir });
    for (const [name, value] of Object.entries(env)) if (name.startsWith("AWS_")) process.env[name] = value;
  });
  afterEach(async () => {
    await run.close();
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
    await rm(dir, { recursive: true, force: true });
  });

  it("sends a refused webhook again through the handler, signed with the current secret: delivered, linked to it", async () => {
    const refused = await deliver(`${run.url}/`, {
      kind: "post",
      body: PPOD,
      secret: "an-old-secret",
      contentType: "application/json",
    });
    expect(refused.status).to.equal(401);
    expect(refused.requestId).to.match(/^[0-9a-f-]{36}$/);
    const [original] = await journal();
    const id = original?.id ?? "";
    const { status, results } = await redeliver([id, "nope"]);
    expect(status).to.equal(200);
    const [again] = (await journal()).slice(-1);
    expect(results).to.deep.equal([
      {
        id,
        statusCode: 200,
        body: again?.answer,
        outcome: "handled",
        fate: "delivered",
        redeliveredAs: again?.id,
      },
      {
        id: "nope",
        statusCode: 404,
        body: `No webhook 'nope' in ${run.webhookJournalPath}: alma-webhook deliveries lists them`,
        outcome: "not-found",
      },
    ]);
    // The same bytes: the same identity as any later copy of it; the journal links the two.
    expect(again).to.deep.include({ redeliveryOf: id, body: original?.body, signed: true });
    expect(again?.identity).to.match(/^\d{8}T\d{6}-/);

    // Again: Step Functions has that execution already; nothing new is delivered, and every listing says so.
    const [repeat] = (await redeliver([id])).results;
    expect(repeat).to.include({ statusCode: 200, fate: "duplicate" });
    const [last] = (await journal()).slice(-1);
    expect(last?.identity).to.equal(again?.identity);
    const out: string[] = [];
    const io: CliIo = {
      stdout: (text) => out.push(text),
      stderr: () => {},
      stdin: async () => Buffer.alloc(0),
      env: { ALMA_LOCAL_JOURNAL: join(dir, "executions.jsonl") },
      cwd: dir,
    };
    expect(await runCli(["deliveries"], io)).to.equal(0);
    const lines = out.join("").split("\n");
    expect(lines[1]).to.include(`200 delivered  redelivery of [${id}]  PPOD started`);
    expect(lines[2]).to.match(
      /200 duplicate {2}redelivery of \[\w+\] {2}PPOD duplicate → ppod-local \(.*the target already had it: nothing new\)/,
    );

    const source = localDeliveriesSource({
      journalPath: run.webhookJournalPath,
      url: () => run.url,
      secret: async () => DEV_SECRET,
    });
    const [newest, , first] = await source.list({});
    expect(newest).to.include({ fate: "duplicate", redeliveryOf: id });
    expect(first?.redeliveries).to.deep.equal([
      { id: again?.id, fate: "delivered" },
      { id: last?.id, fate: "duplicate" },
    ]);
    expect(await source.list({ failedOnly: true })).to.have.length(1);
    expect(await source.story("nope")).to.equal(undefined);
    expect(await source.bodyBytes("nope")).to.equal(undefined);
    expect((await source.bodyBytes(id))?.bytes).to.deep.equal(PPOD);
    const story = await source.story(id);
    expect(story).to.include({ bodyFormat: "json", signed: true, method: "POST", bodyBytes: PPOD.length });
  });

  it("does not send a GET again, names a missing sample, and says when the server is gone", async () => {
    await fetch(`${run.url}/?challenge=abc`);
    const [challenge] = await journal();
    const { results } = await redeliver([challenge?.id]);
    expect(results).to.deep.equal([
      {
        id: challenge?.id,
        statusCode: 400,
        body: `Webhook ${challenge?.id} was a GET without a body: nothing to resend`,
        outcome: "not-resendable",
      },
    ]);
    const source = localDeliveriesSource({
      journalPath: run.webhookJournalPath,
      url: () => "http://127.0.0.1:1",
      secret: async () => DEV_SECRET,
      samples: [{ name: "loan.json", body: Buffer.from("{}") }],
    });
    expect(source.samples?.()).to.deep.equal(["loan.json"]);
    expect(await source.sendSample?.("nope.json")).to.include({ statusCode: 404, outcome: "not-found" });
    const unreachable = await source.sendSample?.("loan.json");
    expect(unreachable).to.include({ statusCode: 502, outcome: "not-sent" });
    expect(unreachable?.body).to.match(/Could not reach http:\/\/127\.0\.0\.1:1/);
  });

  it("signs with the stored secret as the local endpoint holds it, rotations included", async function () {
    this.timeout(20_000);
    await run.close();
    const env: NodeJS.ProcessEnv = {
      PORT: "0",
      ALMA_LOCAL_JOURNAL: join(dir, "executions.jsonl"),
      ALMA_CHALLENGE_SECRET_PARAMETER: "/alma/webhook-secret",
    };
    run = await startLocalRun({ env, out: () => {}, cwd: dir });
    for (const [name, value] of Object.entries(env)) if (name.startsWith("AWS_")) process.env[name] = value;
    await deliver(`${run.url}/`, {
      kind: "post",
      body: PPOD,
      secret: "wrong",
      contentType: "application/json",
    });
    const [refused] = await journal();
    run.endpoint?.setSecret("/alma/webhook-secret", "rotated-secret-value");
    // The handler re-reads the store at most every 5 s after a mismatch (503 meanwhile, which Alma retries).
    await new Promise((resolve) => setTimeout(resolve, 5100));
    const { results } = await redeliver([refused?.id]);
    expect(results[0]).to.include({ statusCode: 200, fate: "delivered" });
  });
});
