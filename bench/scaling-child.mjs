// Scaling: core's router with 3, 10 and 100 registered plugins, and with bodies from 1 KiB to 5 MiB.
// A silent logger and core's RecordingDispatcher, so only the router's own cost is measured. Results on fd 3.
import { createHmac } from "node:crypto";
import { writeSync } from "node:fs";
import { CORE, CORE_LAMBDA, CORE_TESTING, jobEndBody, SECRET } from "./lib.mjs";
import { interleaved } from "./timing.mjs";

const scale = Number(process.env.BENCH_SCALE ?? 1);
const n = (count) => Math.max(1, Math.round(count * scale));
const core = await import(CORE);
const testing = await import(CORE_TESTING);
const { handleLambdaEvent } = await import(CORE_LAMBDA);

const jobNameOf = (i) => `Bench Export Job number ${i} to Dev1`;
const ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:bench";
function routerWith(count) {
  const plugins = Array.from({ length: count }, (_, i) => {
    const plugin = core.definePlugin({
      name: `BENCH_${i}`,
      settings: {
        jobName: { env: `BENCH_${i}_JOB_NAME`, description: "job name" },
        stateMachineArn: { env: `BENCH_${i}_STATE_MACHINE_ARN`, description: "state machine" },
      },
      activatedBy: "jobName",
      actions: ["JOB_END"],
      jobMatcher: ({ jobName }) => core.exactName(jobName),
      acceptedStatuses: [core.COMPLETED_SUCCESS],
      exportedRecordCounters: core.PUBLISHING_RECORD_COUNTERS,
      target: ({ stateMachineArn }) => stateMachineArn,
      buildExecution: ({ job_instance: job }, { executionName }) => ({
        input: { job: job.id },
        name: executionName("bench"),
      }),
    });
    return core.activatePlugin(plugin, { jobName: jobNameOf(i), stateMachineArn: ARN });
  });
  const dispatcher = new testing.RecordingDispatcher();
  const router = core.createWebhookRouter({
    secrets: [SECRET],
    workspace: "dev",
    plugins,
    dispatcher,
    logger: core.silentLogger,
  });
  return { router, dispatcher };
}

const check = async (router, event, part) => {
  const response = await handleLambdaEvent(router, event);
  if (response.statusCode !== 200 || !response.body.includes(part))
    throw new Error(`unexpected answer ${response.statusCode} ${response.body}`);
};

const results = { plugins: {}, bodies: {} };
const cases = {};
for (const count of [3, 10, 100]) {
  const { router, dispatcher } = routerWith(count);
  const unclaimed = testing.signedPost(jobEndBody(testing), SECRET);
  const claimed = testing.signedPost(jobEndBody(testing, { jobName: jobNameOf(count - 1) }), SECRET);
  await check(router, unclaimed, "no action taken");
  await check(router, claimed, "BENCH_");
  cases[`unclaimed-${count}`] = { op: () => handleLambdaEvent(router, unclaimed), count: n(8_000) };
  cases[`lastClaims-${count}`] = {
    op: () => {
      // The recording dispatcher keeps every request; keep its memory flat.
      if (dispatcher.requests.length > 1000) dispatcher.requests.length = 0;
      return handleLambdaEvent(router, claimed);
    },
    count: n(8_000),
  };
}
results.plugins = await interleaved(cases, 5);

const { router } = routerWith(3);
const sizes = { "1K": 1024, "16K": 16 * 1024, "256K": 256 * 1024, "1M": 1024 * 1024, "5M": 5 * 1024 * 1024 };
for (const [label, bytes] of Object.entries(sizes)) {
  const body = jobEndBody(testing, { bytes });
  const event = testing.signedPost(body, SECRET);
  await check(router, event, "no action taken");
  const count = n(Math.max(6, Math.round(4_000 / Math.ceil(bytes / 16_384))));
  const measured = await interleaved(
    {
      router: { op: () => handleLambdaEvent(router, event), count },
      floor: {
        op: () => {
          createHmac("sha256", SECRET).update(body).digest("base64");
          JSON.parse(body);
        },
        count,
      },
    },
    4,
  );
  results.bodies[label] = { bytes: Buffer.byteLength(body), ...measured };
}
writeSync(3, JSON.stringify(results));
process.exit(0);
