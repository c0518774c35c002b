// Issue 26's acceptance, through the built bundle against moto's server: identities, the ledger across a
// retry, the claim check, and `alma-webhook deliveries`.
import { createHash } from "node:crypto";
import { almaEventPayload, jobEndPayload, signedPost } from "@alma-webhooks/core/testing";
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
import { BUNDLE, findMotoServer, type Moto, runBundle, startMoto } from "./moto.js";

const SECRET = "a-webhook-secret-for-moto";
const ACCOUNT = "123456789012";
const REGION = "us-east-1";
const POD_JOB = "Publishing Platform Job PPOD EXPORT to Dev1";
const FIFO = `arn:aws:sqs:${REGION}:${ACCOUNT}:alma-circulation.fifo`;
const STANDARD = `arn:aws:sqs:${REGION}:${ACCOUNT}:alma-jobs`;
const STATE_MACHINE = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:ppod-moto`;
const BUCKET = "alma-large-payloads";
const TABLE = "alma-ledger";
const VALIDATED = "Webhook POST request received and validated";
const credentials = { accessKeyId: "test", secretAccessKey: "test" };

describe("delivery guarantees through the bundle against moto (issue 26)", function () {
  this.timeout(120_000);
  let moto: Moto | undefined;
  let sqs: SQSClient;
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
    await sqs.send(
      new CreateQueueCommand({ QueueName: "alma-circulation.fifo", Attributes: { FifoQueue: "true" } }),
    );
    await sqs.send(new CreateQueueCommand({ QueueName: "alma-jobs" }));
    await new S3Client({ ...config, forcePathStyle: true }).send(new CreateBucketCommand({ Bucket: BUCKET }));
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
    ALMA_FORWARD_CIRCULATION_TARGET: FIFO,
    ALMA_FORWARD_CIRCULATION_EVENTS: "LOAN",
    ALMA_FORWARD_JOBS_TARGET: STANDARD,
    ALMA_FORWARD_JOBS_EVENTS: `JOB_END:${POD_JOB}`,
    ALMA_IDEMPOTENCY_TABLE: TABLE,
    AWS_ENDPOINT_URL: moto?.url ?? "",
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    POWERTOOLS_LOG_LEVEL: "SILENT",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    ...extra,
  });

  /** Every message on a queue now, received and deleted. */
  async function drain(arn: string): Promise<Message[]> {
    const url = `${moto?.url}/${ACCOUNT}/${arn.split(":").pop()}`;
    const messages: Message[] = [];
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          MessageAttributeNames: ["All"],
          WaitTimeSeconds: 0,
        }),
      );
      if (Messages.length === 0) return messages;
      messages.push(...Messages);
      // Deleted, as a consumer does: a FIFO queue holds back the rest of a group while one is in flight.
      for (const { ReceiptHandle } of Messages) {
        await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle }));
      }
    }
  }

  const loan = (value: string, extra: Record<string, unknown> = {}) =>
    almaEventPayload("LOAN", { event: { value }, ...extra });

  it("four distinct events sharing an id and a time give four messages on a FIFO queue; a redelivery none", async () => {
    const events = ["LOAN_CREATED", "LOAN_RENEWED", "LOAN_DUE_DATE", "LOAN_RETURNED"].map((value) =>
      signedPost(loan(value), SECRET),
    );
    const started = performance.now();
    const responses = await runBundle([...events, events[1]], env());
    figures.push(
      `five LOAN webhooks, ledger on, one cold bundle: ${Math.round(performance.now() - started)} ms`,
    );
    expect(responses.map((r) => r.body)).to.deep.equal(Array(5).fill(`${VALIDATED}, CIRCULATION forwarded.`));
    const messages = await drain(FIFO);
    expect(messages).to.have.length(4);
    const ids = messages.map((m) => m.MessageAttributes?.["alma-webhook-id"]?.StringValue);
    expect(new Set(ids).size).to.equal(4);
    for (const id of ids) expect(id).to.match(/^circulation-loan-20241106T150000-[0-9A-Za-z_-]{22}$/);
  });

  it("a pipeline that fails beside a route that delivers, retried after the fix, leaves one message on a standard queue", async () => {
    const job = signedPost(
      jobEndPayload({ job_instance: { name: POD_JOB, id: "7019873450001111" } }),
      SECRET,
    );
    const [failed] = await runBundle([job], env());
    expect(failed?.statusCode).to.equal(500);
    expect(await drain(STANDARD)).to.have.length(1);
    const sfn = new SFNClient({ endpoint: moto?.url, region: REGION, credentials });
    await sfn.send(
      new CreateStateMachineCommand({
        name: "ppod-moto",
        roleArn: `arn:aws:iam::${ACCOUNT}:role/sfn`,
        definition: JSON.stringify({ StartAt: "Done", States: { Done: { Type: "Succeed" } } }),
      }),
    );
    const [retried] = await runBundle([job], env());
    expect(retried?.body).to.equal(`${VALIDATED}, PPOD pipeline initiated, JOBS forwarded.`);
    const { executions = [] } = await sfn.send(new ListExecutionsCommand({ stateMachineArn: STATE_MACHINE }));
    expect(executions).to.have.length(1);
    // The message of the first try was taken above; a resend would be a new one.
    expect(await drain(STANDARD)).to.have.length(0);
  });

  it("an oversized body reaches the consumer through S3 with a bucket, and gets a 413 without", async () => {
    const big = loan("LOAN_CREATED", { id: "3751207219289999", note: "x".repeat(1_100_000) });
    const [viaS3] = await runBundle([signedPost(big, SECRET)], env({ ALMA_LARGE_PAYLOAD_BUCKET: BUCKET }));
    expect(viaS3?.body).to.equal(`${VALIDATED}, CIRCULATION forwarded.`);
    const [message] = await drain(FIFO);
    const pointer = JSON.parse(message?.Body ?? "{}")["alma-webhooks-large-payload"];
    expect(pointer).to.include({ bucket: BUCKET });
    const s3 = new S3Client({ endpoint: moto?.url, region: REGION, credentials, forcePathStyle: true });
    const object = await s3.send(new GetObjectCommand({ Bucket: pointer.bucket, Key: pointer.key }));
    const text = (await object.Body?.transformToString()) ?? "";
    expect(JSON.parse(text)).to.deep.equal(big);
    expect(pointer.size).to.equal(Buffer.byteLength(text));
    expect(pointer.sha256).to.equal(createHash("sha256").update(text).digest("hex"));

    const other = loan("LOAN_RENEWED", { id: "3751207219289998", note: "x".repeat(1_100_000) });
    const [refused] = await runBundle([signedPost(other, SECRET)], env());
    expect(refused?.statusCode).to.equal(413);
    expect(refused?.body).to.include("CIRCULATION").and.to.include("1048576 bytes");
    expect(await drain(FIFO)).to.have.length(0);
  });

  it("`alma-webhook deliveries --table` shows each webhook's fate", async () => {
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
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
    });
    try {
      expect(await deliveriesCommand(["--table", TABLE, "--since", "1h"], io)).to.equal(0);
      const lines = out.join("").trim().split("\n");
      expect(lines.filter((line) => line.includes("LOAN LOAN_"))).to.have.length(7);
      expect(
        lines.filter((line) => line.includes("CIRCULATION duplicate (already forwarded)")),
      ).to.have.length(1);
      expect(lines.some((line) => / 500 .*PPOD failed: StateMachineDoesNotExist/.test(line))).to.equal(true);
      expect(
        lines.some((line) => / 200 .*PPOD started; JOBS duplicate \(already forwarded\)/.test(line)),
      ).to.equal(true);
      expect(lines.some((line) => / 413 .*CIRCULATION too large: \d+ > 1048576 bytes/.test(line))).to.equal(
        true,
      );
      out.length = 0;
      await deliveriesCommand(["--table", TABLE, "--failed"], io);
      expect(out.join("").trim().split("\n")).to.have.length(2);
    } finally {
      for (const key of ["AWS_ENDPOINT_URL", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
  });
});
