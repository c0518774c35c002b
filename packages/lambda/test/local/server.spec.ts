import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { counter, jobEndPayload, signBody, signedPost } from "@alma-webhooks/core/testing";
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from "@aws-sdk/client-sfn";
import { expect } from "chai";
import { DEV_SECRET, LOCAL_STATE_MACHINE_ARNS, TEMPLATES_DIR } from "../../src/local/defaults.js";
import { EMULATOR_PATH } from "../../src/local/server.js";
import { exitOf, type ServerChild, spawnCli, startServerChild } from "./server-child.js";

async function post(url: string, body: string | Buffer, signature?: string): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(signature ? { "x-exl-signature": signature } : {}) },
    body,
  });
}

async function template(name: string): Promise<Buffer> {
  return readFile(join(TEMPLATES_DIR, name));
}

async function journal(path: string): Promise<{ name: string; stateMachineArn: string; input: string }[]> {
  const text = await readFile(path, "utf8").catch(() => "");
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

describe("local server (alma-webhook serve, as a child process)", () => {
  let server: ServerChild;
  let sfn: SFNClient;

  before(async () => {
    server = await startServerChild();
    sfn = new SFNClient({
      endpoint: server.stepFunctionsUrl,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 1,
    });
  });

  after(async () => {
    sfn?.destroy();
    if (server?.process.exitCode === null) await server.stop("SIGKILL");
  });

  it("prints a listening line with the port it got and the defaults it applied", () => {
    expect(server.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.output()).to.include("WORKSPACE");
    expect(server.output()).to.match(/ALMA_CHALLENGE_SECRET\s+itsasecret\s+\(default\)/);
    expect(server.output()).to.include(`curl "${server.url}/?challenge=hello"`);
  });

  it("answers a GET challenge with the challenge value", async () => {
    const response = await fetch(`${server.url}/?challenge=challenge-accepted`);
    expect(response.status).to.equal(200);
    expect(await response.text()).to.equal("challenge-accepted");
  });

  it("starts the POD, TIMDEX and Bursar pipelines for signed webhooks and journals their input", async () => {
    const answers: string[] = [];
    for (const name of ["pod.json", "timdex-daily.json", "timdex-full.json", "bursar.json"]) {
      const body = await template(name);
      const response = await post(`${server.url}/`, body, signBody(body, DEV_SECRET));
      expect(response.status, name).to.equal(200);
      answers.push(await response.text());
    }
    expect(answers).to.deep.equal([
      "Webhook POST request received and validated, PPOD pipeline initiated.",
      "Webhook POST request received and validated, TIMDEX pipeline initiated.",
      "Webhook POST request received and validated, TIMDEX pipeline initiated.",
      "Webhook POST request received and validated, BURSAR pipeline initiated.",
    ]);

    const started = await journal(server.journalPath);
    expect(started.map((e) => [e.stateMachineArn, JSON.parse(e.input)])).to.deep.equal([
      [
        LOCAL_STATE_MACHINE_ARNS.PPOD_STATE_MACHINE_ARN,
        { "filename-prefix": "exlibris/pod/POD_ALMA_EXPORT_20241106" },
      ],
      [
        LOCAL_STATE_MACHINE_ARNS.TIMDEX_STATE_MACHINE_ARN,
        {
          "next-step": "transform",
          "run-date": "2024-11-06",
          "run-type": "daily",
          source: "alma",
          verbose: "true",
        },
      ],
      [
        LOCAL_STATE_MACHINE_ARNS.TIMDEX_STATE_MACHINE_ARN,
        {
          "next-step": "transform",
          "run-date": "2024-11-03",
          "run-type": "full",
          source: "alma",
          verbose: "true",
        },
      ],
      [LOCAL_STATE_MACHINE_ARNS.BURSAR_STATE_MACHINE_ARN, { job_id: "6219500010004761" }],
    ]);
  });

  it("lets the real SDK client read the executions back from the endpoint the banner names", async () => {
    const { executions = [] } = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: LOCAL_STATE_MACHINE_ARNS.BURSAR_STATE_MACHINE_ARN }),
    );
    expect(executions.map((e) => e.name)).to.deep.equal(["bursar-20241107T051203-6219500010004761"]);
    const described = await sfn.send(
      new DescribeExecutionCommand({ executionArn: executions[0]?.executionArn }),
    );
    expect(JSON.parse(described.input ?? "")).to.deep.equal({ job_id: "6219500010004761" });
  });

  it("does not start a second execution when Alma redelivers a webhook", async () => {
    const body = await template("pod.json");
    const response = await post(`${server.url}/`, body, signBody(body, DEV_SECRET));
    expect(await response.text()).to.equal(
      "Webhook POST request received and validated, PPOD pipeline initiated.",
    );
    const pod = (await journal(server.journalPath)).filter((e) => e.name.startsWith("ppod-upload-"));
    expect(pod).to.have.length(1);
  });

  it("answers 401 to an unsigned POST and starts nothing", async () => {
    const before = (await journal(server.journalPath)).length;
    const response = await post(`${server.url}/`, await template("bursar.json"));
    expect(response.status).to.equal(401);
    expect(await response.text()).to.equal(
      "Unable to validate signature. Has the webhook challenge secret changed?",
    );
    expect(await journal(server.journalPath)).to.have.length(before);
  });

  it("answers the runtime emulator path with the handler's result as JSON, for the README's '{}'", async () => {
    const response = await fetch(`${server.url}${EMULATOR_PATH}`, { method: "POST", body: "{}" });
    expect(response.status).to.equal(200);
    expect(response.headers.get("content-type")).to.equal("application/json");
    const result = (await response.json()) as { statusCode: number; body: string };
    expect(result.statusCode).to.equal(400);
    expect(result.body).to.match(/not an HTTP event/);
  });

  it("runs a signed Function URL event posted to the emulator path", async () => {
    const payload = jobEndPayload({
      job_instance: {
        id: "7000000000004761",
        name: "Export to bursar using profile Bursar Export to Dev1",
        counter: [counter("com.exlibris.external.bursar.report.fines_fees_count", 3)],
      },
    });
    const event = signedPost(payload, DEV_SECRET);
    const response = await fetch(`${server.url}${EMULATOR_PATH}`, {
      method: "POST",
      body: JSON.stringify(event),
    });
    const result = (await response.json()) as { statusCode: number; body: string };
    expect(result).to.include({
      statusCode: 200,
      body: "Webhook POST request received and validated, BURSAR pipeline initiated.",
    });
    const bursar = (await journal(server.journalPath)).filter((e) => e.name.startsWith("bursar-"));
    expect(bursar.map((e) => JSON.parse(e.input).job_id)).to.include("7000000000004761");
  });

  it("refuses a second server on the same port with a one-line message and exit code 1", async () => {
    const port = new URL(server.url).port;
    const child = spawnCli(["serve"], { PORT: port, ALMA_LOCAL_SFN: "on" });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    const { code } = await exitOf(child);
    expect(code).to.equal(1);
    expect(stderr).to.equal(
      `alma-webhook serve: Port ${port} is already in use: stop the other process or set PORT=${Number(port) + 1}\n`,
    );
  });

  it("stops cleanly with exit code 0 on SIGINT", async () => {
    const { code, signal } = await server.stop("SIGINT");
    expect({ code, signal }).to.deep.equal({ code: 0, signal: null });
    expect(server.output()).to.match(/SIGINT received: stopping the local server\nstopped\n$/);
  });

  it("stops cleanly with exit code 0 on SIGTERM", async () => {
    const other = await startServerChild();
    expect(await other.stop("SIGTERM")).to.deep.equal({ code: 0, signal: null });
  });
});
