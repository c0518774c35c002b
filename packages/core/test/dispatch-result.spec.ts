import { expect } from "chai";
import { handleLambdaEvent } from "../src/adapters/lambda.js";
import { createWebhookRouter, type DecisionRecord, type DispatchResult } from "../src/index.js";
import { counter, jobEndPayload, signedPost } from "../src/testing/index.js";
import { activeSample, POD_JOB, SECRET } from "./fixtures/plugins.js";

/** The decision line's plugin results when the dispatcher answers `result`. */
async function pluginsLogged(result: DispatchResult) {
  const records: DecisionRecord[] = [];
  const router = createWebhookRouter({
    secrets: [SECRET],
    workspace: "dev",
    plugins: [activeSample],
    dispatcher: { start: async () => result },
    onDecision: (record) => records.push(record),
  });
  const payload = jobEndPayload({
    job_instance: { name: POD_JOB, counter: [counter("label.new.records", 1)] },
  });
  expect((await handleLambdaEvent(router, signedPost(payload, SECRET))).statusCode).to.equal(200);
  return records[0]?.plugins?.map((plugin) => ("executionArn" in plugin ? plugin.executionArn : "none"));
}

describe("DispatchResult.deliveredTo in the decision line", () => {
  it("logs where the webhook went under the line's own field name, executionArn", async () => {
    expect(await pluginsLogged({ status: "started", deliveredTo: "arn:…:execution:ppod:1" })).to.deep.equal([
      "arn:…:execution:ppod:1",
    ]);
  });

  it("still reads a dispatcher that gives the former executionArn", async () => {
    const legacy = { status: "started", executionArn: "arn:…:execution:ppod:2" } as unknown as DispatchResult;
    expect(await pluginsLogged(legacy)).to.deep.equal(["arn:…:execution:ppod:2"]);
  });
});
