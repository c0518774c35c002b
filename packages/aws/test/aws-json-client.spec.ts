// The small JSON 1.0 client the Step Functions calls go through when the environment allows (Lambda's): which environments it
// takes (and which it leaves to the SDK), its signature (checked against the SDK's own signer and AWS's
// published example), and its wire behaviour against a scripted endpoint: errors shaped as the SDK's, the
// standard retry strategy, the per-attempt timeout and the abort signal.

import { execFileSync } from "node:child_process";
import { createHash, createHmac } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SignatureV4 } from "@smithy/signature-v4";
import { expect } from "chai";
import {
  type AwsJsonError,
  createAwsJsonClient,
  retryDelay,
  retryKind,
  settingsFromEnvironment,
  signRequest,
} from "../src/aws-json-client.js";
import { DISPATCH_BUDGET } from "../src/deadline.js";
import { STEP_FUNCTIONS, stepFunctionsCalls } from "../src/step-functions-calls.js";

const PLAIN = { AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "AKID", AWS_SECRET_ACCESS_KEY: "secret" };
const noConfigFile = () => false;
const settingsOf = (env: NodeJS.ProcessEnv) => settingsFromEnvironment(STEP_FUNCTIONS, env, noConfigFile);

describe("the JSON 1.0 client: which environments it takes", () => {
  it("takes credentials and a region from the environment, and Step Functions' standard endpoint", () => {
    const settings = settingsOf(PLAIN);
    expect(settings?.endpoint.href).to.equal("https://states.us-east-1.amazonaws.com/");
    expect(settings).to.deep.include({ region: "us-east-1", accessKeyId: "AKID", secretAccessKey: "secret" });
    expect(settings).not.to.have.property("sessionToken");
    expect(settingsOf({ ...PLAIN, AWS_SESSION_TOKEN: "token" })?.sessionToken).to.equal("token");
  });

  it("builds the endpoint of each partition it knows", () => {
    const endpoint = (region: string) => settingsOf({ ...PLAIN, AWS_REGION: region })?.endpoint.href;
    expect(endpoint("eu-west-1")).to.equal("https://states.eu-west-1.amazonaws.com/");
    expect(endpoint("cn-north-1")).to.equal("https://states.cn-north-1.amazonaws.com.cn/");
    expect(endpoint("us-gov-west-1")).to.equal("https://states.us-gov-west-1.amazonaws.com/");
  });

  it("takes AWS_ENDPOINT_URL_SFN before AWS_ENDPOINT_URL, unless configured endpoints are ignored", () => {
    const both = { ...PLAIN, AWS_ENDPOINT_URL_SFN: "http://127.0.0.1:4000", AWS_ENDPOINT_URL: "http://x:1" };
    expect(settingsOf(both)?.endpoint.href).to.equal("http://127.0.0.1:4000/");
    expect(settingsOf({ ...PLAIN, AWS_ENDPOINT_URL: "http://x:1" })?.endpoint.href).to.equal("http://x:1/");
    expect(settingsOf({ ...both, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true" })?.endpoint.href).to.equal(
      "https://states.us-east-1.amazonaws.com/",
    );
  });

  for (const [why, env] of [
    ["no region", { ...PLAIN, AWS_REGION: "" }],
    ["no access key", { ...PLAIN, AWS_ACCESS_KEY_ID: undefined }],
    ["no secret key", { ...PLAIN, AWS_SECRET_ACCESS_KEY: undefined }],
    ["a profile (the SDK then skips the environment's credentials)", { ...PLAIN, AWS_PROFILE: "dev" }],
    ["FIPS endpoints", { ...PLAIN, AWS_USE_FIPS_ENDPOINT: "true" }],
    ["dual-stack endpoints", { ...PLAIN, AWS_USE_DUALSTACK_ENDPOINT: "TRUE" }],
    ["the adaptive retry mode", { ...PLAIN, AWS_RETRY_MODE: "adaptive" }],
    ["a partition it does not know", { ...PLAIN, AWS_REGION: "us-iso-east-1" }],
    ["an endpoint that is not a URL", { ...PLAIN, AWS_ENDPOINT_URL_SFN: "not a url" }],
    ["an endpoint that is not HTTP", { ...PLAIN, AWS_ENDPOINT_URL_SFN: "ftp://host" }],
    ["an endpoint with a query", { ...PLAIN, AWS_ENDPOINT_URL_SFN: "http://host/?a=1" }],
    ["an endpoint with user info", { ...PLAIN, AWS_ENDPOINT_URL: "http://user:pass@host" }],
  ] as const) {
    it(`leaves the environment to the SDK with ${why}`, () => {
      expect(settingsOf(env)).to.equal(undefined);
    });
  }

  it("leaves it to the SDK when a shared config or credentials file exists (it may set an endpoint or retries)", () => {
    const seen: string[] = [];
    const exists = (path: string) => {
      seen.push(path);
      return true;
    };
    const env = { ...PLAIN, HOME: "/home/someone" };
    expect(settingsFromEnvironment(STEP_FUNCTIONS, env, exists)).to.equal(undefined);
    expect(seen).to.deep.equal(["/home/someone/.aws/config"]);
    seen.length = 0;
    settingsFromEnvironment(STEP_FUNCTIONS, { ...env, AWS_CONFIG_FILE: "/etc/aws.conf" }, exists);
    expect(seen).to.deep.equal(["/etc/aws.conf"]);
    // The credentials file too: the SDK reads a profile's settings from it as well.
    const onlyCredentials = (path: string) => path.endsWith("/.aws/credentials");
    expect(settingsFromEnvironment(STEP_FUNCTIONS, env, onlyCredentials)).to.equal(undefined);
    const credentialsElsewhere = (path: string) => path === "/etc/aws-credentials";
    const elsewhere = { ...env, AWS_SHARED_CREDENTIALS_FILE: "/etc/aws-credentials" };
    expect(settingsFromEnvironment(STEP_FUNCTIONS, elsewhere, credentialsElsewhere)).to.equal(undefined);
    expect(settingsFromEnvironment(STEP_FUNCTIONS, env, () => false)).to.not.equal(undefined);
  });

  it("is what stepFunctionsCalls uses when it can, and the SDK's client otherwise", async () => {
    // Only the calls' own environment names a region: the SDK's client, which reads process.env, would
    // fail without one ("Region is missing"); the JSON client's calls reach the closed port and are refused.
    const calls = stepFunctionsCalls({
      ...PLAIN,
      HOME: "/nonexistent",
      AWS_ENDPOINT_URL_SFN: "http://127.0.0.1:9",
    });
    const error = await calls
      .describeStateMachine({ stateMachineArn: "arn" }, new AbortController().signal)
      .then(
        () => undefined,
        (caught: unknown) => caught as AwsJsonError,
      );
    calls.destroy?.();
    expect(error?.code).to.equal("ECONNREFUSED");
    expect(error?.$metadata.attempts).to.equal(DISPATCH_BUDGET.maxAttempts);
  });
});

/** The SDK's signer, over node:crypto. */
class Sha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    const key = secret instanceof ArrayBuffer ? new Uint8Array(secret) : secret;
    this.hash = key === undefined ? createHash("sha256") : createHmac("sha256", key as string | Uint8Array);
  }
  update(data: string | ArrayBuffer | ArrayBufferView) {
    this.hash.update(data instanceof ArrayBuffer ? new Uint8Array(data) : (data as string | Uint8Array));
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
  reset() {}
}

async function sdkSignature(
  request: { path: string; headers: Record<string, string>; body: string; host: string },
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
  date: Date,
): Promise<Record<string, string>> {
  const signer = new SignatureV4({ credentials, region: "us-east-1", service: "states", sha256: Sha256 });
  const signed = await signer.sign(
    {
      method: "POST",
      protocol: "https:",
      hostname: request.host,
      path: request.path,
      query: {},
      headers: { ...request.headers, host: request.host },
      body: request.body,
    },
    { signingDate: date },
  );
  return signed.headers as Record<string, string>;
}

describe("the JSON 1.0 client: its Signature V4", () => {
  const date = new Date("2026-12-07T18:30:12.345Z");
  const body = JSON.stringify({ stateMachineArn: "arn:aws:states:us-east-1:1:stateMachine:s", name: "n é" });
  const headers = {
    "content-type": "application/x-amz-json-1.0",
    "x-amz-target": "AWSStepFunctions.StartExecution",
    "x-amz-content-sha256": createHash("sha256").update(body).digest("hex"),
  };

  for (const [what, credentials, path] of [
    ["long-term keys", { accessKeyId: "AKID", secretAccessKey: "wJalrXUtnFEMI/K7MDENG" }, "/"],
    [
      "temporary credentials",
      { accessKeyId: "ASIA", secretAccessKey: "s3cr3t", sessionToken: "FwoGZXIvYXdzE//token==" },
      "/",
    ],
    ["an endpoint with a path", { accessKeyId: "AKID", secretAccessKey: "k" }, "/prefix/sfn/"],
  ] as const) {
    it(`signs as the SDK's signer does, with ${what}`, async () => {
      const host = "states.us-east-1.amazonaws.com";
      const mine = signRequest(
        { method: "POST", path, headers: { ...headers, host }, body },
        credentials,
        { region: "us-east-1", service: "states" },
        date,
      );
      const sdk = await sdkSignature({ path, headers, body, host }, credentials, date);
      expect(mine.authorization).to.equal(sdk.authorization);
      expect(mine["x-amz-date"]).to.equal("20261207T183012Z");
      expect(mine["x-amz-security-token"]).to.equal(
        "sessionToken" in credentials ? credentials.sessionToken : undefined,
      );
    });
  }

  it("gives AWS's published example signature (the test suite's get-vanilla)", () => {
    const signed = signRequest(
      { method: "GET", path: "/", headers: { Host: "example.amazonaws.com" }, body: "" },
      { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
      { region: "us-east-1", service: "service" },
      new Date("2015-08-30T12:36:00Z"),
    );
    expect(signed.authorization).to.equal(
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, " +
        "SignedHeaders=host;x-amz-date, " +
        "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
    );
  });
});

describe("the JSON 1.0 client: the SDK's standard retry strategy", () => {
  const error = (fields: object) => Object.assign(new Error("x"), { $metadata: {} }, fields) as AwsJsonError;

  it("classes errors as the SDK does", () => {
    expect(retryKind(error({ name: "ThrottlingException" }))).to.equal("throttling");
    expect(retryKind(error({ name: "Unknown", $metadata: { httpStatusCode: 429 } }))).to.equal("throttling");
    expect(retryKind(error({ name: "TimeoutError" }))).to.equal("transient");
    expect(retryKind(error({ name: "Error", code: "ECONNRESET" }))).to.equal("transient");
    expect(retryKind(error({ name: "InternalFailure", $metadata: { httpStatusCode: 500 } }))).to.equal(
      "transient",
    );
    expect(retryKind(error({ name: "Error", cause: { name: "x", code: "EPIPE" } }))).to.equal("transient");
    expect(retryKind(error({ name: "Error", cause: { name: "ThrottlingException" } }))).to.equal(undefined);
    // Not retried: a 501 (a server error, not a transient one), an abort, a client error.
    expect(retryKind(error({ name: "NotImplemented", $metadata: { httpStatusCode: 501 } }))).to.equal(
      undefined,
    );
    expect(retryKind(error({ name: "AbortError", code: "ECONNRESET" }))).to.equal(undefined);
    expect(retryKind(error({ name: "AccessDeniedException", $metadata: { httpStatusCode: 400 } }))).to.equal(
      undefined,
    );
  });

  it("waits a random share of 50 ms × 2^n, of 1 s × 2^n after throttling, at most 20 s", () => {
    expect(retryDelay("transient", 0, 0.999)).to.equal(49);
    expect(retryDelay("transient", 1, 0.5)).to.equal(50);
    expect(retryDelay("throttling", 0, 0.5)).to.equal(500);
    expect(retryDelay("throttling", 2, 1)).to.equal(4000);
    expect(retryDelay("throttling", 10, 1)).to.equal(20_000);
    expect(retryDelay("transient", 3, 0)).to.equal(0);
  });
});

type Script = (request: {
  target: string;
  body: string;
  attempt: number;
}) => { status?: number; headers?: Record<string, string>; body?: string } | "hang" | "reset";

describe("the JSON 1.0 client on the wire", function () {
  this.timeout(15_000);
  let server: Server;
  let url: string;
  let script: Script;
  let received: { headers: IncomingMessage["headers"]; body: string }[];
  const credentials = { accessKeyId: "AKID", secretAccessKey: "secret", sessionToken: "token" };

  beforeEach(async () => {
    received = [];
    server = createServer((request: IncomingMessage, response: ServerResponse) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        received.push({ headers: request.headers, body });
        const answer = script({
          target: String(request.headers["x-amz-target"]),
          body,
          attempt: received.length,
        });
        if (answer === "hang") return;
        if (answer === "reset") return void request.socket.destroy();
        response.writeHead(answer.status ?? 200, answer.headers ?? {}).end(answer.body ?? "{}");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const client = (path = "") =>
    createAwsJsonClient(STEP_FUNCTIONS, {
      endpoint: new URL(url + path),
      region: "us-east-1",
      ...credentials,
    });
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => expect.fail("expected the call to fail"),
      (error: unknown) => error as AwsJsonError,
    );

  it("posts the operation's JSON, signed so that the SDK's signer agrees, and gives the output", async () => {
    script = () => ({ body: '{"executionArn":"arn:x","startDate":1.7E9}' });
    const calls = client("/prefix");
    const input = { stateMachineArn: "arn:aws:states:us-east-1:1:stateMachine:s", name: "n", input: "{}" };
    const output = await calls.call("StartExecution", input);
    calls.destroy();
    expect(output).to.deep.equal({ executionArn: "arn:x", startDate: 1.7e9 });
    const [request] = received;
    expect(JSON.parse(request?.body ?? "")).to.deep.equal(input);
    const { headers = {} } = request ?? {};
    expect(headers).to.include({
      "content-type": "application/x-amz-json-1.0",
      "x-amz-target": "AWSStepFunctions.StartExecution",
      "x-amz-security-token": "token",
      "content-length": String(Buffer.byteLength(request?.body ?? "")),
    });
    const date = String(headers["x-amz-date"]);
    const iso = `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 11)}:${date.slice(11, 13)}:${date.slice(13)}`;
    const sdk = await sdkSignature(
      {
        path: "/prefix/",
        host: String(headers.host),
        body: request?.body ?? "",
        headers: {
          "content-type": "application/x-amz-json-1.0",
          "x-amz-target": "AWSStepFunctions.StartExecution",
          "x-amz-content-sha256": String(headers["x-amz-content-sha256"]),
        },
      },
      credentials,
      new Date(iso),
    );
    expect(headers.authorization).to.equal(sdk.authorization);
  });

  it("throws a service error as the SDK does: its name from __type, its message, fault and status", async () => {
    script = () => ({
      status: 400,
      headers: { "x-amzn-requestid": "req-1" },
      body: JSON.stringify({
        __type: "com.amazonaws.states#ExecutionAlreadyExists",
        message: "Execution Already Exists: 'arn'",
      }),
    });
    const error = await failure(client().call("StartExecution", {}));
    expect(error).to.be.instanceOf(Error);
    expect(error).to.deep.include({
      name: "ExecutionAlreadyExists",
      message: "Execution Already Exists: 'arn'",
      $fault: "client",
    });
    expect(error.$metadata).to.deep.equal({
      httpStatusCode: 400,
      requestId: "req-1",
      attempts: 1,
      totalRetryDelay: 0,
    });
    expect(received).to.have.length(1);
  });

  it("reads the name from x-amzn-errortype when the body has none, and calls a nameless one Unknown", async () => {
    script = () => ({ status: 400, headers: { "x-amzn-errortype": "AccessDeniedException:http://x" } });
    expect(await failure(client().call("StartExecution", {}))).to.deep.include({
      name: "AccessDeniedException",
      message: "UnknownError",
    });
    script = () => ({ status: 403, body: "" });
    expect(await failure(client().call("StartExecution", {}))).to.deep.include({
      name: "Unknown",
      message: "UnknownError",
      $fault: "client",
    });
  });

  it("throws the SDK's SyntaxError for an answer that is not JSON, retried only for a transient status", async () => {
    script = () => ({ status: 403, body: "<html>Forbidden</html>" });
    const forbidden = await failure(client().call("StartExecution", {}));
    expect(forbidden.name).to.equal("SyntaxError");
    expect(forbidden.message).to.include("Deserialization error: to see the raw response");
    expect(forbidden.$metadata).to.include({ httpStatusCode: 403, attempts: 1 });
    received = [];
    script = () => ({ status: 502, body: "<html>Bad Gateway</html>" });
    const gateway = await failure(client().call("StartExecution", {}));
    expect(gateway.name).to.equal("SyntaxError");
    expect(received).to.have.length(DISPATCH_BUDGET.maxAttempts);
  });

  it("names a reset connection TimeoutError, as the SDK's handler does, and retries it", async () => {
    script = () => "reset";
    const error = await failure(client().call("StartExecution", {}));
    expect(error).to.deep.include({ name: "TimeoutError", code: "ECONNRESET" });
    expect(received).to.have.length(DISPATCH_BUDGET.maxAttempts);
  });

  it("keeps the SDK's retry quota: a long outage stops the retries, a success gives a token back", async () => {
    script = () => ({ status: 500, body: '{"__type":"InternalFailure"}' });
    const calls = client();
    const attempts: number[] = [];
    for (let call = 0; call < 19; call += 1)
      attempts.push((await failure(calls.call("StartExecution", {}))).$metadata.attempts ?? 0);
    // 500 tokens, 14 a retry: 17 calls retry twice, the 18th once (10 left), the 19th not at all.
    expect(attempts).to.deep.equal([...Array(17).fill(3), 2, 1]);
    script = () => ({ body: "{}" });
    for (let call = 0; call < 4; call += 1) await calls.call("StartExecution", {});
    // Four successes gave back a token each: 14, enough for one retry again.
    script = () => ({ status: 500, body: '{"__type":"InternalFailure"}' });
    expect((await failure(calls.call("StartExecution", {}))).$metadata.attempts).to.equal(2);
    calls.destroy();
  });

  it("retries 5xx and throttling (at most the budget's attempts) and gives the first success", async () => {
    script = ({ attempt }) =>
      attempt === 1
        ? { status: 503, body: '{"__type":"ServiceUnavailable"}' }
        : { body: '{"executionArn":"arn:y"}' };
    expect(await client().call("StartExecution", {})).to.deep.equal({ executionArn: "arn:y" });
    expect(received).to.have.length(2);

    received = [];
    script = () => ({ status: 400, body: '{"__type":"ThrottlingException","message":"Rate exceeded"}' });
    const error = await failure(client().call("StartExecution", {}));
    expect(error.name).to.equal("ThrottlingException");
    expect(error.$metadata.attempts).to.equal(DISPATCH_BUDGET.maxAttempts);
    expect(received).to.have.length(DISPATCH_BUDGET.maxAttempts);
  });

  it("takes the service's clock from a refusal for the signature's time, and signs the retry by it", async () => {
    const ahead = Date.now() + 3_600_000;
    script = ({ attempt }) =>
      attempt === 1
        ? {
            status: 400,
            headers: { date: new Date(ahead).toUTCString() },
            body: '{"__type":"InvalidSignatureException","message":"Signature expired"}',
          }
        : { body: '{"executionArn":"arn:z"}' };
    expect(await client().call("StartExecution", {})).to.deep.equal({ executionArn: "arn:z" });
    const dates = received.map(({ headers }) => {
      const d = String(headers["x-amz-date"]);
      return Date.parse(
        `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 11)}:${d.slice(11, 13)}:${d.slice(13)}`,
      );
    });
    expect(dates).to.have.length(2);
    expect(Math.abs((dates[0] ?? 0) - Date.now())).to.be.below(60_000);
    expect(Math.abs((dates[1] ?? 0) - ahead)).to.be.below(60_000);
    // Refused every time: each refusal moves the offset (by the milliseconds between them), as the SDK's
    // correction does, so the attempts run out; the last refusal is the error.
    received = [];
    script = () => ({
      status: 400,
      headers: { date: new Date(ahead).toUTCString() },
      body: '{"__type":"InvalidSignatureException","message":"Signature expired"}',
    });
    const error = await failure(client().call("StartExecution", {}));
    expect(error.name).to.equal("InvalidSignatureException");
    expect(received).to.have.length(DISPATCH_BUDGET.maxAttempts);
  });

  it("does not retry a client error, a 501 or an answer that is not JSON", async () => {
    for (const answer of [
      { status: 400, body: '{"__type":"StateMachineDoesNotExist","message":"gone"}' },
      { status: 501, body: "{}" },
      { status: 200, body: "{not json" },
    ]) {
      received = [];
      script = () => answer;
      const error = await failure(client().call("StartExecution", {}));
      expect(received, JSON.stringify(answer)).to.have.length(1);
      expect(error.$metadata.httpStatusCode).to.equal(answer.status);
      if (answer.status === 200) expect(error.name).to.equal("SyntaxError");
      if (answer.status === 501) expect(error.$fault).to.equal("server");
    }
  });

  it("gives up an attempt after the request timeout, as the SDK's TimeoutError, and tries again", async () => {
    script = ({ attempt }) => (attempt === 1 ? "hang" : { body: '{"type":"STANDARD"}' });
    const started = performance.now();
    const calls = client();
    expect(await calls.call("DescribeStateMachine", {})).to.deep.equal({ type: "STANDARD" });
    calls.destroy();
    expect(performance.now() - started).to.be.at.least(DISPATCH_BUDGET.requestTimeoutMs - 50);
    expect(received).to.have.length(2);
  });

  it("stops at once when the abort signal fires, with the SDK's AbortError, and sends no more", async () => {
    script = () => "hang";
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = performance.now();
    const error = await failure(client().call("StartExecution", {}, controller.signal));
    expect(error.name).to.equal("AbortError");
    expect(performance.now() - started).to.be.below(DISPATCH_BUDGET.requestTimeoutMs);
    expect(received).to.have.length(1);

    const aborted = AbortSignal.abort();
    received = [];
    expect((await failure(client().call("StartExecution", {}, aborted))).name).to.equal("AbortError");
    expect(received).to.have.length(0);
  });
});

describe("the JSON 1.0 client over https", function () {
  this.timeout(15_000);
  let folder = "";
  let key = "";
  let cert = "";

  before(function () {
    folder = mkdtempSync(join(tmpdir(), "aws-json-tls-"));
    try {
      execFileSync(
        "openssl",
        ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"].concat([
          "-keyout",
          join(folder, "key.pem"),
          "-out",
          join(folder, "cert.pem"),
        ]),
        { stdio: "ignore" },
      );
    } catch {
      console.log("    openssl is not installed: the https case is skipped");
      this.skip();
    }
    key = readFileSync(join(folder, "key.pem"), "utf8");
    cert = readFileSync(join(folder, "cert.pem"), "utf8");
  });

  after(() => rmSync(folder, { recursive: true, force: true }));

  it("speaks TLS to an https endpoint and checks its certificate (a self-signed one is refused, once)", async () => {
    let handshakes = 0;
    let answered = 0;
    const server = createHttpsServer({ key, cert }, (_request, response) => {
      answered += 1;
      response.end("{}");
    });
    server.on("tlsClientError", () => {
      handshakes += 1;
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const calls = createAwsJsonClient(STEP_FUNCTIONS, {
      endpoint: new URL(`https://127.0.0.1:${port}`),
      region: "us-east-1",
      accessKeyId: "AKID",
      secretAccessKey: "secret",
    });
    try {
      // The first two calls of a cold start go together: one agent serves both.
      const errors = await Promise.all(
        [calls.call("StartExecution", {}), calls.call("DescribeStateMachine", {})].map((call) =>
          call.then(
            () => expect.fail("a self-signed certificate must be refused"),
            (error: unknown) => error as AwsJsonError,
          ),
        ),
      );
      for (const error of errors) {
        expect(error.code).to.equal("DEPTH_ZERO_SELF_SIGNED_CERT");
        expect(error.$metadata.attempts).to.equal(1);
      }
      expect(answered).to.equal(0);
      // The server hears of each refused handshake when the client hangs up, which may come after the
      // client's error: waited for, not assumed.
      for (let waited = 0; handshakes < 2 && waited < 5_000; waited += 20)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(handshakes).to.equal(2);
    } finally {
      calls.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
