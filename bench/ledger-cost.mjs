// What the delivery ledger (ALMA_IDEMPOTENCY_TABLE) costs per webhook: the built bundle forwards N distinct
// LOAN webhooks to a standard queue on moto's server, warm, with and without the table; medians per webhook.
// `make bench-ledger` (needs moto_server: pip install 'moto[server]'). Against moto on this machine, so the
// figure is the ledger's added round trips (claim, completion, history: 3 DynamoDB calls) at local latency;
// in AWS each is a DynamoDB call in the region, typically 3–8 ms.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { almaEventPayload, signedPost } from "../packages/core/dist/src/testing/index.js";
import { BUNDLE, findMotoServer, startMoto } from "../packages/dev/dist/test/moto/moto.js";

const N = Number(process.env.BENCH_LEDGER_RUNS ?? 40);
const SECRET = "a-webhook-secret-for-the-bench";
const command = findMotoServer();
if (command === undefined) {
  console.log("moto_server is not installed (pip install 'moto[server]'): ledger bench skipped");
  process.exit(0);
}
// The SDK clients of the dev package (its devDependencies), to create the queue and the table.
const requireFromDev = createRequire(new URL("../packages/dev/package.json", import.meta.url));
const { SQSClient, CreateQueueCommand } = requireFromDev("@aws-sdk/client-sqs");
const { DynamoDBClient, CreateTableCommand } = requireFromDev("@aws-sdk/client-dynamodb");
const moto = await startMoto(command);
try {
  const config = {
    endpoint: moto.url,
    region: "us-east-1",
    credentials: { accessKeyId: "t", secretAccessKey: "t" },
  };
  await new SQSClient(config).send(new CreateQueueCommand({ QueueName: "bench" }));
  await new DynamoDBClient(config).send(
    new CreateTableCommand({
      TableName: "bench-ledger",
      AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  const events = (tag) =>
    Array.from({ length: N + 1 }, (_, i) =>
      signedPost(almaEventPayload("LOAN", { id: `${tag}${i}`.padStart(16, "0") }), SECRET),
    );
  const child = `
    const { readFileSync } = await import("node:fs");
    const { handler } = await import(${JSON.stringify(`file://${BUNDLE}`)});
    const [first, ...rest] = JSON.parse(readFileSync(process.env.EVENTS_FILE, "utf8"));
    await handler(first);
    const times = [];
    for (const event of rest) { const t = performance.now(); await handler(event); times.push(performance.now() - t); }
    times.sort((a, b) => a - b);
    process.stdout.write(JSON.stringify({ p50: times[times.length >> 1], p90: times[Math.floor(times.length * 0.9)] }));`;
  async function run(tag, extra) {
    const folder = await mkdtemp(join(tmpdir(), "alma-bench-"));
    const file = join(folder, "events.json");
    await writeFile(file, JSON.stringify(events(tag)));
    try {
      const out = await new Promise((resolve, reject) =>
        execFile(
          process.execPath,
          ["--input-type=module", "-e", child],
          {
            env: {
              PATH: process.env.PATH,
              WORKSPACE: "dev",
              ALMA_CHALLENGE_SECRET: SECRET,
              ALMA_FORWARD_LOANS_TARGET: "arn:aws:sqs:us-east-1:123456789012:bench",
              ALMA_FORWARD_LOANS_EVENTS: "LOAN",
              AWS_ENDPOINT_URL: moto.url,
              AWS_REGION: "us-east-1",
              AWS_ACCESS_KEY_ID: "t",
              AWS_SECRET_ACCESS_KEY: "t",
              POWERTOOLS_LOG_LEVEL: "SILENT",
              AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
              EVENTS_FILE: file,
              ...extra,
            },
          },
          (error, stdout) => (error ? reject(error) : resolve(stdout)),
        ),
      );
      return JSON.parse(out);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  }
  const without = await run("1", {});
  const withLedger = await run("2", { ALMA_IDEMPOTENCY_TABLE: "bench-ledger" });
  const f = (ms) => ms.toFixed(1);
  console.log(`| forward to a standard queue (moto), warm | p50 ms | p90 ms |`);
  console.log(`| --- | --- | --- |`);
  console.log(`| without ledger | ${f(without.p50)} | ${f(without.p90)} |`);
  console.log(`| with ledger (3 DynamoDB calls) | ${f(withLedger.p50)} | ${f(withLedger.p90)} |`);
  console.log(
    `| ledger cost per webhook | ${f(withLedger.p50 - without.p50)} | ${f(withLedger.p90 - without.p90)} |`,
  );
} finally {
  await moto.stop();
}
