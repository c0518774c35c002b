import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RecordingDispatcher } from "@alma-webhooks/core/testing";
import { deployedPlugins } from "@alma-webhooks/lambda/plugins";
import { expect } from "chai";
import { runCli } from "../../src/cli/cli.js";
import type { CliIo } from "../../src/cli/io.js";
import { eventSamples } from "../../src/local/event-samples.js";
import { localDefaults, samplePayloads } from "../../src/local/pipelines.js";
import { type LocalServer, startLocalServer } from "../../src/local/server.js";
import { type ExpectedStart, expectedStarts } from "../local/expected-starts.js";
import { handlerWithFakes } from "../support/handler.js";

/** The original project's fixture: this body, signed with the development secret. */
const KNOWN_BODY = "The POST request body";
const KNOWN_SIGNATURE = "e9SHoXK4MZrSGqhglMK4w+/u1pjYn0bfTEYtcFqj7CE=";

interface FakeIo extends CliIo {
  readonly out: string[];
  readonly err: string[];
}

function fakeIo(options: { env?: NodeJS.ProcessEnv; stdin?: string; cwd?: string } = {}): FakeIo {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    stdin: async () => Buffer.from(options.stdin ?? ""),
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
  };
}

describe("alma-webhook CLI", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "alma-cli-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe("help and usage errors", () => {
    it("prints the usage for help and --help with exit code 0", async () => {
      for (const argv of [["help"], ["--help"]]) {
        const io = fakeIo();
        expect(await runCli(argv, io)).to.equal(0);
        expect(io.out.join("")).to.include("alma-webhook send [FILE|-|--sample NAME[:N]]");
      }
    });

    it("exits 2 with the usage on stderr without a command, and names an unknown command", async () => {
      const bare = fakeIo();
      expect(await runCli([], bare)).to.equal(2);
      expect(bare.err.join("")).to.include("Usage:");
      const unknown = fakeIo();
      expect(await runCli(["deploy"], unknown)).to.equal(2);
      expect(unknown.err.join("")).to.equal(
        "alma-webhook: unknown command 'deploy'. Run 'alma-webhook help' for usage.\n",
      );
    });

    it("exits 2 on an unknown option", async () => {
      const io = fakeIo();
      expect(await runCli(["sign", "--sekret", "x"], io)).to.equal(2);
      expect(io.err.join("")).to.match(/^alma-webhook sign: Unknown option '--sekret'/);
    });
  });

  describe("sign", () => {
    it("signs a file's bytes with the development secret (the original project's known vector)", async () => {
      const file = join(dir, "body.txt");
      await writeFile(file, KNOWN_BODY);
      const io = fakeIo();
      expect(await runCli(["sign", file], io)).to.equal(0);
      expect(io.out).to.deep.equal([`${KNOWN_SIGNATURE}\n`]);
    });

    it("signs standard input, with --secret or else ALMA_CHALLENGE_SECRET", async () => {
      const fromStdin = fakeIo({ stdin: KNOWN_BODY, env: { ALMA_CHALLENGE_SECRET: "itsasecret" } });
      await runCli(["sign", "-"], fromStdin);
      expect(fromStdin.out).to.deep.equal([`${KNOWN_SIGNATURE}\n`]);
      const other = fakeIo({ stdin: KNOWN_BODY, env: { ALMA_CHALLENGE_SECRET: "another" } });
      await runCli(["sign"], other);
      const option = fakeIo({ stdin: KNOWN_BODY });
      await runCli(["sign", "--secret", "another"], option);
      expect(other.out[0]).not.to.equal(`${KNOWN_SIGNATURE}\n`);
      expect(option.out).to.deep.equal(other.out);
    });

    it("takes the secret from --secret-file PATH, trailing newline dropped", async () => {
      const secretFile = join(dir, "secret");
      await writeFile(secretFile, "itsasecret\n");
      const io = fakeIo({ stdin: KNOWN_BODY, env: { ALMA_CHALLENGE_SECRET: "not this one" } });
      expect(await runCli(["sign", "--secret-file", secretFile], io)).to.equal(0);
      expect(io.out).to.deep.equal([`${KNOWN_SIGNATURE}\n`]);
    });

    it("takes the secret from standard input with --secret-file -", async () => {
      const file = join(dir, "body.txt");
      await writeFile(file, KNOWN_BODY);
      const io = fakeIo({ stdin: "itsasecret\n" });
      expect(await runCli(["sign", "--secret-file", "-", file], io)).to.equal(0);
      expect(io.out).to.deep.equal([`${KNOWN_SIGNATURE}\n`]);
    });

    it("refuses two sources for the secret, or stdin for both the secret and the payload", async () => {
      const both = fakeIo({ stdin: KNOWN_BODY });
      expect(await runCli(["sign", "--secret", "a", "--secret-file", "-"], both)).to.equal(2);
      const stdinTwice = fakeIo({ stdin: KNOWN_BODY });
      expect(await runCli(["sign", "--secret-file", "-"], stdinTwice)).to.equal(2);
      expect(stdinTwice.err.join("")).to.include("standard input");
    });

    it("says in its help why --secret is the least safe way to give the secret", async () => {
      const io = fakeIo();
      await runCli(["help"], io);
      const help = io.out.join("");
      expect(help).to.include("--secret-file");
      expect(help).to.include("ALMA_CHALLENGE_SECRET");
      expect(help).to.match(/--secret[^\n]*\n?[^\n]*ps/);
      expect(help).to.include("shell history");
    });

    it("says which file it cannot read", async () => {
      const io = fakeIo({ cwd: dir });
      expect(await runCli(["sign", "missing.json"], io)).to.equal(1);
      expect(io.err).to.deep.equal(["alma-webhook sign: Cannot read missing.json: no such file\n"]);
    });
  });

  describe("send and replay, against an in-process server", () => {
    let server: LocalServer;
    let dispatcher: RecordingDispatcher;
    let starts: ExpectedStart[];
    /** What a sample file holds, written where a user would keep it. */
    const sampleFile = async (index: number): Promise<string> => {
      const sample = samplePayloads()[index] as { name: string; body: Buffer };
      const file = join(dir, sample.name);
      await writeFile(file, sample.body);
      return file;
    };

    beforeEach(async () => {
      starts = await expectedStarts(localDefaults());
      dispatcher = new RecordingDispatcher();
      const env = { ...localDefaults(), POWERTOOLS_LOG_LEVEL: "SILENT" };
      const { handler } = handlerWithFakes({ env, dispatcher });
      server = await startLocalServer({ invoke: (event, context) => handler(event, context) });
    });
    afterEach(async () => {
      await server.close();
    });

    it("sends a payload file signed and prints the status and body", async () => {
      const [first] = starts as [ExpectedStart];
      const io = fakeIo();
      const code = await runCli(["send", "--url", `${server.url}/`, await sampleFile(0)], io);
      expect(code).to.equal(0);
      expect(io.out).to.deep.equal([
        `200 Webhook POST request received and validated, ${first.plugin} pipeline initiated.\n`,
      ]);
      expect(dispatcher.requests.map((r) => r.name)).to.deep.equal([first.name]);
    });

    it("sends any plugin's sample with --sample NAME[:N]", async () => {
      for (const plugin of deployedPlugins) {
        const ofPlugin = starts.filter((start) => start.plugin === plugin.name);
        for (const [i] of ofPlugin.entries()) {
          const io = fakeIo();
          expect(
            await runCli(
              ["send", "--url", server.url, "--sample", `${plugin.name.toLowerCase()}:${i + 1}`],
              io,
            ),
          ).to.equal(0);
          expect(io.out).to.deep.equal([
            `200 Webhook POST request received and validated, ${plugin.name} pipeline initiated.\n`,
          ]);
        }
      }
      expect(dispatcher.requests.map((r) => r.name)).to.deep.equal(starts.map((start) => start.name));
      const unknown = fakeIo();
      expect(await runCli(["send", "--url", server.url, "--sample", "NOPE"], unknown)).to.equal(2);
      expect(unknown.err.join("")).to.include(deployedPlugins.map((plugin) => plugin.name).join(", "));
    });

    it("takes a sample's name as typed elsewhere: job-end for JOB_END, as course-reserves for COURSE_RESERVES", async () => {
      const io = fakeIo();
      expect(await runCli(["send", "--url", server.url, "--sample", "job-end"], io)).to.equal(0);
      expect(io.out.join("")).to.match(/^200 /);
    });

    it("sends a challenge with --challenge, and an unsigned POST with --unsigned (exit 1: refused)", async () => {
      const challenge = fakeIo();
      await runCli(["send", "--url", server.url, "--challenge", "a b&c"], challenge);
      expect(challenge.out).to.deep.equal(["200 a b&c\n"]);
      const unsigned = fakeIo();
      expect(
        await runCli(["send", "--url", server.url, "--unsigned", await sampleFile(0)], unsigned),
      ).to.equal(1);
      expect(unsigned.out).to.deep.equal([
        "401 Unable to validate signature. Has the webhook challenge secret changed?\n",
      ]);
    });

    it("exits 1 on a 5xx answer, which Alma would retry", async () => {
      dispatcher.behaveAs("transient-failure");
      const io = fakeIo();
      expect(await runCli(["send", "--url", server.url, await sampleFile(0)], io)).to.equal(1);
      expect(io.out[0]).to.match(/^503 /);
    });

    it("replays every *.json file of a folder in name order, one line each", async () => {
      const folder = join(dir, "payloads");
      await mkdir(folder);
      const [first] = starts as [ExpectedStart];
      const unrelated = samplePayloads().at(-1) as { body: Buffer };
      await writeFile(join(folder, "b-first.json"), (samplePayloads()[0] as { body: Buffer }).body);
      await writeFile(join(folder, "a-unrelated.json"), unrelated.body);
      await writeFile(join(folder, "notes.txt"), "not a payload");
      const io = fakeIo();
      expect(await runCli(["replay", "--url", server.url, folder], io)).to.equal(0);
      expect(io.out).to.deep.equal([
        "a-unrelated.json  200 Webhook POST request received and validated, no action taken.\n",
        `b-first.json      200 Webhook POST request received and validated, ${first.plugin} pipeline initiated.\n`,
      ]);
    });

    it("replays every plugin's sample payloads, then an unrelated job, without a folder", async () => {
      const io = fakeIo();
      expect(await runCli(["replay", "--url", server.url], io)).to.equal(0);
      const samples = samplePayloads();
      expect(io.out.map((line) => line.split(/\s+/)[0])).to.deep.equal(samples.map((sample) => sample.name));
      expect(io.out.at(-1)).to.match(/no action taken\.\n$/);
      expect(dispatcher.requests.map((r) => [r.plugin, r.name])).to.deep.equal(
        starts.map((start) => [start.plugin, start.name]),
      );
    });

    it("writes the sample payloads to a folder with `samples DIR`, ready to replay", async () => {
      const io = fakeIo({ cwd: dir });
      expect(await runCli(["samples", "out"], io)).to.equal(0);
      const samples = [...samplePayloads(), ...eventSamples()];
      expect(io.out).to.deep.equal(samples.map((sample) => `${join("out", sample.name)}\n`));
      for (const sample of samples) {
        expect((await readFile(join(dir, "out", sample.name))).equals(sample.body)).to.equal(true);
      }
    });

    it("refuses an empty folder", async () => {
      const io = fakeIo();
      expect(await runCli(["replay", "--url", server.url, dir], io)).to.equal(1);
      expect(io.err.join("")).to.include("No *.json payload files in");
    });
  });

  it("says the server is not running when the connection is refused", async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    await new Promise((resolve) => blocker.close(resolve));
    const io = fakeIo();
    expect(await runCli(["send", "--url", `http://127.0.0.1:${port}/`, "--challenge", "x"], io)).to.equal(1);
    expect(io.err.join("")).to.equal(
      `alma-webhook send: Could not reach http://127.0.0.1:${port}: ECONNREFUSED. Is the local server running (make run)?\n`,
    );
  });

  describe("executions", () => {
    const entry = (name: string, machine: string, input: unknown) =>
      JSON.stringify({
        executionArn: `arn:aws:states:us-east-1:123456789012:execution:${machine}:${name}`,
        stateMachineArn: `arn:aws:states:us-east-1:123456789012:stateMachine:${machine}`,
        name,
        input: JSON.stringify(input),
        status: "RUNNING",
        startDate: "2024-11-06T14:43:12.000Z",
      });

    it("lists the journal as a table, skipping unreadable lines with a warning", async () => {
      const journal = join(dir, "executions.jsonl");
      await writeFile(
        journal,
        `${entry("ppod-upload-1", "ppod-local", { "filename-prefix": "x" })}\n{torn\n${entry("bursar-2", "bursar-local", { job_id: "2" })}\n`,
      );
      const io = fakeIo();
      expect(await runCli(["executions", "--journal", journal], io)).to.equal(0);
      const lines = io.out.join("").trimEnd().split("\n");
      expect(lines).to.have.length(4);
      expect(lines[0]).to.match(/^STARTED\s+TARGET\s+NAME\s+INPUT$/);
      expect(lines[3]).to.equal(
        "Nothing runs local executions: the endpoint records what would start, and each stays RUNNING.",
      );
      expect(lines[1]).to.match(
        /^2024-11-06T14:43:12.000Z\s+ppod-local\s+ppod-upload-1\s+\{"filename-prefix":"x"\}$/,
      );
      expect(lines[2]).to.match(/bursar-local\s+bursar-2\s+\{"job_id":"2"\}$/);
      expect(io.err).to.deep.equal([`warning: skipped 1 unreadable line(s) in ${journal}\n`]);
    });

    it("lists forwarded messages and events beside executions, by their target's name", async () => {
      const journal = join(dir, "mixed.jsonl");
      const message = {
        kind: "message",
        service: "sqs",
        targetArn: "arn:aws:sqs:us-east-1:123456789012:alma-events.fifo",
        id: "0b5c…",
        name: "circulation-loan-20241106T150000-1",
        input: '{"action":"LOAN"}',
        group: "CIRCULATION",
        startDate: "2024-11-06T15:00:01.000Z",
      };
      const event = {
        ...message,
        service: "eventbridge",
        targetArn: "arn:aws:events:us-east-1:123456789012:event-bus/alma",
        name: "BIB",
        input: '{"action":"BIB"}',
      };
      await writeFile(
        journal,
        `${entry("ppod-upload-1", "ppod-local", { "filename-prefix": "x" })}\n${JSON.stringify(message)}\n${JSON.stringify(event)}\n`,
      );
      const io = fakeIo();
      expect(await runCli(["executions", "--journal", journal], io)).to.equal(0);
      const lines = io.out.join("").trimEnd().split("\n");
      expect(lines[2]).to.match(
        /^2024-11-06T15:00:01.000Z\s+sqs:alma-events.fifo\s+circulation-loan-20241106T150000-1\s+\{"action":"LOAN"\}$/,
      );
      expect(lines[3]).to.match(/\s+eventbridge:alma\s+BIB\s+\{"action":"BIB"\}$/);
      expect(io.err).to.deep.equal([]);
    });

    it("prints the entries as JSON with --json, reading ALMA_LOCAL_JOURNAL", async () => {
      const journal = join(dir, "j.jsonl");
      await writeFile(journal, `${entry("bursar-2", "bursar-local", { job_id: "2" })}\n`);
      const io = fakeIo({ env: { ALMA_LOCAL_JOURNAL: journal } });
      expect(await runCli(["executions", "--json"], io)).to.equal(0);
      const parsed = JSON.parse(io.out.join(""));
      expect(parsed.map((e: { name: string }) => e.name)).to.deep.equal(["bursar-2"]);
    });

    it("says there is nothing yet when the journal does not exist", async () => {
      const io = fakeIo({ cwd: dir });
      expect(await runCli(["executions", "--journal", "none.jsonl"], io)).to.equal(0);
      expect(io.out).to.deep.equal([`No executions yet in ${join(dir, "none.jsonl")}\n`]);
      const json = fakeIo({ cwd: dir });
      await runCli(["executions", "--journal", "none.jsonl", "--json"], json);
      expect(json.out).to.deep.equal(["[]\n"]);
    });
  });

  describe("serve", () => {
    it("prints one line and exits 1 when the port is in use", async () => {
      const blocker: Server = createServer();
      await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
      const port = (blocker.address() as { port: number }).port;
      try {
        const io = fakeIo({ env: { ALMA_LOCAL_JOURNAL: join(dir, "j.jsonl") } });
        expect(await runCli(["serve", "--port", String(port)], io)).to.equal(1);
        expect(io.err).to.deep.equal([
          `alma-webhook serve: Port ${port} is already in use: stop the other process or set PORT=${port + 1}\n`,
        ]);
        expect(io.out).to.deep.equal([]);
      } finally {
        await new Promise((resolve) => blocker.close(resolve));
      }
    });

    it("lists every configuration problem and exits 1 instead of answering 500s", async () => {
      const io = fakeIo({ env: { PORT: "0", WORKSPACE: "not a workspace!", ALMA_POD_EXPORT_JOB_NAME: "x" } });
      expect(await runCli(["serve"], io)).to.equal(1);
      expect(io.err.join("")).to.match(
        /^alma-webhook serve: Invalid configuration:\n- Env variable WORKSPACE/,
      );
    });
  });
});
