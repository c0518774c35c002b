// The small JSON 1.0 client of the Step Functions calls (spares a cold start the SDK), checked against moto's Step
// Functions (an emulator nobody here wrote): the same dispatcher answers through it as through the SDK's
// client, for a start, a duplicate, an input that changed, and a state machine that does not exist.

import {
  createStepFunctionsClient,
  StepFunctionsDispatcher,
  stepFunctionsCalls,
} from "@alma-webhooks/aws/step-functions";
import { silentLogger, systemClock } from "@alma-webhooks/core";
import { CreateStateMachineCommand, ListExecutionsCommand, SFNClient } from "@aws-sdk/client-sfn";
import { expect } from "chai";
import { findMotoServer, type Moto, startMoto } from "./moto.js";

const ACCOUNT = "123456789012";
const REGION = "us-east-1";
const credentials = { accessKeyId: "test", secretAccessKey: "test" };

describe("Step Functions calls against moto: the JSON 1.0 client answers as the SDK's does", function () {
  this.timeout(60_000);
  let moto: Moto | undefined;
  let sfn: SFNClient;
  let stateMachineArn = "";
  const saved: Record<string, string | undefined> = {};

  before(async function () {
    const command = findMotoServer();
    if (command === undefined) {
      console.log("    moto_server is not installed (pip install 'moto[server]'): the moto suite is skipped");
      this.skip();
    }
    moto = await startMoto(command);
    sfn = new SFNClient({ endpoint: moto.url, region: REGION, credentials });
    ({ stateMachineArn = "" } = await sfn.send(
      new CreateStateMachineCommand({
        name: "calls-moto",
        roleArn: `arn:aws:iam::${ACCOUNT}:role/sfn`,
        definition: JSON.stringify({ StartAt: "Done", States: { Done: { Type: "Succeed" } } }),
      }),
    ));
    // The SDK's client reads the process environment; the JSON client is given the same settings.
    for (const [name, value] of Object.entries(environment())) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
  });

  after(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    sfn?.destroy();
    await moto?.stop();
  });

  const environment = () => ({
    AWS_ENDPOINT_URL: moto?.url ?? "",
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
  });

  /** The dispatcher's answers to four requests, through one client. */
  async function answers(client: "sdk" | "json", prefix: string) {
    const calls =
      client === "json" ? stepFunctionsCalls({ ...environment(), HOME: "/nonexistent" }) : undefined;
    expect(calls === undefined || "startExecution" in calls).to.equal(true);
    const sdk = client === "sdk" ? createStepFunctionsClient() : undefined;
    const dispatcher = new StepFunctionsDispatcher(calls ?? (sdk as SFNClient), silentLogger, systemClock);
    const request = (name: string, input: string, target = stateMachineArn) => ({
      plugin: "PPOD",
      target,
      name: `${prefix}-${name}`,
      input,
    });
    try {
      const started = await dispatcher.start(request("one", '{"job_id":"1"}'));
      const duplicate = await dispatcher.start(request("one", '{ "job_id": "1" }'));
      const changed = await dispatcher.start(request("one", '{"job_id":"2"}'));
      const missing = await dispatcher.start(
        request("two", "{}", stateMachineArn.replace("calls-moto", "not-there")),
      );
      return [started, duplicate, changed, missing].map((result) =>
        JSON.parse(JSON.stringify(result).replaceAll(prefix, "PREFIX")),
      );
    } finally {
      calls?.destroy?.();
      sdk?.destroy();
    }
  }

  it("starts, answers a duplicate, refuses a changed input and a missing state machine alike", async () => {
    const json = await answers("json", "json");
    const sdk = await answers("sdk", "sdk");
    expect(json).to.deep.equal(sdk);
    const execution = `${stateMachineArn.replace(":stateMachine:", ":execution:")}:PREFIX-one`;
    expect(json[0]).to.deep.equal({ status: "started", deliveredTo: execution });
    expect(json[1]).to.deep.equal({ status: "duplicate", deliveredTo: execution });
    expect(json[2]).to.deep.include({ status: "failed", transient: false });
    expect(json[2].error).to.match(
      /^ExecutionAlreadyExists: execution PREFIX-one already exists with another/,
    );
    expect(json[3]).to.deep.include({ status: "failed", transient: false });
    expect(json[3].error).to.match(/^StateMachineDoesNotExist/);
    const { executions = [] } = await sfn.send(new ListExecutionsCommand({ stateMachineArn }));
    expect(executions.map((e) => e.name).sort()).to.deep.equal(["json-one", "sdk-one"]);
  });
});
