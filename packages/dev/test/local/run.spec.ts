import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigurationError, type WebhookPlugin } from "@alma-webhooks/core";
import { deployedPlugins } from "@alma-webhooks/lambda/plugins";
import { LocalSettingsError } from "@alma-webhooks/local-aws/errors";
import { expect } from "chai";
import { runCli } from "../../src/cli/cli.js";
import { stateMachineVariables } from "../../src/local/pipelines.js";
import { type LocalRun, startLocalRun } from "../../src/local/run.js";
import { getWithHost } from "./server-child.js";

/** A real-looking state machine for every plugin of the list. */
const REAL_ARNS = Object.fromEntries(
  stateMachineVariables().map((name, i) => [
    name,
    `arn:aws:states:us-east-1:111122223333:stateMachine:real-${i}`,
  ]),
);

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
    const [first, ...others] = deployedPlugins as [WebhookPlugin<string>, ...WebhookPlugin<string>[]];
    const error = await start({ ALMA_LOCAL_SFN: "off", ALMA_CHALLENGE_SECRET: "my-own-secret" }).then(
      () => expect.fail("expected a rejection"),
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(ConfigurationError);
    for (const name of stateMachineVariables()) expect((error as Error).message).to.include(name);

    // Only the first plugin, on a real state machine; every other one turned off with an empty job name.
    const env: NodeJS.ProcessEnv = {
      ALMA_LOCAL_SFN: "off",
      ALMA_CHALLENGE_SECRET: "my-own-secret",
      [stateMachineVariables([first])[0] as string]:
        "arn:aws:states:us-east-1:111122223333:stateMachine:real",
      ...Object.fromEntries(others.map((plugin) => [plugin.settings[plugin.activatedBy]?.env, ""])),
    };
    run = await start(env);
    expect(run.stepFunctionsUrl).to.equal(undefined);
    expect(run.journalPath).to.equal(undefined);
    const banner = lines.join("\n");
    expect(banner).to.include("Step Functions: real AWS (ALMA_LOCAL_SFN=off)");
    expect(banner).to.match(
      new RegExp(`^  ${first.name} +starts arn:aws:states:us-east-1:111122223333:stateMachine:real`, "m"),
    );
    for (const plugin of others) {
      expect(banner).to.include(`${plugin.name} plugin is inactive`);
      expect(banner).to.match(new RegExp(`^  ${plugin.name} +inactive`, "m"));
    }
  });

  describe("against real AWS (ALMA_LOCAL_SFN=off)", () => {
    it("refuses to start without an explicit ALMA_CHALLENGE_SECRET, or with the development secret", async () => {
      for (const secret of [undefined, "", "itsasecret"]) {
        const env = {
          ALMA_LOCAL_SFN: "off",
          ...REAL_ARNS,
          ...(secret === undefined ? {} : { ALMA_CHALLENGE_SECRET: secret }),
        };
        const error = await start(env).then(
          (started) => {
            run = started;
            return expect.fail(`started with secret ${String(secret)}`);
          },
          (e: unknown) => e,
        );
        expect(error, String(secret)).to.be.instanceOf(LocalSettingsError);
        expect((error as Error).message).to.match(/ALMA_CHALLENGE_SECRET/);
        expect((error as Error).message).not.to.include("\n");
      }
    });

    it("starts with a secret of the operator's own", async () => {
      run = await start({ ALMA_LOCAL_SFN: "off", ALMA_CHALLENGE_SECRET: "my-own-secret", ...REAL_ARNS });
      expect(run.stepFunctionsUrl).to.equal(undefined);
    });

    it("makes `alma-webhook serve` exit 1 with one line naming the variable", async () => {
      const err: string[] = [];
      const io = {
        stdout: () => {},
        stderr: (text: string) => err.push(text),
        stdin: async () => Buffer.alloc(0),
        env: { PORT: "0", ALMA_LOCAL_SFN: "off", ...REAL_ARNS } as NodeJS.ProcessEnv,
        cwd: dir,
      };
      expect(await runCli(["serve"], io)).to.equal(1);
      expect(err).to.have.length(1);
      expect(err[0]).to.match(/^alma-webhook serve: .*ALMA_CHALLENGE_SECRET.*\n$/);
    });
  });

  describe("start-up warnings", () => {
    it("prints a forward route's entry that names no Alma action or event, with the nearest, last", async () => {
      run = await start({
        ALMA_FORWARD_Q_TARGET: "arn:aws:sqs:us-east-1:123456789012:alma-events.fifo",
        ALMA_FORWARD_Q_EVENTS: "LOANS,LOAN:LOAN_CREATD",
      });
      const tail = lines.slice(lines.indexOf("Ctrl-C stops the server.") + 1);
      expect(tail).to.deep.equal([
        "",
        "Warnings (2):",
        "  warning: ALMA_FORWARD_Q_EVENTS: 'LOANS': the action 'LOANS' is not one that Alma documents; did you mean 'LOAN'? (Q route).",
        "  warning: ALMA_FORWARD_Q_EVENTS: 'LOAN:LOAN_CREATD': the event 'LOAN_CREATD' of LOAN is not one that Alma documents; did you mean 'LOAN:LOAN_CREATED'? (Q route).",
        "",
      ]);
    });
  });

  describe("bind address", () => {
    it("serves any Host when the operator chose the bind address, and warns when it is not loopback", async () => {
      run = await start({ ALMA_LOCAL_HOST: "0.0.0.0" });
      const port = new URL(run.url).port;
      expect(lines.join("\n")).to.match(/warning: .*0\.0\.0\.0.*not a loopback address/);
      // Printed last, apart from the banner.
      const warningAt = lines.findIndex((line) => line.includes("not a loopback address"));
      expect(warningAt).to.be.greaterThan(lines.indexOf("Ctrl-C stops the server."));
      const answer = await getWithHost(`http://127.0.0.1:${port}`, "my-laptop.example");
      expect(answer.status).to.equal(200);
    });

    it("does not warn on the default loopback bind", async () => {
      run = await start({});
      expect(lines.join("\n")).not.to.match(/not a loopback address/);
    });
  });
});
