// Warm, in-process: the bundle's handler, after its cold start, against its floor. Started by run.mjs
// with the Lambda's environment and stdout to /dev/null (logging stays on, at INFO); results go to fd 3.
import { createHmac } from "node:crypto";
import { cpSync, mkdtempSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { BUNDLE, CORE_TESTING, JOBS, jobEndBody, METRICS_ENV, SECRET } from "./lib.mjs";
import { interleaved } from "./timing.mjs";

const scale = Number(process.env.BENCH_SCALE ?? 1);
const n = (count) => Math.max(1, Math.round(count * scale));
const testing = await import(CORE_TESTING);
const { handler } = await import(BUNDLE);

// Metrics on: a second copy of the bundle (its own module graph, so its own handler and container), started
// after the first with POWERTOOLS_METRICS_NAMESPACE set, so both run interleaved in this one process.
const copy = mkdtempSync(join(tmpdir(), "alma-bench-metrics-"));
cpSync(BUNDLE, join(copy, "webhook.mjs"));
cpSync(join(dirname(BUNDLE), "chunks"), join(copy, "chunks"), { recursive: true });
const { handler: metricsHandler } = await import(pathToFileURL(join(copy, "webhook.mjs")).href);

const expect = async (event, status, bodyPart, on = handler) => {
  const response = await on(event);
  if (response.statusCode !== status || !response.body.includes(bodyPart))
    throw new Error(`unexpected answer ${response.statusCode} ${response.body}`);
};

const floorOf = (body) => () => {
  createHmac("sha256", SECRET).update(body).digest("base64");
  JSON.parse(body);
};

const get = testing.challengeEvent("a1b2c3d4e5f6");
await expect(get, 200, "a1b2c3d4e5f6");
Object.assign(process.env, METRICS_ENV);
await expect(get, 200, "a1b2c3d4e5f6", metricsHandler);
for (const name of Object.keys(METRICS_ENV)) delete process.env[name];
// Check that the copy writes metrics (embedded metric format lines) and the first bundle does not.
const emfLines = async (on) => {
  const write = process.stdout.write;
  let lines = 0;
  process.stdout.write = (chunk, ...rest) => {
    if (String(chunk).includes('"_aws"')) lines += 1;
    return write.call(process.stdout, chunk, ...rest);
  };
  try {
    await on(get);
  } finally {
    process.stdout.write = write;
  }
  return lines;
};
if ((await emfLines(handler)) !== 0 || (await emfLines(metricsHandler)) === 0)
  throw new Error("metrics are not on in the copy only");

const unclaimedBody = jobEndBody(testing);
const unclaimed = testing.signedPost(unclaimedBody, SECRET);
await expect(unclaimed, 200, "no action taken");
await expect(unclaimed, 200, "no action taken", metricsHandler);

const bigBody = jobEndBody(testing, { bytes: 5 * 1024 * 1024 });
const big = testing.signedPost(bigBody, SECRET);
await expect(big, 200, "no action taken");

const podCount = n(400);
const podEvents = Array.from({ length: podCount * 12 + 8 }, (_, i) =>
  testing.signedPost(jobEndBody(testing, { jobName: JOBS.PPOD, id: String(7_000_000_000 + i) }), SECRET),
);
let podNext = 0;
await expect(podEvents[podNext++], 200, "PPOD pipeline initiated");
await expect(podEvents[podNext++], 200, "PPOD pipeline initiated", metricsHandler);

const results = {};
Object.assign(
  results,
  await interleaved(
    {
      get: { op: () => handler(get), count: n(40_000) },
      getMetrics: { op: () => metricsHandler(get), count: n(40_000) },
      jobEndUnclaimed: { op: () => handler(unclaimed), count: n(8_000) },
      jobEndUnclaimedMetrics: { op: () => metricsHandler(unclaimed), count: n(8_000) },
      jobEndUnclaimedFloor: { op: floorOf(unclaimedBody), count: n(8_000) },
    },
    5,
  ),
);
Object.assign(
  results,
  await interleaved(
    {
      podTrigger: { op: () => handler(podEvents[podNext++]), count: podCount },
      podTriggerMetrics: { op: () => metricsHandler(podEvents[podNext++]), count: podCount },
    },
    5,
  ),
);
Object.assign(
  results,
  await interleaved(
    {
      body5MiB: { op: () => handler(big), count: n(6) },
      body5MiBFloor: { op: floorOf(bigBody), count: n(6) },
    },
    4,
  ),
);
// One more sanity check: the last POD answer really started the pipeline.
await expect(podEvents[podNext++], 200, "PPOD pipeline initiated");
await expect(podEvents[podNext++], 200, "PPOD pipeline initiated", metricsHandler);
rmSync(copy, { recursive: true, force: true });
results.bytes = { jobEndUnclaimed: Buffer.byteLength(unclaimedBody), body5MiB: Buffer.byteLength(bigBody) };
writeSync(3, JSON.stringify(results));
process.exit(0);
