import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { runCli } from "../../src/cli/cli.js";
import type { CliIo } from "../../src/cli/io.js";
import { type LocalRun, startLocalRun } from "../../src/local/run.js";
import { readWebhooks } from "../../src/local/webhook-journal.js";

const LOANS = {
  ALMA_FORWARD_LOANS_TARGET: "arn:aws:sqs:us-east-1:123456789012:loans.fifo",
  ALMA_FORWARD_LOANS_EVENTS: "LOAN:LOAN_CREATED",
  ALMA_FORWARD_LOANS_INSTITUTIONS: "01MIT_INST",
  ALMA_FORWARD_BIBS_TARGET: "arn:aws:events:us-east-1:123456789012:event-bus/library",
  ALMA_FORWARD_BIBS_EVENTS: "BIB",
};

describe("local run: one line per webhook, the webhook journal, deliveries, resend, clear", () => {
  let dir: string;
  let run: LocalRun | undefined;
  let lines: string[];
  let env: NodeJS.ProcessEnv;

  const io = (extra: NodeJS.ProcessEnv = {}) => {
    const out: string[] = [];
    const err: string[] = [];
    const value: CliIo & { out: string[]; err: string[] } = {
      out,
      err,
      stdout: (text) => out.push(text),
      stderr: (text) => err.push(text),
      stdin: async () => Buffer.alloc(0),
      env: { ALMA_LOCAL_JOURNAL: join(dir, "executions.jsonl"), ...extra },
      cwd: dir,
    };
    return value;
  };
  const cli = async (args: string[], extra: NodeJS.ProcessEnv = {}) => {
    const it = io(extra);
    const code = await runCli(
      [...args, ...(args[0] === "send" || args[0] === "resend" ? ["--url", `${run?.url}/`] : [])],
      it,
    );
    return { code, out: it.out.join(""), err: it.err.join("") };
  };

  // The SDK reads its endpoints from process.env itself: what startLocalRun wrote into the copy goes there.
  const saved = { ...process.env };
  const start = async (runEnv: NodeJS.ProcessEnv) => {
    const started = await startLocalRun({ env: runEnv, out: (line) => lines.push(line), cwd: dir });
    for (const [name, value] of Object.entries(runEnv)) {
      if (name.startsWith("AWS_")) process.env[name] = value;
    }
    return started;
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "alma-journal-"));
    lines = [];
    env = { PORT: "0", ALMA_LOCAL_JOURNAL: join(dir, "executions.jsonl"), ...LOANS };
  });
  afterEach(async () => {
    await run?.close();
    run = undefined;
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
    await rm(dir, { recursive: true, force: true });
  });

  it("prints a 401, a filtered LOAN, a started pipeline and a forwarded BIB, and deliveries lists them", async () => {
    run = await start(env);
    expect((await cli(["send", "--sample", "PPOD", "--secret", "wrong"])).code).to.equal(1);
    const loan = await cli(["send", "--sample", "LOAN"]);
    expect(loan, JSON.stringify(loan)).to.include({ code: 0 });
    expect((await cli(["send", "--sample", "PPOD"])).code).to.equal(0);
    expect((await cli(["send", "--sample", "BIB"])).code).to.equal(0);
    const printed = lines.filter((line) => /^\d\d:\d\d:\d\d {2}/.test(line));
    expect(printed).to.have.length(4);
    expect(printed[0]).to.match(
      /PPOD EXPORT to Dev1 \(unverified\) {2}401 refused {2}X-Exl-Signature does not match/,
    );
    expect(printed[1]).to.include("LOAN.LOAN_CREATED  200 ignored");
    expect(printed[1]).to.include(
      "LOANS skipped → loans.fifo (institution 01PRI_INST is not in ALMA_FORWARD_LOANS_INSTITUTIONS=01MIT_INST)",
    );
    expect(printed[2]).to.match(/200 delivered {2}PPOD started → ppod-local \(ppod-upload-/);
    expect(printed[3]).to.match(/BIB\.BIB_UPDATED {2}200 delivered {2}BIBS forwarded → library/);
    expect(lines.join("\n")).not.to.include('"webhook decision"');

    const listed = await cli(["deliveries"]);
    expect(listed.out.split("\n").slice(0, 4)).to.deep.equal(printed);
    expect((await cli(["deliveries", "--failed"])).out)
      .to.include("401 refused")
      .and.not.include("200");
    const { entries } = await readWebhooks(join(dir, "webhooks.jsonl"));
    expect(entries.map((entry) => entry.status)).to.deep.equal([401, 200, 200, 200]);
    expect(JSON.parse(entries[1]?.body ?? "").action).to.equal("LOAN");
  });

  it("resends a journalled webhook signed with the current secret, and clear empties the journals", async () => {
    run = await start(env);
    await cli(["send", "--sample", "BIB", "--secret", "wrong"]);
    const [refused] = (await readWebhooks(join(dir, "webhooks.jsonl"))).entries;
    const resent = await cli(["resend", refused?.id ?? ""]);
    expect(resent).to.include({ code: 0 });
    expect(resent.out).to.match(/^200 /);
    expect((await cli(["resend", "nope"])).code).to.equal(1);
    const cleared = await cli(["clear"]);
    expect(cleared.out).to.include("webhooks.jsonl");
    expect((await cli(["deliveries"])).out).to.match(/^No webhooks yet/);
  });

  it("serves a stored secret's development value from the local endpoint, and rotate-secret changes it", async function () {
    this.timeout(20_000);
    env.ALMA_CHALLENGE_SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:alma-webhook";
    run = await start(env);
    expect(lines.join("\n")).to.include("Stored secret: Secrets Manager secret");
    expect(env.AWS_ENDPOINT_URL_SECRETS_MANAGER).to.equal(run.stepFunctionsUrl);
    expect((await cli(["send", "--sample", "BIB"])).code).to.equal(0);
    const state = JSON.parse(await readFile(join(dir, "server.json"), "utf8"));
    expect(state.storedSecret).to.deep.equal({ store: "secrets-manager", id: env.ALMA_CHALLENGE_SECRET_ARN });
    const rotation = await cli(["rotate-secret", "a-much-longer-new-secret"]);
    expect(rotation, JSON.stringify(rotation)).to.include({ code: 0 });
    // The handler re-reads the store at most every 5 s after a mismatch (503 meanwhile, which Alma retries).
    await new Promise((resolve) => setTimeout(resolve, 5100));
    const rotated = await cli(["send", "--sample", "LOAN"], {
      ALMA_CHALLENGE_SECRET: "a-much-longer-new-secret",
    });
    expect(rotated, JSON.stringify(rotated)).to.include({ code: 0 });
  });

  it("keeps the JSON log lines with ALMA_LOCAL_LOG=json", async () => {
    run = await startLocalRun({
      env: { ...env, ALMA_LOCAL_LOG: "json" },
      out: (line) => lines.push(line),
      cwd: dir,
    });
    await cli(["send", "--sample", "LOAN"]);
    expect(lines.some((line) => line.startsWith("[http] POST / → 200"))).to.equal(true);
    expect(lines.some((line) => /^\d\d:\d\d:\d\d {2}LOAN/.test(line))).to.equal(false);
  });
});
