import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigurationError } from "@alma-webhooks/core";
import { expect } from "chai";
import { type LocalRun, startLocalRun } from "../../src/local/run.js";

describe("local run (in process)", () => {
  let dir: string;
  let run: LocalRun | undefined;
  let lines: string[];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "alma-run-"));
    lines = [];
    run = undefined;
  });
  afterEach(async () => {
    await run?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const start = (env: NodeJS.ProcessEnv) =>
    startLocalRun({
      env: {
        PORT: "0",
        ALMA_LOCAL_JOURNAL: join(dir, "executions.jsonl"),
        POWERTOOLS_LOG_LEVEL: "SILENT",
        ...env,
      },
      out: (line) => lines.push(line),
      cwd: dir,
    });

  it("prints the listening line first, then the endpoint and the journal relative to the working directory", async () => {
    run = await start({});
    expect(run.stepFunctionsUrl).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(lines[0]).to.equal(`listening on ${run.url}`);
    expect(lines.join("\n")).to.include(`AWS_ENDPOINT_URL_SFN=${run.stepFunctionsUrl}`);
    expect(lines.join("\n")).to.include("Executions journal: executions.jsonl");
  });

  it("writes AWS_ENDPOINT_URL_SFN and a region into the environment it reads, keeping the user's credentials", async () => {
    const env: NodeJS.ProcessEnv = {
      PORT: "0",
      ALMA_LOCAL_JOURNAL: join(dir, "executions.jsonl"),
      AWS_ACCESS_KEY_ID: "mine",
      AWS_SECRET_ACCESS_KEY: "mine-too",
    };
    run = await startLocalRun({ env, out: (line) => lines.push(line), cwd: dir });
    expect(env).to.include({
      AWS_ENDPOINT_URL_SFN: run.stepFunctionsUrl,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "mine",
      AWS_SECRET_ACCESS_KEY: "mine-too",
    });
    await run.close();
    const bare: NodeJS.ProcessEnv = { PORT: "0", ALMA_LOCAL_JOURNAL: join(dir, "executions.jsonl") };
    run = await startLocalRun({ env: bare, out: () => {}, cwd: dir });
    expect(bare).to.include({ AWS_ACCESS_KEY_ID: "local", AWS_SECRET_ACCESS_KEY: "local" });
  });

  it("prints every setting, marks the defaults, and never prints a secret the user set", async () => {
    run = await start({
      ALMA_CHALLENGE_SECRET: "hunter2-real",
      ALMA_POD_EXPORT_JOB_NAME: "My POD job to Dev1",
    });
    const banner = lines.join("\n");
    expect(banner).not.to.include("hunter2-real");
    expect(banner).to.match(/ALMA_CHALLENGE_SECRET\s+\(set, 12 characters\)\n/);
    expect(banner).to.match(/ALMA_POD_EXPORT_JOB_NAME\s+My POD job to Dev1\n/);
    expect(banner).to.match(/WORKSPACE\s+dev {2}\(default\)/);
    expect(banner).to.include("ALMA_CHALLENGE_SECRET=<your secret> node ");
    expect(banner).to.include(`curl -XPOST "${run.url}/2015-03-31/functions/function/invocations" -d "{}"`);
  });

  it("with ALMA_LOCAL_SFN=off starts no endpoint and asks for real state machine ARNs", async () => {
    const error = await start({ ALMA_LOCAL_SFN: "off" }).then(
      () => expect.fail("expected a rejection"),
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(ConfigurationError);
    expect((error as Error).message).to.include("PPOD_STATE_MACHINE_ARN");

    const env: NodeJS.ProcessEnv = {
      ALMA_LOCAL_SFN: "off",
      PPOD_STATE_MACHINE_ARN: "arn:aws:states:us-east-1:111122223333:stateMachine:ppod-dev",
      ALMA_TIMDEX_EXPORT_JOB_NAME_PREFIX: "",
      ALMA_BURSAR_EXPORT_JOB_NAME: "",
    };
    run = await start(env);
    expect(run.stepFunctionsUrl).to.equal(undefined);
    expect(run.journalPath).to.equal(undefined);
    expect(lines.join("\n")).to.include("Step Functions: real AWS (ALMA_LOCAL_SFN=off)");
    expect(lines.join("\n")).to.include("TIMDEX plugin is inactive");
  });
});
