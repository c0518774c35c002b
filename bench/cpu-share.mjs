// Signed 1 MiB webhooks (a MARC-like XML BIB and Alma's JSON form of it) through the built bundle, at the CPU
// share Lambda gives each memory size, with the deployment's settings (no route claims a BIB: answered 200
// once verified and parsed) and with a route forwarding BIBs to an SQS queue (the first dispatch of an
// instance also loads the SQS client): each case runs in fresh node processes placed in a cgroup v1 CPU
// quota (cpu.cfs_quota_us / cpu.cfs_period_us) before node starts. Cold: the first request of the format in
// a fresh process (after the bundle's import, timed apart as init); warm: the requests after it.
// Needs a writable /sys/fs/cgroup/cpu (root, cgroup v1); elsewhere it says so and measures nothing.
// Standalone: node bench/cpu-share.mjs [bundle] (BENCH_BASELINE, BENCH_CPU_RUNS, BENCH_CPU_WARM as in make bench).
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BUNDLE, bibBodies, CORE_TESTING, lambdaEnv, median, ROOT, SECRET, startServers } from "./lib.mjs";

const CGROUP_CPU = "/sys/fs/cgroup/cpu";
const PERIOD_US = 100_000;
/**
 * Lambda's CPU share by memory: a full vCPU at 1,769 MB, in proportion below it. The share of 256 MB,
 * 14.5 % of one core, is the one the function is deployed with (infra WEBHOOK_MEMORY_MB).
 */
export const SHARES = [
  { memoryMb: 256, percent: 14.5 },
  { memoryMb: 512, percent: 29 },
  { memoryMb: 1024, percent: 58 },
];
export const BODY_BYTES = 1024 * 1024;
/** The webhook's budget (DISPATCH_BUDGET.webhookMs, packages/aws/src/deadline.ts): past it a dispatch is a 503. */
export const WEBHOOK_BUDGET_MS = 2800;

/** Whether CPU quotas can be set here; the reason when not. */
export function cgroupProblem() {
  if (!existsSync(join(CGROUP_CPU, "cpu.cfs_quota_us")))
    return `${CGROUP_CPU} is not a cgroup v1 CPU controller`;
  const probe = join(CGROUP_CPU, `alma-bench-probe-${process.pid}`);
  try {
    mkdirSync(probe);
    rmdirSync(probe);
    return undefined;
  } catch (error) {
    return `cannot create a cgroup under ${CGROUP_CPU} (${error.code ?? error.message}): run as root`;
  }
}

/** Creates a CPU cgroup limited to `percent` of one core; returns its path. */
function createGroup(name, percent) {
  const group = join(CGROUP_CPU, name);
  mkdirSync(group);
  writeFileSync(join(group, "cpu.cfs_period_us"), String(PERIOD_US));
  writeFileSync(join(group, "cpu.cfs_quota_us"), String(Math.round((PERIOD_US * percent) / 100)));
  return group;
}

/** Runs the child in `group`: a shell writes its own pid to cgroup.procs, then execs node (same pid). */
function runInGroup(group, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      "/bin/sh",
      ["-c", 'echo $$ > "$0/cgroup.procs" && exec "$@"', group, process.execPath, ...args],
      { env, stdio: ["ignore", "ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    let result = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.stdio[3].on("data", (chunk) => {
      result += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`cpu-share child exited ${code}:\n${stderr}`));
      resolve(JSON.parse(result));
    });
  });
}

/** The two configurations: the deployment's (no route claims a BIB), and a route forwarding BIBs to SQS. */
const ROUTINGS = {
  unrouted: { env: () => ({}), expect: "not a JOB_END webhook" },
  forwarded: {
    env: (sqsUrl) => ({
      ALMA_FORWARD_BIBS_TARGET: "arn:aws:sqs:us-east-1:123456789012:alma-bibs",
      ALMA_FORWARD_BIBS_EVENTS: "BIB",
      AWS_ENDPOINT_URL_SQS: sqsUrl,
    }),
    expect: "BIBS forwarded",
  },
};

/** `runs` fresh processes of one case in `group`, summarised (medians, and the slowest). */
async function measure(group, { bundle, eventFile, env, expect, warm, runs }) {
  const samples = [];
  for (let run = 0; run < runs; run++) {
    const args = [join(ROOT, "bench", "cpu-share-child.mjs"), bundle, eventFile, String(warm), "200", expect];
    samples.push(await runInGroup(group, args, env));
  }
  const warmMs = samples.flatMap((s) => s.warm.map((w) => w.ms));
  return {
    runs,
    initMs: median(samples.map((s) => s.initMs)),
    coldMs: median(samples.map((s) => s.first.ms)),
    coldMaxMs: Math.max(...samples.map((s) => s.first.ms)),
    coldCpuMs: median(samples.map((s) => s.first.cpuMs)),
    warmMs: warmMs.length > 0 ? median(warmMs) : Number.NaN,
    warmMaxMs: Math.max(...warmMs),
    warmCpuMs: median(samples.flatMap((s) => s.warm.map((w) => w.cpuMs))),
    rssMaxMiB: Math.max(...samples.map((s) => s.maxRssKiB)) / 1024,
    // Answers other than the expected 200: a cold or warm request past the deadline answers 503.
    coldWrong: samples.filter((s) => s.first.answer).map((s) => s.first.answer),
    warmWrong: samples.flatMap((s) => s.warm.filter((w) => w.answer).map((w) => w.answer)),
  };
}

/**
 * Measures every share × routing × format × build. `builds` maps a label to a bundle path; `sqsUrl` is the
 * queue endpoint of the forwarded cases (bench/servers.mjs). Returns { skipped } when cgroups are not
 * writable, else { cases: [{ memoryMb, percent, routing, format, build, coldMs, warmMs, ... }] }.
 */
export async function cpuShareBench({ builds, sqsUrl, runs = 3, warm = 3, log = () => {} }) {
  const problem = cgroupProblem();
  if (problem) return { skipped: `CPU-share measurements skipped: ${problem}.` };
  const testing = await import(CORE_TESTING);
  const bodies = bibBodies(BODY_BYTES);
  const dir = mkdtempSync(join(tmpdir(), "alma-bench-cpu-"));
  const eventFiles = {};
  for (const [format, body] of Object.entries(bodies)) {
    const type = format === "xml" ? "application/xml" : "application/json";
    const event = testing.signedPost(body, SECRET, { headers: { "Content-Type": type } });
    eventFiles[format] = join(dir, `${format}.json`);
    writeFileSync(eventFiles[format], JSON.stringify(event));
  }
  const cases = [];
  try {
    for (const share of SHARES) {
      const group = createGroup(`alma-bench-${process.pid}-${share.memoryMb}`, share.percent);
      try {
        for (const [routing, { env, expect }] of Object.entries(ROUTINGS)) {
          for (const format of Object.keys(bodies)) {
            for (const [build, bundle] of Object.entries(builds)) {
              const environment = { ...lambdaEnv(), ...env(sqsUrl) };
              const eventFile = eventFiles[format];
              const summary = await measure(group, {
                bundle,
                eventFile,
                env: environment,
                expect,
                warm,
                runs,
              });
              const row = {
                ...share,
                routing,
                format,
                build,
                bytes: Buffer.byteLength(bodies[format]),
                ...summary,
              };
              log(
                `${share.memoryMb} MB (${share.percent} %), ${format} ${routing}, ${build}: cold ${row.coldMs.toFixed(0)} ms, warm ${row.warmMs.toFixed(0)} ms`,
              );
              cases.push(row);
            }
          }
        }
      } finally {
        rmdirSync(group);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { cases };
}

/** Whether every request of a case got its 200, the slowest cold one inside the webhook's budget. */
export const answeredInTime = (c) =>
  c.coldWrong.length === 0 && c.warmWrong.length === 0 && c.coldMaxMs <= WEBHOOK_BUDGET_MS;

/** Lambda x86 prices (us-east-1, 2026): per GB-second and per request. */
export const PRICE = { perGbSecond: 0.0000166667, perRequest: 0.2 / 1e6 };

/** What one invocation of `ms` costs at `memoryMb`, billed by the millisecond. */
export const costOf = (memoryMb, ms) =>
  (memoryMb / 1024) * (Math.ceil(ms) / 1000) * PRICE.perGbSecond + PRICE.perRequest;

const f = (value, digits = 0) =>
  value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** The Markdown of a result: one row per share × format × build. */
export function cpuShareMarkdown(result) {
  if (result.skipped) return result.skipped;
  const head = [
    "memory (CPU share)",
    "body",
    "routing",
    "build",
    "init ms",
    "cold ms (max)",
    "cold CPU ms",
    "warm ms (max)",
    "warm CPU ms",
    `answered 200 in time (cold ≤ ${WEBHOOK_BUDGET_MS} ms)`,
    "$ per million webhooks, cold / warm",
  ];
  const rows = result.cases.map((c) => [
    `${f(c.memoryMb)} MB (${c.percent} %)`,
    `${c.format.toUpperCase()} ${f(c.bytes / 2 ** 20, 2)} MiB`,
    c.routing === "forwarded" ? "forwarded to SQS" : "no route",
    c.build,
    f(c.initMs),
    `${f(c.coldMs)} (${f(c.coldMaxMs)})`,
    f(c.coldCpuMs),
    `${f(c.warmMs)} (${f(c.warmMaxMs)})`,
    f(c.warmCpuMs),
    answeredInTime(c)
      ? "yes"
      : `**NO**${c.coldWrong.length + c.warmWrong.length > 0 ? ` (${[...new Set([...c.coldWrong, ...c.warmWrong].map((a) => a.split(" ")[0]))].join(", ")}: ${c.coldWrong.length} cold, ${c.warmWrong.length} warm)` : ""}`,
    `$${(costOf(c.memoryMb, c.coldMs) * 1e6).toFixed(2)} / $${(costOf(c.memoryMb, c.warmMs) * 1e6).toFixed(2)}`,
  ]);
  return [
    `| ${head.join(" | ")} |`,
    `|${head.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const builds = { "this build": process.argv[2] ?? BUNDLE };
  if (process.env.BENCH_BASELINE) builds.baseline = process.env.BENCH_BASELINE;
  const servers = await startServers();
  const result = await cpuShareBench({
    builds,
    sqsUrl: servers.sqsUrl,
    runs: Number(process.env.BENCH_CPU_RUNS ?? 3),
    warm: Number(process.env.BENCH_CPU_WARM ?? 3),
    log: (line) => process.stderr.write(`${line}\n`),
  }).finally(() => servers.stop());
  process.stdout.write(`${cpuShareMarkdown(result)}\n`);
}
