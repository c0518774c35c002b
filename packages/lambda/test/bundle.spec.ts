import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  almaEventPayload,
  challengeEvent,
  jobEndPayload,
  signedPost,
  toAlmaXml,
} from "@alma-webhooks/core/testing";
import { type LocalStepFunctions, startLocalStepFunctions } from "@alma-webhooks/local-aws/endpoint";
import { expect } from "chai";
import { BUNDLE, PING_BUNDLE, requireBundle, runChild } from "./support/child.js";
import { ARNS, JOBS, SECRET, VALID_ENV } from "./support/environment.js";
import { startHttpSink } from "./support/http-sink.js";
import { RESPONSE_TABLE, STARTED, TRIGGERS } from "./support/response-table.js";

const TABLE = RESPONSE_TABLE;
const VALIDATED = "Webhook POST request received and validated";
const TRIGGER_POD = signedPost(TRIGGERS.pod(), SECRET);
/**
 * The node that runs the bundle: this machine's, or the command in BUNDLE_NODE (space-separated), which
 * `make test-node22` sets to Node 22 (Lambda's runtime) through npx. `make test` downloads nothing.
 */
const NODE: readonly string[] = process.env.BUNDLE_NODE?.trim().split(/\s+/) ?? [process.execPath];
const NODE_LABEL = process.env.BUNDLE_NODE ? `'${process.env.BUNDLE_NODE}'` : "this machine's Node";

describe("the bundle (dist/webhook.mjs)", function () {
  this.timeout(180_000);
  let endpoint: LocalStepFunctions;

  before(requireBundle);
  beforeEach(async () => {
    endpoint = await startLocalStepFunctions({ stateMachineArns: Object.values(ARNS) });
  });
  afterEach(() => endpoint.close());

  const lambdaEnv = () => ({
    ...VALID_ENV,
    POWERTOOLS_LOG_LEVEL: "INFO",
    AWS_ENDPOINT_URL_SFN: endpoint.url,
    AWS_ENDPOINT_URL_SQS: endpoint.url,
    AWS_ENDPOINT_URL_EVENTBRIDGE: endpoint.url,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint.url,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    // Lambda has no shared config or credentials file; the developer's must not stand in for one.
    AWS_CONFIG_FILE: "/nonexistent/alma-webhooks/aws-config",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/alma-webhooks/aws-credentials",
  });

  it(`answers every row of the response table under ${NODE_LABEL}, loading only the bundle`, async () => {
    const { responses, resolved } = await runChild(
      BUNDLE,
      TABLE.map(([event]) => event),
      lambdaEnv(),
      NODE,
    );
    expect(responses.map((r) => [r.statusCode, r.body])).to.deep.equal(
      TABLE.map(([, status, body]) => [status, body]),
    );
    expect(endpoint.executions().map((execution) => execution.stateMachineArn)).to.deep.equal(
      STARTED.map((name) => ARNS[name]),
    );
    const outside = resolved.filter(
      (url) => url.startsWith("file:") && !url.includes("/dist/") && !url.includes("alma-child-"),
    );
    expect(outside, "modules loaded from outside the bundle").to.deep.equal([]);
    expect(resolved.filter((url) => url.includes("sentry"))).to.deep.equal([]);
    expect(resolved.filter((url) => url.includes("metrics-sdk"))).to.deep.equal([]);
    // No forward route: the SQS and EventBridge clients are never loaded.
    expect(resolved.filter((url) => /sqs|event-bus/.test(url))).to.deep.equal([]);
    // No ALMA_IDEMPOTENCY_TABLE, no ALMA_LARGE_PAYLOAD_BUCKET: neither DynamoDB nor S3 is loaded.
    expect(resolved.filter((url) => /chunks\/(dynamodb|s3)-sdk-/.test(url))).to.deep.equal([]);
    // The secret is in the environment: no Secrets Manager or SSM client is loaded.
    expect(resolved.filter((url) => /chunks\/(secrets|ssm)-/.test(url))).to.deep.equal([]);
  });

  it(`loads node:crypto only for a signed POST, and fast-xml-parser only for XML outside the plain subset (${NODE_LABEL})`, async () => {
    const xml = toAlmaXml(almaEventPayload("LOAN"));
    // The same webhook with a comment in it: well-formed, but outside what core's one-pass reader takes.
    const commented = xml.replace("<webhook>", "<webhook><!-- relayed -->");
    expect(commented).to.not.equal(xml);
    const asXml = { headers: { "Content-Type": "application/xml" } };
    const { responses, resolved, builtins } = await runChild(
      BUNDLE,
      [challengeEvent("cold"), signedPost(xml, SECRET, asXml)],
      lambdaEnv(),
      NODE,
    );
    expect(responses.map((r) => r.statusCode)).to.deep.equal([200, 200]);
    const [get = [], plainXml = []] = builtins.byEvent;
    // A cold GET challenge: the import and the answer load no crypto (its HMAC is a signed POST's).
    expect([...builtins.onImport, ...get]).to.not.include("crypto");
    expect(plainXml).to.include("crypto");
    // Alma's plain XML is read by core's one-pass reader: fast-xml-parser, a chunk of its own, is not loaded.
    const reference = (urls: string[]) => urls.filter((url) => /chunks\/xml-reference-/.test(url));
    expect(reference(resolved)).to.deep.equal([]);
    const other = await runChild(BUNDLE, [signedPost(commented, SECRET, asXml)], lambdaEnv(), NODE);
    expect(other.responses).to.deep.equal([responses[1]]);
    expect(reference(other.resolved)).to.have.length(1);
    // Neither is in the code a GET and a plain XML webhook load: no fast-xml-parser (its XMLParser class, in
    // the reference chunk alone) and no reflect-metadata (its OrdinaryGetMetadata; tsyringe gets
    // @abraham/reflection's Reflect API).
    const loaded = resolved.filter((url) => url.startsWith("file:") && url.includes("/dist/"));
    expect(loaded.some((url) => /\/chunks\/webhook-/.test(url))).to.equal(true);
    for (const url of loaded) {
      const code = readFileSync(fileURLToPath(url), "utf8");
      expect(code, url).to.not.match(/\bXMLParser\b|\bOrdinaryGetMetadata\b/);
    }
    const referenceCode = readFileSync(fileURLToPath(reference(other.resolved)[0] as string), "utf8");
    expect(referenceCode).to.match(/\bXMLParser\b/);
  });

  it(`starts a pipeline's execution with the small JSON 1.0 client, loading no SDK code, and through the SDK when a setting asks for it (${NODE_LABEL})`, async () => {
    const sdkCode = /\bclass (SFNClient|NodeHttpHandler)\b/;
    const codeOf = (urls: string[]) =>
      urls
        .filter((url) => url.startsWith("file:") && url.includes("/dist/"))
        .map((url) => readFileSync(fileURLToPath(url), "utf8"));
    const plain = await runChild(BUNDLE, [TRIGGER_POD], lambdaEnv(), NODE);
    expect(plain.responses.map((r) => r.body)).to.deep.equal([`${VALIDATED}, PPOD pipeline initiated.`]);
    expect(plain.resolved.some((url) => /chunks\/step-functions-calls-/.test(url))).to.equal(true);
    expect(codeOf(plain.resolved).filter((code) => sdkCode.test(code))).to.deep.equal([]);
    expect(plain.builtins.byEvent[0]).to.include("http").and.to.not.include("http2");
    // The adaptive retry mode is the SDK's alone: the SDK's client starts the next execution.
    const adaptive = await runChild(
      BUNDLE,
      [signedPost(jobEndPayload({ job_instance: { name: JOBS.PPOD, id: "7019873450002222" } }), SECRET)],
      { ...lambdaEnv(), AWS_RETRY_MODE: "adaptive" },
      NODE,
    );
    expect(adaptive.responses.map((r) => r.statusCode)).to.deep.equal([200]);
    expect(codeOf(adaptive.resolved).some((code) => sdkCode.test(code))).to.equal(true);
    expect(endpoint.executions().map((execution) => execution.stateMachineArn)).to.deep.equal([
      ARNS.PPOD,
      ARNS.PPOD,
    ]);
  });

  it(`forwards LOAN and REQUEST bodies to a FIFO queue and BIB bodies to a bus with environment variables only (${NODE_LABEL})`, async () => {
    const queue = "arn:aws:sqs:us-east-1:123456789012:alma-circulation.fifo";
    const bus = "arn:aws:events:us-east-1:123456789012:event-bus/alma-bibs";
    const env = {
      ...lambdaEnv(),
      ALMA_FORWARD_CIRCULATION_TARGET: queue,
      ALMA_FORWARD_CIRCULATION_EVENTS: "LOAN:LOAN_CREATED,REQUEST",
      ALMA_FORWARD_BIBS_TARGET: bus,
      ALMA_FORWARD_BIBS_EVENTS: "BIB",
    };
    const loan = almaEventPayload("LOAN");
    const request = almaEventPayload("REQUEST", { id: "3751207219283556" });
    const bib = almaEventPayload("BIB", { id: "3751207219283557" });
    const challenge = await runChild(BUNDLE, [challengeEvent("c")], env, NODE);
    expect(
      challenge.resolved.filter((url) => /sqs|event-bus/.test(url)),
      "a GET loads no client",
    ).to.deep.equal([]);
    const { responses, resolved } = await runChild(
      BUNDLE,
      [loan, request, loan, bib].map((payload) => signedPost(payload, SECRET)),
      env,
      NODE,
    );
    expect(responses.map((r) => [r.statusCode, r.body])).to.deep.equal([
      [200, `${VALIDATED}, CIRCULATION forwarded.`],
      [200, `${VALIDATED}, CIRCULATION forwarded.`],
      [200, `${VALIDATED}, CIRCULATION forwarded.`],
      [200, `${VALIDATED}, BIBS forwarded.`],
    ]);
    const sends = endpoint
      .requests()
      .filter((r) => r.operation === "SendMessage")
      .map((r) => r.body);
    const ids = sends.map((send) =>
      String((send as { MessageDeduplicationId?: string }).MessageDeduplicationId),
    );
    expect(sends).to.deep.equal(
      [loan, request, loan].map((payload, index) => ({
        QueueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/alma-circulation.fifo",
        MessageBody: JSON.stringify(payload),
        MessageAttributes: { "alma-webhook-id": { DataType: "String", StringValue: ids[index] } },
        MessageGroupId: "CIRCULATION",
        MessageDeduplicationId: ids[index],
      })),
    );
    expect(ids[0]).to.match(/^circulation-loan-20241106T150000-[0-9A-Za-z_-]{22}$/);
    expect(ids[2]).to.equal(ids[0]);
    const puts = endpoint
      .requests()
      .filter((r) => r.operation === "PutEvents")
      .map((r) => r.body as { Entries: { Resources?: string[] }[] });
    const resource = String(puts[0]?.Entries[0]?.Resources?.[0]);
    expect(resource).to.match(/^alma-webhook-id:bibs-bib-20241106T150000-[0-9A-Za-z_-]{22}$/);
    expect(puts).to.deep.equal([
      {
        Entries: [
          {
            EventBusName: bus,
            Source: "alma-webhooks",
            DetailType: "BIB",
            Detail: JSON.stringify(bib),
            Resources: [resource],
          },
        ],
      },
    ]);
    // The redelivered LOAN was kept out by its deduplication id: three messages, not four.
    expect(endpoint.messages().map((m) => m.targetArn)).to.deep.equal([queue, queue, bus]);
    expect(endpoint.executions()).to.deep.equal([]);
    expect(resolved.some((url) => /chunks\/sqs-dispatcher-[\w-]+\.mjs$/.test(url))).to.equal(true);
    expect(resolved.some((url) => /chunks\/event-bus-dispatcher-[\w-]+\.mjs$/.test(url))).to.equal(true);
    expect(resolved.some((url) => url.includes("step-functions-dispatcher"))).to.equal(false);
  });

  it(`answers with the secret read from a local Secrets Manager, and takes a rotated one without a restart (${NODE_LABEL})`, async () => {
    const arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:alma-webhook-AbCdEf";
    const rotated = `${SECRET}-rotated`;
    // The second read of the secret finds it rotated.
    endpoint.setSecret(arn, [SECRET, rotated]);
    const { ALMA_CHALLENGE_SECRET: _inEnv, ...rest } = lambdaEnv() as Record<string, string>;
    const env = { ...rest, ALMA_CHALLENGE_SECRET_ARN: arn };
    const pod = (id: string, secret: string) =>
      signedPost(jobEndPayload({ job_instance: { name: JOBS.PPOD, id } }), secret);
    const { responses, resolved } = await runChild(
      BUNDLE,
      [
        pod("1", SECRET),
        pod("2", rotated),
        { $advanceClock: 5_000 },
        pod("3", rotated),
        { $advanceClock: 5_000 },
        pod("4", SECRET),
      ],
      env,
      NODE,
    );
    // Inside the 5 s after the cold start's read: 503 (Alma retries); then read again and taken; the old
    // secret, no longer stored, is 401 after a read that finds only the rotated one.
    expect(responses.map((r) => r.statusCode)).to.deep.equal([200, 503, 200, 401]);
    expect(
      endpoint
        .requests()
        .filter((r) => r.operation === "GetSecretValue")
        .map((r) => r.body),
    ).to.deep.equal([{ SecretId: arn }, { SecretId: arn }, { SecretId: arn }]);
    expect(endpoint.executions()).to.have.length(2);
    expect(resolved.some((url) => /chunks\/.*secrets.*\.mjs$/i.test(url))).to.equal(true);
  });

  it(`with POWERTOOLS_METRICS_NAMESPACE set, loads the metrics chunk and writes metrics (${NODE_LABEL})`, async () => {
    const env = { ...lambdaEnv(), POWERTOOLS_METRICS_NAMESPACE: "AlmaWebhooks" };
    const { responses, stdout, resolved } = await runChild(BUNDLE, [challengeEvent("m")], env, NODE);
    expect(responses.map((r) => r.statusCode)).to.deep.equal([200]);
    expect(resolved.some((url) => /chunks\/metrics-sdk-[\w-]+\.mjs$/.test(url))).to.equal(true);
    expect(stdout).to.contain('"Namespace":"AlmaWebhooks"');
  });

  it(`with SENTRY_DSN set, loads the Sentry chunk only at the first report, and sends it (${NODE_LABEL})`, async () => {
    const sink = await startHttpSink();
    try {
      const env = {
        ...lambdaEnv(),
        SENTRY_DSN: `${sink.url.replace("http://", "http://key@")}/7`,
        // A state machine the endpoint does not know: a permanent dispatch failure, reported.
        PPOD_STATE_MACHINE_ARN: ARNS.PPOD.replace("ppod-test", "ppod-gone"),
      };
      const challenge = await runChild(BUNDLE, [challengeEvent("x")], env, NODE);
      expect(challenge.responses.map((r) => r.statusCode)).to.deep.equal([200]);
      expect(challenge.stdout).to.contain("Sentry error reporting is on");
      expect(challenge.resolved.filter((url) => url.includes("sentry"))).to.deep.equal([]);

      const failed = await runChild(BUNDLE, [challengeEvent("y"), TRIGGER_POD], env, NODE);
      expect(failed.responses.map((r) => r.statusCode)).to.deep.equal([200, 500]);
      expect(failed.resolved.some((url) => /chunks\/sentry-sdk-[\w-]+\.mjs$/.test(url))).to.equal(true);
      const envelope = sink.bodies.join("\n");
      expect(envelope).to.contain("DispatchFailedError");
      expect(envelope).to.contain('"environment":"dev"');
    } finally {
      await sink.close();
    }
  });

  it("dist/ping.mjs answers pong", async () => {
    const { responses } = await runChild(PING_BUNDLE, [{}], {}, NODE);
    expect(responses).to.deep.equal(["pong"]);
  });
});
