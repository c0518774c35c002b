import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { executionArnFor } from "@alma-webhooks/aws/arn";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import type { SFNClientConfig } from "@aws-sdk/client-sfn";
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ListExecutionsCommand,
  paginateListExecutions,
  SFNClient,
  StartExecutionCommand,
} from "@aws-sdk/client-sfn";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { expect } from "chai";
import type { LocalStepFunctions, LocalStepFunctionsOptions } from "../src/endpoint.js";
import { startLocalStepFunctions } from "../src/endpoint.js";
import { PortInUseError } from "../src/errors.js";

const STATE_MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:alma-bursar";
const OTHER_STATE_MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:alma-pod";

/** Core's execution ARN of a well-formed state machine ARN. */
const executionArn = (stateMachineArn: string, name: string): string =>
  executionArnFor(stateMachineArn, name) as string;

describe("local Step Functions endpoint", () => {
  let server: LocalStepFunctions | undefined;
  const clients: SFNClient[] = [];
  const tempDirs: string[] = [];

  async function start(options: LocalStepFunctionsOptions = { stateMachineArns: [STATE_MACHINE] }) {
    server = await startLocalStepFunctions(options);
    return server;
  }

  function clientFor(endpoint: LocalStepFunctions, config: SFNClientConfig = {}): SFNClient {
    const client = new SFNClient({
      endpoint: endpoint.url,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 1,
      ...config,
    });
    clients.push(client);
    return client;
  }

  async function tempDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), "sfn-endpoint-"));
    tempDirs.push(dir);
    return dir;
  }

  /** The rejection of `promise`, failing the test when it resolves. */
  async function rejectionOf(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
    try {
      await promise;
    } catch (error) {
      return error as Error & Record<string, unknown>;
    }
    expect.fail("expected a rejection");
  }

  function rawPost(endpoint: LocalStepFunctions, body: string, target?: string): Promise<Response> {
    return fetch(endpoint.url, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.0",
        ...(target !== undefined && { "x-amz-target": target }),
      },
      body,
    });
  }

  afterEach(async () => {
    for (const client of clients.splice(0)) {
      client.destroy();
    }
    await server?.close();
    server = undefined;
    for (const dir of tempDirs.splice(0)) {
      await rm(dir, { recursive: true, force: true });
    }
  });

  describe("startup", () => {
    it("listens on 127.0.0.1 and a random port by default", async () => {
      const endpoint = await start();
      expect(endpoint.port).to.be.greaterThan(0);
      expect(endpoint.url).to.equal(`http://127.0.0.1:${endpoint.port}`);
    });

    it("names ALMA_LOCAL_SFN_PORT when its port is taken", async () => {
      const first = await start();
      const error = await rejectionOf(startLocalStepFunctions({ port: first.port }));
      expect(error).to.be.instanceOf(PortInUseError);
      expect((error as Error).message).to.include(`set ALMA_LOCAL_SFN_PORT=${first.port + 1}`);
    });

    it("refuses a malformed known state machine ARN", async () => {
      const error = await rejectionOf(startLocalStepFunctions({ stateMachineArns: ["not-an-arn"] }));
      expect(error).to.be.instanceOf(RangeError);
    });

    it("is reachable through AWS_ENDPOINT_URL_SFN", async () => {
      const endpoint = await start();
      const previous = process.env.AWS_ENDPOINT_URL_SFN;
      process.env.AWS_ENDPOINT_URL_SFN = endpoint.url;
      try {
        const client = new SFNClient({
          region: "us-east-1",
          credentials: { accessKeyId: "test", secretAccessKey: "test" },
          maxAttempts: 1,
        });
        clients.push(client);
        await client.send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE, name: "via-env" }));
      } finally {
        if (previous === undefined) {
          delete process.env.AWS_ENDPOINT_URL_SFN;
        } else {
          process.env.AWS_ENDPOINT_URL_SFN = previous;
        }
      }
      expect(endpoint.executions().map((e) => e.name)).to.deep.equal(["via-env"]);
    });
  });

  describe("DescribeStateMachine", () => {
    it("answers every known state machine as an active Standard workflow", async () => {
      const endpoint = await start();
      const described = await clientFor(endpoint).send(
        new DescribeStateMachineCommand({ stateMachineArn: STATE_MACHINE }),
      );
      expect(described).to.deep.include({
        stateMachineArn: STATE_MACHINE,
        name: "alma-bursar",
        status: "ACTIVE",
        type: "STANDARD",
        roleArn: "arn:aws:iam::123456789012:role/local",
      });
      expect(described.creationDate).to.be.instanceOf(Date);
    });

    it("answers StateMachineDoesNotExist for an unknown one", async () => {
      const endpoint = await start();
      const error = await rejectionOf(
        clientFor(endpoint).send(new DescribeStateMachineCommand({ stateMachineArn: OTHER_STATE_MACHINE })),
      );
      expect((error as Error).name).to.equal("StateMachineDoesNotExist");
    });
  });

  describe("StartExecution", () => {
    it("starts a RUNNING execution and answers its ARN and start date", async () => {
      const endpoint = await start();
      const before = Date.now();
      const output = await clientFor(endpoint).send(
        new StartExecutionCommand({ stateMachineArn: STATE_MACHINE, name: "run-1", input: '{"a":1}' }),
      );

      expect(output.executionArn).to.equal(executionArn(STATE_MACHINE, "run-1"));
      expect(output.startDate).to.be.instanceOf(Date);
      expect(output.startDate?.getTime()).to.be.within(before - 1, Date.now() + 1);
      const [execution, ...others] = endpoint.executions();
      expect(others).to.be.empty;
      expect(execution).to.deep.include({
        executionArn: output.executionArn,
        stateMachineArn: STATE_MACHINE,
        name: "run-1",
        input: '{"a":1}',
        status: "RUNNING",
      });
      expect(execution?.startDate.getTime()).to.equal(output.startDate?.getTime());
    });

    it("records the raw request", async () => {
      const endpoint = await start();
      await clientFor(endpoint).send(
        new StartExecutionCommand({ stateMachineArn: STATE_MACHINE, name: "r" }),
      );
      expect(endpoint.requests()).to.deep.equal([
        { operation: "StartExecution", body: { stateMachineArn: STATE_MACHINE, name: "r" } },
      ]);
    });

    it("generates a UUID name and defaults the input to {}", async () => {
      const endpoint = await start();
      await clientFor(endpoint).send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE }));
      const [execution] = endpoint.executions();
      expect(execution?.name).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(execution?.input).to.equal("{}");
    });

    it("answers a repeat with the same name and input with the same execution", async () => {
      const endpoint = await start();
      const client = clientFor(endpoint);
      const command = { stateMachineArn: STATE_MACHINE, name: "once", input: '{"x":1}' };
      const first = await client.send(new StartExecutionCommand(command));
      const second = await client.send(new StartExecutionCommand(command));

      expect(second.executionArn).to.equal(first.executionArn);
      expect(second.startDate?.getTime()).to.equal(first.startDate?.getTime());
      expect(endpoint.executions()).to.have.length(1);
    });

    it("raises ExecutionAlreadyExists for the same name with another input", async () => {
      const endpoint = await start();
      const client = clientFor(endpoint);
      await client.send(
        new StartExecutionCommand({ stateMachineArn: STATE_MACHINE, name: "dup", input: "{}" }),
      );
      const error = await rejectionOf(
        client.send(
          new StartExecutionCommand({ stateMachineArn: STATE_MACHINE, name: "dup", input: '{"b":2}' }),
        ),
      );

      expect(error.name).to.equal("ExecutionAlreadyExists");
      expect(error.$fault).to.equal("client");
      expect(error.$metadata).to.include({ httpStatusCode: 400 });
      expect(error.message).to.include(executionArn(STATE_MACHINE, "dup"));
      expect(endpoint.executions()).to.have.length(1);
    });

    it("keeps names unique per state machine only", async () => {
      const endpoint = await start({ stateMachineArns: [STATE_MACHINE, OTHER_STATE_MACHINE] });
      const client = clientFor(endpoint);
      await client.send(
        new StartExecutionCommand({ stateMachineArn: STATE_MACHINE, name: "same", input: "{}" }),
      );
      await client.send(
        new StartExecutionCommand({ stateMachineArn: OTHER_STATE_MACHINE, name: "same", input: "[]" }),
      );
      expect(endpoint.executions().map((e) => e.executionArn)).to.deep.equal([
        executionArn(STATE_MACHINE, "same"),
        executionArn(OTHER_STATE_MACHINE, "same"),
      ]);
    });

    for (const [label, name] of [
      ["81 characters", "a".repeat(81)],
      ["a space", "has space"],
      ["a colon", "has:colon"],
      ["a non-ASCII letter", "café"],
      ["nothing", ""],
    ] as const) {
      it(`raises InvalidName for a name of ${label}`, async () => {
        const endpoint = await start();
        const error = await rejectionOf(
          clientFor(endpoint).send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE, name })),
        );
        expect(error.name).to.equal("InvalidName");
        expect(endpoint.executions()).to.be.empty;
      });
    }

    it("accepts an 80-character name of letters, digits, - and _", async () => {
      const endpoint = await start();
      const name = `Ab9_-${"x".repeat(75)}`;
      await clientFor(endpoint).send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE, name }));
      expect(endpoint.executions().map((e) => e.name)).to.deep.equal([name]);
    });

    it("raises InvalidExecutionInput for input that is not JSON", async () => {
      const endpoint = await start();
      const error = await rejectionOf(
        clientFor(endpoint).send(
          new StartExecutionCommand({ stateMachineArn: STATE_MACHINE, input: "{oops" }),
        ),
      );
      expect(error.name).to.equal("InvalidExecutionInput");
      expect(endpoint.executions()).to.be.empty;
    });

    it("counts the 256 KiB input limit in UTF-8 bytes", async () => {
      const endpoint = await start();
      const client = clientFor(endpoint);
      const atLimit = JSON.stringify("x".repeat(262_144 - 2));
      await client.send(
        new StartExecutionCommand({ stateMachineArn: STATE_MACHINE, name: "max", input: atLimit }),
      );

      // Fewer than 262144 characters, but 2 bytes each.
      const overLimit = JSON.stringify("é".repeat(131_072));
      const error = await rejectionOf(
        client.send(
          new StartExecutionCommand({ stateMachineArn: STATE_MACHINE, name: "over", input: overLimit }),
        ),
      );
      expect(error.name).to.equal("InvalidExecutionInput");
      expect(endpoint.executions().map((e) => e.name)).to.deep.equal(["max"]);
    });

    it("raises InvalidArn for a malformed state machine ARN", async () => {
      const endpoint = await start();
      const error = await rejectionOf(
        clientFor(endpoint).send(new StartExecutionCommand({ stateMachineArn: "arn:aws:states:oops" })),
      );
      expect(error.name).to.equal("InvalidArn");
    });

    it("raises StateMachineDoesNotExist for a state machine outside the known list", async () => {
      const endpoint = await start();
      const error = await rejectionOf(
        clientFor(endpoint).send(new StartExecutionCommand({ stateMachineArn: OTHER_STATE_MACHINE })),
      );
      expect(error.name).to.equal("StateMachineDoesNotExist");
      expect(error.$metadata).to.include({ httpStatusCode: 400 });
      expect(endpoint.executions()).to.be.empty;
    });

    it("accepts any well-formed state machine ARN when no list is given", async () => {
      const endpoint = await start({});
      const arn = "arn:aws:states:eu-west-1:210987654321:stateMachine:whatever";
      const output = await clientFor(endpoint).send(
        new StartExecutionCommand({ stateMachineArn: arn, name: "n" }),
      );
      expect(output.executionArn).to.equal("arn:aws:states:eu-west-1:210987654321:execution:whatever:n");
    });
  });

  describe("DescribeExecution", () => {
    it("describes a started execution", async () => {
      const endpoint = await start();
      const client = clientFor(endpoint);
      const started = await client.send(
        new StartExecutionCommand({ stateMachineArn: STATE_MACHINE, name: "d", input: '{"k":"v"}' }),
      );
      const described = await client.send(
        new DescribeExecutionCommand({ executionArn: started.executionArn }),
      );

      expect(described).to.deep.include({
        executionArn: started.executionArn,
        stateMachineArn: STATE_MACHINE,
        name: "d",
        status: "RUNNING",
        input: '{"k":"v"}',
      });
      expect(described.startDate?.getTime()).to.equal(started.startDate?.getTime());
    });

    it("raises ExecutionDoesNotExist for an unknown execution", async () => {
      const endpoint = await start();
      const error = await rejectionOf(
        clientFor(endpoint).send(
          new DescribeExecutionCommand({ executionArn: executionArn(STATE_MACHINE, "never") }),
        ),
      );
      expect(error.name).to.equal("ExecutionDoesNotExist");
    });

    it("raises InvalidArn for a malformed execution ARN", async () => {
      const endpoint = await start();
      const error = await rejectionOf(
        clientFor(endpoint).send(new DescribeExecutionCommand({ executionArn: STATE_MACHINE })),
      );
      expect(error.name).to.equal("InvalidArn");
    });
  });

  describe("ListExecutions", () => {
    async function startFive(endpoint: LocalStepFunctions): Promise<SFNClient> {
      const client = clientFor(endpoint);
      for (const name of ["e1", "e2", "e3", "e4", "e5"]) {
        await client.send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE, name }));
      }
      return client;
    }

    it("lists the executions of one state machine, newest first", async () => {
      const endpoint = await start({ stateMachineArns: [STATE_MACHINE, OTHER_STATE_MACHINE] });
      const client = await startFive(endpoint);
      await client.send(
        new StartExecutionCommand({ stateMachineArn: OTHER_STATE_MACHINE, name: "elsewhere" }),
      );
      const output = await client.send(new ListExecutionsCommand({ stateMachineArn: STATE_MACHINE }));

      expect(output.executions?.map((e) => e.name)).to.deep.equal(["e5", "e4", "e3", "e2", "e1"]);
      expect(output.executions?.[0]).to.deep.include({
        executionArn: executionArn(STATE_MACHINE, "e5"),
        stateMachineArn: STATE_MACHINE,
        status: "RUNNING",
      });
      expect(output.executions?.[0]?.startDate).to.be.instanceOf(Date);
      expect(output.nextToken).to.equal(undefined);
    });

    it("filters by status", async () => {
      const endpoint = await start();
      const client = await startFive(endpoint);
      const running = await client.send(
        new ListExecutionsCommand({ stateMachineArn: STATE_MACHINE, statusFilter: "RUNNING" }),
      );
      const succeeded = await client.send(
        new ListExecutionsCommand({ stateMachineArn: STATE_MACHINE, statusFilter: "SUCCEEDED" }),
      );
      expect(running.executions).to.have.length(5);
      expect(succeeded.executions).to.deep.equal([]);
    });

    it("paginates with maxResults and nextToken, also through the SDK paginator", async () => {
      const endpoint = await start();
      const client = await startFive(endpoint);
      const first = await client.send(
        new ListExecutionsCommand({ stateMachineArn: STATE_MACHINE, maxResults: 2 }),
      );
      expect(first.executions?.map((e) => e.name)).to.deep.equal(["e5", "e4"]);
      expect(first.nextToken).to.be.a("string");

      const pages: string[][] = [];
      for await (const page of paginateListExecutions(
        { client, pageSize: 2 },
        { stateMachineArn: STATE_MACHINE },
      )) {
        pages.push(page.executions?.map((e) => e.name ?? "") ?? []);
      }
      expect(pages).to.deep.equal([["e5", "e4"], ["e3", "e2"], ["e1"]]);
    });

    it("raises InvalidToken for a forged nextToken", async () => {
      const endpoint = await start();
      const error = await rejectionOf(
        clientFor(endpoint).send(
          new ListExecutionsCommand({ stateMachineArn: STATE_MACHINE, nextToken: "@@" }),
        ),
      );
      expect(error.name).to.equal("InvalidToken");
    });

    it("raises StateMachineDoesNotExist for an unknown state machine", async () => {
      const endpoint = await start();
      const error = await rejectionOf(
        clientFor(endpoint).send(new ListExecutionsCommand({ stateMachineArn: OTHER_STATE_MACHINE })),
      );
      expect(error.name).to.equal("StateMachineDoesNotExist");
    });
  });

  describe("journal", () => {
    it("appends one JSON line per new execution, creating parent folders", async () => {
      const journalPath = join(await tempDir(), "deep", "er", "executions.jsonl");
      const endpoint = await start({ stateMachineArns: [STATE_MACHINE], journalPath });
      const client = clientFor(endpoint);
      await client.send(
        new StartExecutionCommand({ stateMachineArn: STATE_MACHINE, name: "j1", input: '{"n":1}' }),
      );
      await client.send(
        new StartExecutionCommand({ stateMachineArn: STATE_MACHINE, name: "j1", input: '{"n":1}' }),
      );
      await client.send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE, name: "j2" }));
      await rejectionOf(
        client.send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE, name: "bad name" })),
      );

      const lines = (await readFile(journalPath, "utf8")).split("\n");
      expect(lines.pop()).to.equal("");
      const expected = endpoint.executions().map((e) => ({ ...e, startDate: e.startDate.toISOString() }));
      expect(lines.map((line) => JSON.parse(line))).to.deep.equal(expected);
      expect(expected.map((e) => e.name)).to.deep.equal(["j1", "j2"]);
    });

    it("answers InternalServerError without starting anything when the journal cannot be written", async () => {
      const journalPath = await tempDir(); // a directory: appending fails
      const endpoint = await start({ stateMachineArns: [STATE_MACHINE], journalPath });
      const client = clientFor(endpoint);
      const error = await rejectionOf(
        client.send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE })),
      );

      expect(error.name).to.equal("InternalServerError");
      expect(error.$metadata).to.include({ httpStatusCode: 500 });
      expect(endpoint.executions()).to.be.empty;
      const list = await client.send(new ListExecutionsCommand({ stateMachineArn: STATE_MACHINE }));
      expect(list.executions).to.deep.equal([]);
    });
  });

  describe("faults", () => {
    it("throttle answers ThrottlingException and starts nothing", async () => {
      const endpoint = await start();
      endpoint.injectFault({ kind: "throttle" });
      const client = clientFor(endpoint);
      const error = await rejectionOf(
        client.send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE })),
      );

      expect(error.name).to.equal("ThrottlingException");
      expect(error.$metadata).to.include({ httpStatusCode: 400 });
      expect(endpoint.executions()).to.be.empty;
      expect(endpoint.requests().map((r) => r.fault)).to.deep.equal(["throttle"]);
      await client.send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE }));
      expect(endpoint.executions()).to.have.length(1);
    });

    it("server-error answers 500 InternalServerError and starts nothing", async () => {
      const endpoint = await start();
      endpoint.injectFault({ kind: "server-error" });
      const error = await rejectionOf(
        clientFor(endpoint).send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE })),
      );

      expect(error.name).to.equal("InternalServerError");
      expect(error.$fault).to.equal("server");
      expect(error.$metadata).to.include({ httpStatusCode: 500 });
      expect(endpoint.executions()).to.be.empty;
    });

    it("reset drops the connection without answering and starts nothing", async () => {
      const endpoint = await start();
      endpoint.injectFault({ kind: "reset" });
      const client = clientFor(endpoint);
      const error = await rejectionOf(
        client.send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE })),
      );

      expect(error.code).to.equal("ECONNRESET");
      expect(error.$metadata).to.not.have.property("httpStatusCode");
      expect(endpoint.executions()).to.be.empty;
      await client.send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE }));
      expect(endpoint.executions()).to.have.length(1);
    });

    it("delay answers late but normally", async () => {
      const endpoint = await start();
      endpoint.injectFault({ kind: "delay", delayMs: 200 });
      const began = Date.now();
      await clientFor(endpoint).send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE }));
      expect(Date.now() - began).to.be.at.least(190);
      expect(endpoint.executions()).to.have.length(1);
    });

    it("delay survives a client that gave up, and still starts the execution", async () => {
      const endpoint = await start();
      endpoint.injectFault({ kind: "delay", delayMs: 300 });
      const client = clientFor(endpoint, {
        requestHandler: { requestTimeout: 50, throwOnRequestTimeout: true },
      });
      const error = await rejectionOf(
        client.send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE, name: "late" })),
      );
      expect(error.name).to.equal("TimeoutError");

      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(endpoint.executions().map((e) => e.name)).to.deep.equal(["late"]);
      const described = await clientFor(endpoint).send(
        new DescribeExecutionCommand({ executionArn: executionArn(STATE_MACHINE, "late") }),
      );
      expect(described.status).to.equal("RUNNING");
    });

    it("applies a fault `times` times, then serves normally", async () => {
      const endpoint = await start();
      endpoint.injectFault({ kind: "throttle", times: 2 });
      const client = clientFor(endpoint);
      const send = () => client.send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE }));
      expect((await rejectionOf(send())).name).to.equal("ThrottlingException");
      expect((await rejectionOf(send())).name).to.equal("ThrottlingException");
      await send();
      expect(endpoint.executions()).to.have.length(1);
    });

    it("consumes faults in order", async () => {
      const endpoint = await start();
      endpoint.injectFault({ kind: "server-error" });
      endpoint.injectFault({ kind: "throttle" });
      const client = clientFor(endpoint);
      const send = () => client.send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE }));
      expect((await rejectionOf(send())).name).to.equal("InternalServerError");
      expect((await rejectionOf(send())).name).to.equal("ThrottlingException");
      await send();
    });

    it("hits only the operation it names", async () => {
      const endpoint = await start();
      endpoint.injectFault({ kind: "server-error", operation: "DescribeExecution" });
      const client = clientFor(endpoint);
      const started = await client.send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE }));
      const error = await rejectionOf(
        client.send(new DescribeExecutionCommand({ executionArn: started.executionArn })),
      );
      expect(error.name).to.equal("InternalServerError");
    });

    it("keeps an Infinity fault until clearFaults", async () => {
      const endpoint = await start();
      endpoint.injectFault({ kind: "throttle", times: Number.POSITIVE_INFINITY });
      const client = clientFor(endpoint);
      const send = () => client.send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE }));
      for (let i = 0; i < 3; i++) {
        expect((await rejectionOf(send())).name).to.equal("ThrottlingException");
      }
      endpoint.clearFaults();
      await send();
      expect(endpoint.executions()).to.have.length(1);
    });

    it("refuses nonsensical faults", async () => {
      const endpoint = await start();
      expect(() => endpoint.injectFault({ kind: "throttle", times: 0 })).to.throw(RangeError);
      expect(() => endpoint.injectFault({ kind: "delay" })).to.throw(RangeError);
    });
  });

  describe("SDK retries (default strategy)", () => {
    for (const [kind, times] of [
      ["server-error", 2],
      ["reset", 2],
      ["throttle", 1], // throttling backs off from a 1 s base, so keep it to one retry
    ] as const) {
      it(`retries through ${times} ${kind} fault(s) and starts exactly one execution`, async () => {
        const endpoint = await start();
        endpoint.injectFault({ kind, times });
        const client = clientFor(endpoint, { maxAttempts: 3 });
        const output = await client.send(
          new StartExecutionCommand({ stateMachineArn: STATE_MACHINE, name: "retried", input: "{}" }),
        );

        expect(output.$metadata.attempts).to.equal(times + 1);
        expect(endpoint.requests()).to.have.length(times + 1);
        expect(endpoint.executions().map((e) => e.executionArn)).to.deep.equal([output.executionArn]);
      });
    }

    it("a timed-out attempt whose execution started is made whole by the idempotent retry", async () => {
      const log: string[] = [];
      const endpoint = await start({ stateMachineArns: [STATE_MACHINE], logger: (line) => log.push(line) });
      endpoint.injectFault({ kind: "delay", delayMs: 300 });
      const client = clientFor(endpoint, {
        maxAttempts: 3,
        requestHandler: { requestTimeout: 100, throwOnRequestTimeout: true },
      });
      const output = await client.send(
        new StartExecutionCommand({ stateMachineArn: STATE_MACHINE, name: "slow", input: '{"p":1}' }),
      );
      await new Promise((resolve) => setTimeout(resolve, 350));

      expect(output.$metadata.attempts).to.equal(2);
      expect(endpoint.executions().map((e) => e.executionArn)).to.deep.equal([output.executionArn]);
      // The abandoned first attempt did reach the handler, after the retry had started the execution.
      expect(log).to.include(`StartExecution ${output.executionArn} (idempotent repeat)`);
    });
  });

  describe("robustness", () => {
    it("answers SerializationException for a body that is not JSON, then keeps serving", async () => {
      const endpoint = await start();
      const response = await rawPost(endpoint, "{not json", "AWSStepFunctions.StartExecution");

      expect(response.status).to.equal(400);
      expect(response.headers.get("x-amzn-errortype")).to.equal("SerializationException");
      expect(response.headers.get("content-type")).to.equal("application/x-amz-json-1.0");
      expect(await response.json()).to.include({ __type: "SerializationException" });
      expect(endpoint.requests()).to.deep.equal([{ operation: "StartExecution", body: undefined }]);
      await clientFor(endpoint).send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE }));
    });

    for (const [label, body] of [
      ["a JSON array", "[]"],
      ["null", "null"],
      ["a number where a string belongs", `{"stateMachineArn": 5}`],
    ] as const) {
      it(`answers SerializationException for ${label}`, async () => {
        const endpoint = await start();
        const response = await rawPost(endpoint, body, "AWSStepFunctions.StartExecution");
        expect(response.status).to.equal(400);
        expect(await response.json()).to.include({ __type: "SerializationException" });
      });
    }

    it("answers ValidationException when stateMachineArn is missing", async () => {
      const endpoint = await start();
      const response = await rawPost(endpoint, "{}", "AWSStepFunctions.StartExecution");
      expect(await response.json()).to.include({ __type: "ValidationException" });
    });

    for (const [label, target] of [
      ["no target", undefined],
      ["an unknown operation", "AWSStepFunctions.DeleteEverything"],
      ["another service's target", "DynamoDB_20120810.PutItem"],
      ["an inherited property name", "AWSStepFunctions.constructor"],
    ] as const) {
      it(`answers UnknownOperationException for ${label}`, async () => {
        const endpoint = await start();
        const response = await rawPost(endpoint, "{}", target);
        expect(response.status).to.equal(400);
        expect(response.headers.get("x-amzn-errortype")).to.equal("UnknownOperationException");
        expect(await response.json()).to.include({ __type: "UnknownOperationException" });
      });
    }

    it("refuses a body over 1 MiB without crashing", async () => {
      const endpoint = await start();
      const response = await rawPost(
        endpoint,
        "x".repeat(2 * 1024 * 1024),
        "AWSStepFunctions.StartExecution",
      );
      expect(response.status).to.equal(413);
      expect(await response.json()).to.include({ __type: "SerializationException" });
      expect(endpoint.requests()).to.deep.equal([{ operation: "StartExecution", body: undefined }]);
      await clientFor(endpoint).send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE }));
    });

    it("reset() forgets executions, requests and faults", async () => {
      const endpoint = await start();
      const client = clientFor(endpoint);
      await client.send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE, name: "gone" }));
      endpoint.injectFault({ kind: "throttle" });
      endpoint.reset();

      expect(endpoint.executions()).to.be.empty;
      expect(endpoint.requests()).to.be.empty;
      await client.send(
        new StartExecutionCommand({ stateMachineArn: STATE_MACHINE, name: "gone", input: "[]" }),
      );
      expect(endpoint.executions()).to.have.length(1);
    });

    it("close() does not wait for an idle keep-alive client, and can be called twice", async () => {
      const endpoint = await start();
      server = undefined; // closed here, not in afterEach
      await clientFor(endpoint).send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE }));
      const began = Date.now();
      await endpoint.close();
      await endpoint.close();
      expect(Date.now() - began).to.be.below(1000);
    });

    it("close() cancels a pending delay", async () => {
      const endpoint = await start();
      server = undefined;
      endpoint.injectFault({ kind: "delay", delayMs: 60_000 });
      const pending = clientFor(endpoint).send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE }));
      await new Promise((resolve) => setTimeout(resolve, 50));
      const began = Date.now();
      await endpoint.close();
      expect(Date.now() - began).to.be.below(1000);
      await rejectionOf(pending);
      expect(endpoint.executions()).to.be.empty;
    });
  });
});

describe("local endpoint: SQS SendMessage and EventBridge PutEvents", () => {
  let endpoint: LocalStepFunctions;
  const QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/alma.fifo";
  beforeEach(async () => {
    endpoint = await startLocalStepFunctions();
  });
  afterEach(() => endpoint.close());
  const config = () => ({
    endpoint: endpoint.url,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });

  it("answers SendMessage with the MD5 the SDK checks, and keeps a FIFO repeat out within the window", async () => {
    const client = new SQSClient({ ...config(), useQueueUrlAsEndpoint: false });
    const send = () =>
      client.send(
        new SendMessageCommand({
          QueueUrl: QUEUE_URL,
          MessageBody: '{"action":"LOAN"}',
          MessageGroupId: "LOANS",
          MessageDeduplicationId: "loans-1",
        }),
      );
    const first = await send();
    const again = await send();
    expect(again.MessageId).to.equal(first.MessageId);
    expect(endpoint.messages()).to.have.length(1);
    expect(endpoint.messages()[0]).to.deep.include({
      service: "sqs",
      targetArn: "arn:aws:sqs:us-east-1:123456789012:alma.fifo",
      name: "loans-1",
      group: "LOANS",
      input: '{"action":"LOAN"}',
    });
  });

  it("refuses a FIFO message without its group and deduplication id, as SQS does", async () => {
    const client = new SQSClient({ ...config(), useQueueUrlAsEndpoint: false });
    const error = await client.send(new SendMessageCommand({ QueueUrl: QUEUE_URL, MessageBody: "{}" })).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.name).to.equal("MissingParameter");
    expect(endpoint.messages()).to.deep.equal([]);
  });

  it("answers PutEvents with an event id per entry, and a failed entry for a detail that is not a JSON object", async () => {
    const client = new EventBridgeClient(config());
    const bus = "arn:aws:events:us-east-1:123456789012:event-bus/alma";
    const output = await client.send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: bus, Source: "alma-webhooks", DetailType: "BIB", Detail: '{"action":"BIB"}' },
          { EventBusName: bus, Source: "alma-webhooks", DetailType: "BIB", Detail: "[1]" },
        ],
      }),
    );
    expect(output.FailedEntryCount).to.equal(1);
    expect(output.Entries?.[0]?.EventId).to.be.a("string");
    expect(output.Entries?.[1]?.ErrorCode).to.equal("MalformedDetail");
    expect(endpoint.messages().map((m) => [m.service, m.targetArn, m.name])).to.deep.equal([
      ["eventbridge", bus, "BIB"],
    ]);
  });
});
