import { readFile } from "node:fs/promises";
import { signBody, signedPost } from "@alma-webhooks/core/testing";
import { deployedPlugins } from "@alma-webhooks/lambda/plugins";
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from "@aws-sdk/client-sfn";
import { expect } from "chai";
import { DEV_SECRET } from "../../src/local/defaults.js";
import { localDefaults, samplePayloads } from "../../src/local/pipelines.js";
import { EMULATOR_PATH } from "../../src/local/server.js";
import { type ExpectedStart, expectedStarts } from "./expected-starts.js";
import { exitOf, type ServerChild, spawnCli, startServerChild } from "./server-child.js";

async function post(url: string, body: string | Buffer, signature?: string): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(signature ? { "x-exl-signature": signature } : {}) },
    body,
  });
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
  let starts: ExpectedStart[];
  const lastPlugin = deployedPlugins.at(-1)?.name as string;

  before(async () => {
    starts = await expectedStarts(localDefaults());
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

  it("lists the plugins of the list in its banner", () => {
    for (const plugin of deployedPlugins)
      expect(server.output()).to.match(new RegExp(`^  ${plugin.name} +starts `, "m"));
  });

  it("starts every plugin's pipeline for each of its signed sample payloads and journals its input", async () => {
    expect(starts.map((start) => start.plugin)).to.include.members(
      deployedPlugins.map((plugin) => plugin.name),
    );
    for (const { plugin, payload } of starts) {
      const body = Buffer.from(JSON.stringify(payload));
      const response = await post(`${server.url}/`, body, signBody(body, DEV_SECRET));
      expect(response.status, plugin).to.equal(200);
      expect(await response.text()).to.equal(
        `Webhook POST request received and validated, ${plugin} pipeline initiated.`,
      );
    }
    const started = await journal(server.journalPath);
    expect(started.map((e) => [e.stateMachineArn, e.name, JSON.parse(e.input)])).to.deep.equal(
      starts.map((start) => [start.stateMachineArn, start.name, start.input]),
    );
  });

  it("lets the real SDK client read the executions back from the endpoint the banner names", async () => {
    const last = starts.filter((start) => start.plugin === lastPlugin);
    const { executions = [] } = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: last[0]?.stateMachineArn }),
    );
    // AWS lists newest first.
    expect(executions.map((e) => e.name)).to.deep.equal(last.map((start) => start.name).reverse());
    const described = await sfn.send(
      new DescribeExecutionCommand({ executionArn: executions.at(-1)?.executionArn }),
    );
    expect(JSON.parse(described.input ?? "")).to.deep.equal(last[0]?.input);
  });

  it("does not start a second execution when Alma redelivers a webhook", async () => {
    const [first] = starts as [ExpectedStart];
    const body = Buffer.from(JSON.stringify(first.payload));
    const before = (await journal(server.journalPath)).length;
    const response = await post(`${server.url}/`, body, signBody(body, DEV_SECRET));
    expect(await response.text()).to.equal(
      `Webhook POST request received and validated, ${first.plugin} pipeline initiated.`,
    );
    expect(await journal(server.journalPath)).to.have.length(before);
  });

  it("answers 401 to an unsigned POST and starts nothing", async () => {
    const before = (await journal(server.journalPath)).length;
    const response = await post(`${server.url}/`, (samplePayloads()[0] as { body: Buffer }).body);
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
    const [first] = starts as [ExpectedStart];
    const jobInstance = first.payload.job_instance as Record<string, unknown>;
    const payload = { ...first.payload, job_instance: { ...jobInstance, id: "7000000000004761" } };
    const before = (await journal(server.journalPath)).length;
    const event = signedPost(payload, DEV_SECRET);
    const response = await fetch(`${server.url}${EMULATOR_PATH}`, {
      method: "POST",
      body: JSON.stringify(event),
    });
    const result = (await response.json()) as { statusCode: number; body: string };
    expect(result).to.include({
      statusCode: 200,
      body: `Webhook POST request received and validated, ${first.plugin} pipeline initiated.`,
    });
    const started = await journal(server.journalPath);
    expect(started).to.have.length(before + 1);
    expect(started.at(-1)?.name).to.match(/-7000000000004761$/);
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
