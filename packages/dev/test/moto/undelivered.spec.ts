// Issue 31's acceptance, through the built bundle against moto's server: every signed webhook that is not
// delivered is loud (an ERROR line, the WebhooksNotDelivered metric, a Sentry report), kept (its bytes in
// ALMA_UNDELIVERED_BUCKET, listed by `deliveries --failed`), and redelivered by a direct invoke that names
// ids only, exactly once.
import { createServer as createHttpServer } from "node:http";
import { createServer, type Socket } from "node:net";
import { almaEventPayload, counter, jobEndPayload, signedPost } from "@alma-webhooks/core/testing";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateBucketCommand, GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateStateMachineCommand, ListExecutionsCommand, SFNClient } from "@aws-sdk/client-sfn";
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { expect } from "chai";
import { deliveriesCommand } from "../../src/cli/deliveries.js";
import type { CliIo } from "../../src/cli/io.js";
import { keptReader } from "../../src/page/history-source.js";
import { BUNDLE, findMotoServer, type Moto, runBundleOutput, startMoto } from "./moto.js";

const SECRET = "a-webhook-secret-for-moto";
const ACCOUNT = "123456789012";
const REGION = "us-east-1";
const POD_JOB = "Publishing Platform Job PPOD EXPORT to Dev1";
const FIFO = `arn:aws:sqs:${REGION}:${ACCOUNT}:alma-loans.fifo`;
const BIBS = `arn:aws:sqs:${REGION}:${ACCOUNT}:alma-bibs`;
const STATE_MACHINE = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:ppod-undelivered`;
const KEPT = "alma-undelivered";
const LARGE = "alma-large-payloads-31";
const TABLE = "alma-ledger-31";
const credentials = { accessKeyId: "test", secretAccessKey: "test" };

type Line = Record<string, unknown>;
const jsonLines = (text: string): Line[] =>
  text.split("\n").flatMap((line) => {
    if (!line.startsWith("{")) return [];
    try {
      return [JSON.parse(line) as Line];
    } catch {
      return [];
    }
  });

/** A TCP server that accepts and never answers: SQS hung, so a send times out at the deadline. */
async function blackHole(): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Sentry's ingest endpoint: counts the envelopes posted to it. */
async function sentrySink(): Promise<{ dsn: string; envelopes: string[]; close: () => Promise<void> }> {
  const envelopes: string[] = [];
  const server = createHttpServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      envelopes.push(Buffer.concat(chunks).toString("utf8"));
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    dsn: `http://public@127.0.0.1:${port}/1`,
    envelopes,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe("not delivered: loud, kept, redelivered, through the bundle against moto (issue 31)", function () {
  this.timeout(180_000);
  let moto: Moto | undefined;
  let sqs: SQSClient;
  let s3: S3Client;
  const figures: string[] = [];

  before(async function () {
    const command = findMotoServer();
    if (command === undefined) {
      console.log("    moto_server is not installed (pip install 'moto[server]'): the moto suite is skipped");
      this.skip();
    }
    if (!(await import("node:fs")).existsSync(BUNDLE))
      throw new Error(`${BUNDLE} is missing: run 'make build'`);
    moto = await startMoto(command);
    const config = { endpoint: moto.url, region: REGION, credentials };
    sqs = new SQSClient(config);
    s3 = new S3Client({ ...config, forcePathStyle: true });
    await sqs.send(
      new CreateQueueCommand({ QueueName: "alma-loans.fifo", Attributes: { FifoQueue: "true" } }),
    );
    await sqs.send(new CreateQueueCommand({ QueueName: "alma-bibs" }));
    for (const Bucket of [KEPT, LARGE]) await s3.send(new CreateBucketCommand({ Bucket }));
    await new DynamoDBClient(config).send(
      new CreateTableCommand({
        TableName: TABLE,
        AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
  });
  after(async () => {
    if (figures.length > 0) console.log(figures.map((line) => `    ${line}`).join("\n"));
    await moto?.stop();
  });

  const env = (extra: Record<string, string> = {}): Record<string, string> => ({
    WORKSPACE: "dev",
    ALMA_CHALLENGE_SECRET: SECRET,
    ALMA_POD_EXPORT_JOB_NAME: POD_JOB,
    PPOD_STATE_MACHINE_ARN: STATE_MACHINE,
    ALMA_FORWARD_LOANS_TARGET: FIFO,
    ALMA_FORWARD_LOANS_EVENTS: "LOAN",
    ALMA_FORWARD_BIBS_TARGET: BIBS,
    ALMA_FORWARD_BIBS_EVENTS: "BIB",
    ALMA_IDEMPOTENCY_TABLE: TABLE,
    ALMA_UNDELIVERED_BUCKET: KEPT,
    POWERTOOLS_METRICS_NAMESPACE: "AlmaWebhooks",
    POWERTOOLS_LOG_LEVEL: "INFO",
    AWS_ENDPOINT_URL: moto?.url ?? "",
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    ...extra,
  });

  async function drain(arn: string): Promise<Message[]> {
    const url = `${moto?.url}/${ACCOUNT}/${arn.split(":").pop()}`;
    const messages: Message[] = [];
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      if (Messages.length === 0) return messages;
      messages.push(...Messages);
      for (const { ReceiptHandle } of Messages)
        await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle }));
    }
  }

  const executions = async () => {
    const sfn = new SFNClient({ endpoint: moto?.url, region: REGION, credentials });
    try {
      return (await sfn.send(new ListExecutionsCommand({ stateMachineArn: STATE_MACHINE }))).executions ?? [];
    } catch {
      return [];
    }
  };

  it("a signed 400, a target's 413, a dispatch failure and a timeout: ERROR, metric, Sentry, kept, listed; redelivered once after the fix", async () => {
    const bodies = {
      invalid: JSON.stringify(
        jobEndPayload({
          job_instance: {
            name: POD_JOB,
            id: "7019873450003100",
            counter: [counter("label.new.records", "1,234")],
          },
        }),
      ),
      failed: JSON.stringify(jobEndPayload({ job_instance: { name: POD_JOB, id: "7019873450003101" } })),
      large: JSON.stringify(
        almaEventPayload("LOAN", { id: "3751207219283101", note: "x".repeat(1_100_000) }),
      ),
      late: JSON.stringify(almaEventPayload("BIB", { id: "3751207219283102" })),
    };
    const events = Object.values(bodies).map((body) => signedPost(body, SECRET));
    const sentry = await sentrySink();
    const hole = await blackHole();
    let first: Awaited<ReturnType<typeof runBundleOutput>>;
    try {
      const started = performance.now();
      // Broken: no state machine, no claim-check bucket, SQS hung (the BIB's send times out).
      first = await runBundleOutput(events, env({ SENTRY_DSN: sentry.dsn, AWS_ENDPOINT_URL_SQS: hole.url }));
      figures.push(
        `four undelivered webhooks, one cold bundle: ${Math.round(performance.now() - started)} ms`,
      );
    } finally {
      await hole.close();
      await sentry.close();
    }
    const statuses = (first.responses as { statusCode: number }[]).map((r) => r.statusCode);
    expect(statuses).to.deep.equal([400, 500, 413, 503]);
    const lines = jsonLines(`${first.stdout}\n${first.stderr}`);
    const decisions = lines.filter((line) => line.message === "webhook decision");
    expect(decisions.map((line) => [line.level, line.notDelivered])).to.deep.equal([
      ["ERROR", "invalid-body"],
      ["ERROR", "dispatch-failed"],
      ["ERROR", "too-large"],
      ["ERROR", "deadline"],
    ]);
    const ids = decisions.map((line) => String(line.identity));
    expect(ids[0]).to.equal("20241106T144310-7019873450003100");
    expect(ids[1]).to.equal("20241106T144310-7019873450003101");
    // The metric: 1 with [service] (the alarm's) and by reason (the dashboard's).
    const metrics = lines.filter((line) => "WebhooksNotDelivered" in line);
    expect(
      metrics.filter((line) => !("reason" in line)).map((line) => line.WebhooksNotDelivered),
    ).to.deep.equal([1, 1, 1, 1]);
    expect(metrics.filter((line) => "reason" in line).map((line) => line.reason)).to.deep.equal([
      "invalid-body",
      "dispatch-failed",
      "too-large",
      "deadline",
    ]);
    // One Sentry report each (events go in envelopes whose header names the event).
    expect(sentry.envelopes.filter((envelope) => envelope.includes('"type":"event"'))).to.have.length(4);
    // Kept: the exact bytes under each id, with the signature to check them again; never in a log.
    for (const [index, body] of Object.values(bodies).entries()) {
      const object = await s3.send(
        new GetObjectCommand({ Bucket: KEPT, Key: `undelivered/${ids[index]}.json` }),
      );
      const kept = JSON.parse((await object.Body?.transformToString()) ?? "{}");
      expect(Buffer.from(kept.body, "base64").toString("utf8")).to.equal(body);
      expect(kept.headers).to.have.property("x-exl-signature");
      expect(kept).to.include({
        id: ids[index],
        reason: decisions[index]?.notDelivered,
        isBase64Encoded: true,
      });
    }
    expect(first.stdout + first.stderr).not.to.include("1,234");

    // Listed as failed, with the reason and that the bytes are kept.
    const out: string[] = [];
    const io: CliIo = {
      stdout: (text) => out.push(text),
      stderr: () => {},
      stdin: async () => Buffer.alloc(0),
      env: {},
      cwd: process.cwd(),
    };
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: moto?.url,
      AWS_REGION: REGION,
      ...{ AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" },
    });
    try {
      await deliveriesCommand(["--table", TABLE, "--failed", "--json"], io);
      // The deployed stage's deliveries page (--bucket) opens each to the same bytes, read from S3 with the
      // operator's credentials; an id nothing was kept under is none.
      const read = keptReader(KEPT);
      for (const [index, body] of Object.values(bodies).entries()) {
        const kept = await read(ids[index] as string);
        expect(kept?.id).to.equal(ids[index]);
        expect(Buffer.from(kept?.body ?? "", "base64").toString("utf8")).to.equal(body);
      }
      expect(await read("0000000000000000")).to.equal(undefined);
    } finally {
      for (const key of ["AWS_ENDPOINT_URL", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
    const listed = out.map(
      (line) => JSON.parse(line) as { identity: string; notDelivered: string; keptAs: string },
    );
    expect(
      listed.map((record) => [record.identity, record.notDelivered, record.keptAs]).sort(),
    ).to.deep.equal(
      ids.map((id, index) => [id, decisions[index]?.notDelivered, `undelivered/${id}.json`]).sort(),
    );

    // The causes are fixed: the state machine exists, a claim-check bucket is set, SQS answers.
    await new SFNClient({ endpoint: moto?.url, region: REGION, credentials }).send(
      new CreateStateMachineCommand({
        name: "ppod-undelivered",
        roleArn: `arn:aws:iam::${ACCOUNT}:role/sfn`,
        definition: JSON.stringify({ StartAt: "Done", States: { Done: { Type: "Succeed" } } }),
      }),
    );
    // One id per invocation: each webhook gets a whole deadline inside the function's timeout.
    const redeliver = ids.map((id) => ({ redeliver: { ids: [id] } }));
    const second = await runBundleOutput(
      [
        // The timed-out send left its ledger claim to expire (it may have arrived): a minute later.
        { $advanceClock: 61_000 },
        ...redeliver,
        ...redeliver,
        { redeliver: { ids: [ids[1]], body: Buffer.from(bodies.failed).toString("base64") } },
      ],
      env({ ALMA_LARGE_PAYLOAD_BUCKET: LARGE }),
    );
    type Result = { id: string; statusCode: number; outcome: string; body: string };
    type Answer = { results: Result[]; error?: string };
    const answers = second.responses as Answer[];
    const once = answers.slice(0, 4).flatMap((answer) => answer.results);
    const twice = answers.slice(4, 8).flatMap((answer) => answer.results);
    const refused = answers[8];
    expect(once.map((r) => [r.id, r.statusCode])).to.deep.equal([
      // The 400's cause is in its bytes: only a new parser mends it; it is answered 400 again and stays kept.
      [ids[0], 400],
      [ids[1], 200],
      [ids[2], 200],
      [ids[3], 200],
    ]);
    expect(once[1]?.body).to.include("PPOD pipeline initiated");
    expect(twice.map((r) => r.statusCode)).to.deep.equal([400, 200, 200, 200]);
    expect(refused?.results).to.deep.equal([]);
    expect(refused?.error).to.include("ids only");
    // Exactly once: one execution, one message on each queue, after two redeliveries and a refused event.
    expect(await executions()).to.have.length(1);
    expect(await drain(FIFO)).to.have.length(1);
    expect(await drain(BIBS)).to.have.length(1);
    figures.push(
      `redelivery: ${once.map((r) => `${r.statusCode} ${r.outcome}`).join(", ")}; again: ${twice
        .map((r) => `${r.statusCode} ${r.outcome}`)
        .join(", ")}`,
    );
  });
});
