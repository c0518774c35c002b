import type { WebhookPlugin } from "@alma-webhooks/core";
import { counter, jobEndPayload, signBody } from "@alma-webhooks/core/testing";
import { deployedPlugins } from "@alma-webhooks/lambda/plugins";
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from "@aws-sdk/client-sfn";
import { expect } from "chai";
import { type ExpectedStart, expectedStarts } from "../local/expected-starts.js";
import { type IntegrationTarget, resolveTarget } from "./target.js";

// Run with `make test-integration`: against the local server by default, against the deployed dev stage when
// WORKSPACE=dev and AWS credentials are set (see target.ts). Not part of `make test` (not a *.spec.js).

/** A job instance id of this run only, so that every run starts fresh executions. */
const runId = `${Date.now()}`.slice(-10);
let sequence = 0;
function newJobId(): string {
  sequence += 1;
  return `${runId}${String(sequence).padStart(2, "0")}4761`;
}

const END_TIME = "2024-11-06T14:43:10.585Z";

describe("integration: the webhook end to end", function () {
  this.timeout(60_000);
  let target: IntegrationTarget;
  let sfn: SFNClient;
  let starts: ExpectedStart[];

  /**
   * A plugin's sample payload made new for this run (a job id of its own, so a fresh execution) and for the
   * target: the job name's example value becomes the job name the target is configured with.
   */
  function forTarget(payload: Readonly<Record<string, unknown>>, plugin: WebhookPlugin) {
    const job = payload.job_instance as Record<string, unknown>;
    const setting = plugin.settings[plugin.activatedBy];
    const configured = setting === undefined ? undefined : target.env[setting.env];
    const name = String(job.name);
    return {
      ...payload,
      job_instance: {
        ...job,
        id: newJobId(),
        name: setting?.example && configured ? name.replace(setting.example, configured) : name,
      },
    };
  }

  before(async function () {
    const resolved = await resolveTarget(process.env);
    if (resolved.kind === "skip") {
      console.log(`\n  Skipping the integration suite: ${resolved.reason}\n`);
      this.skip();
    }
    target = resolved as IntegrationTarget;
    starts = await expectedStarts(target.env, forTarget);
    console.log(`\n  Integration target: ${target.kind} ${target.url}\n`);
    sfn = new SFNClient({
      region: target.region,
      ...(target.stepFunctionsEndpoint === undefined
        ? {}
        : {
            endpoint: target.stepFunctionsEndpoint,
            credentials: { accessKeyId: "test", secretAccessKey: "test" },
          }),
    });
  });

  after(async () => {
    sfn?.destroy();
    await target?.stop();
  });

  async function postSigned(
    payload: unknown,
    secret = target.secret,
  ): Promise<{ status: number; body: string }> {
    const body = JSON.stringify(payload);
    const response = await fetch(target.url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-exl-signature": signBody(body, secret) },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    return { status: response.status, body: await response.text() };
  }

  /** The input of the execution started for `jobId`, read back through ListExecutions and DescribeExecution. */
  async function executionInput(stateMachineArn: string, executionName: string): Promise<unknown> {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const { executions = [] } = await sfn.send(
        new ListExecutionsCommand({ stateMachineArn, maxResults: 100 }),
      );
      const execution = executions.find((e) => e.name === executionName);
      if (execution?.executionArn) {
        const described = await sfn.send(
          new DescribeExecutionCommand({ executionArn: execution.executionArn }),
        );
        return JSON.parse(described.input ?? "null");
      }
      // ListExecutions is eventually consistent on AWS.
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    throw new Error(`no execution ${executionName} on ${stateMachineArn}`);
  }

  const jobEnd = (name: string, id: string, counters = [counter("label.new.records", 1, "New records")]) =>
    jobEndPayload({ job_instance: { id, name, end_time: END_TIME, counter: counters } });

  it("answers a GET challenge with the challenge value", async () => {
    const url = new URL(target.url);
    url.searchParams.set("challenge", "challenge-accepted");
    const response = await fetch(url);
    expect(response.status).to.equal(200);
    expect(await response.text()).to.equal("challenge-accepted");
  });

  it("takes no action for a job of this environment that no plugin claims", async () => {
    const answer = await postSigned(jobEnd(`Unhandled Job Name Here to ${target.workspace}`, newJobId()));
    expect(answer).to.deep.equal({
      status: 200,
      body: "Webhook POST request received and validated, no action taken.",
    });
  });

  it("takes no action for a job of another environment", async () => {
    const answer = await postSigned(jobEnd("Unhandled Job Name Here", newJobId()));
    expect(answer).to.deep.equal({
      status: 200,
      body: `Webhook POST request received and validated in ${target.workspace} env for job 'Unhandled Job Name Here', no action taken.`,
    });
  });

  it("refuses a webhook signed with another secret", async () => {
    const answer = await postSigned((starts[0] as ExpectedStart).payload, `${target.secret}-wrong`);
    expect(answer.status).to.equal(401);
  });

  for (const plugin of deployedPlugins) {
    it(`starts the ${plugin.name} pipeline for each of its sample payloads, with the input the plugin builds`, async function () {
      const ofPlugin = starts.filter((start) => start.plugin === plugin.name);
      if (ofPlugin.length === 0) this.skip(); // not active on this target, or no samples
      for (const start of ofPlugin) {
        expect(await postSigned(start.payload)).to.deep.equal({
          status: 200,
          body: `Webhook POST request received and validated, ${plugin.name} pipeline initiated.`,
        });
        expect(await executionInput(start.stateMachineArn, start.name)).to.deep.equal(start.input);
      }
    });
  }
});
