// Signed 1 MiB webhooks (a MARC-like XML BIB and Alma's JSON form of it) through the built bundle, at the CPU
// share Lambda gives each memory size: each case runs in fresh node processes placed in a cgroup v1 CPU
// quota (cpu.cfs_quota_us / cpu.cfs_period_us) before node starts. Cold: the first request of the format in
// a fresh process (after the bundle's import, timed apart as init); warm: the requests after it.
// Needs a writable /sys/fs/cgroup/cpu (root, cgroup v1); elsewhere it says so and measures nothing.
// Standalone: node bench/cpu-share.mjs [bundle] (BENCH_BASELINE, BENCH_CPU_RUNS, BENCH_CPU_WARM as in make bench).
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BUNDLE, bibBodies, CORE_TESTING, lambdaEnv, median, ROOT, SECRET } from "./lib.mjs";

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

/**
 * Measures every share × format × build. `builds` maps a label to a bundle path. Returns
 * { skipped } when cgroups are not writable, else { cases: [{ memoryMb, percent, format, build, ... }] }.
 */
export async function cpuShareBench({ builds, runs = 3, warm = 5, log = () => {} }) {
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
  const env = lambdaEnv();
  const cases = [];
  try {
    for (const share of SHARES) {
      const group = createGroup(`alma-bench-${process.pid}-${share.memoryMb}`, share.percent);
      try {
        for (const format of Object.keys(bodies)) {
          for (const [build, bundle] of Object.entries(builds)) {
            const samples = [];
            for (let run = 0; run < runs; run++) {
              samples.push(
                await runInGroup(
                  group,
                  [
                    join(ROOT, "bench", "cpu-share-child.mjs"),
                    bundle,
                    eventFiles[format],
                    String(warm),
                    "200",
                    "not a JOB_END webhook",
                  ],
                  env,
                ),
              );
            }
            const warmMs = samples.flatMap((s) => s.warm.map((w) => w.ms));
            const row = {
              ...share,
              format,
              build,
              bytes: Buffer.byteLength(bodies[format]),
              runs,
              initMs: median(samples.map((s) => s.initMs)),
              coldMs: median(samples.map((s) => s.first.ms)),
              coldMaxMs: Math.max(...samples.map((s) => s.first.ms)),
              coldCpuMs: median(samples.map((s) => s.first.cpuMs)),
              warmMs: median(warmMs),
              warmMaxMs: Math.max(...warmMs),
              warmCpuMs: median(samples.flatMap((s) => s.warm.map((w) => w.cpuMs))),
              rssMaxMiB: Math.max(...samples.map((s) => s.maxRssKiB)) / 1024,
            };
            log(
              `${share.memoryMb} MB (${share.percent} %), ${format}, ${build}: cold ${row.coldMs.toFixed(0)} ms, warm ${row.warmMs.toFixed(0)} ms`,
            );
            cases.push(row);
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
    "build",
    "init ms",
    "cold ms (max)",
    "warm ms (max)",
    `cold ≤ ${WEBHOOK_BUDGET_MS} ms`,
    "cost per webhook, cold / warm",
  ];
  const rows = result.cases.map((c) => [
    `${f(c.memoryMb)} MB (${c.percent} %)`,
    `${c.format.toUpperCase()} ${f(c.bytes / 2 ** 20, 2)} MiB`,
    c.build,
    f(c.initMs),
    `${f(c.coldMs)} (${f(c.coldMaxMs)})`,
    `${f(c.warmMs)} (${f(c.warmMaxMs)})`,
    c.coldMaxMs <= WEBHOOK_BUDGET_MS ? "yes" : "**NO**",
    `$${(costOf(c.memoryMb, c.coldMs) * 1e6).toFixed(2)} / $${(costOf(c.memoryMb, c.warmMs) * 1e6).toFixed(2)} per million`,
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
  const result = await cpuShareBench({
    builds,
    runs: Number(process.env.BENCH_CPU_RUNS ?? 3),
    warm: Number(process.env.BENCH_CPU_WARM ?? 5),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${cpuShareMarkdown(result)}\n`);
}
