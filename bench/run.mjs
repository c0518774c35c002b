// `make bench`: cold starts, warm in-process cost, scaling and bundle sizes of the webhook Lambda, against
// the targets of docs/performance.md. Writes .bench/results.json and .bench/results.md, prints the table.
// BENCH_RUNS (default 25) sets the cold-start runs per case; BENCH_SCALE (default 1) the warm iterations.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import {
  BUNDLE,
  CORE_TESTING,
  JOBS,
  jobEndBody,
  lambdaEnv,
  median,
  quantile,
  ROOT,
  runNode,
  SECRET,
} from "./lib.mjs";
import { bundleSizes } from "./sizes.mjs";

const RUNS = Number(process.env.BENCH_RUNS ?? 25);
const OUT = join(ROOT, ".bench");
const here = (file) => join(ROOT, "bench", file);
if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run 'make build' first`);
const began = Date.now();
const log = (text) => process.stderr.write(`[bench ${((Date.now() - began) / 1000).toFixed(0)}s] ${text}\n`);

async function startServers() {
  const child = spawn(process.execPath, [here("servers.mjs")], { stdio: ["pipe", "pipe", "inherit"] });
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`servers exited ${code}`)));
  });
  return {
    ...JSON.parse(line),
    stop: () => new Promise((resolve) => child.once("exit", resolve).stdin.end()),
  };
}

function machine() {
  const cpuinfo = existsSync("/proc/cpuinfo") ? readFileSync("/proc/cpuinfo", "utf8") : "";
  const model = /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1]?.trim() ?? cpus()[0]?.model ?? "unknown";
  return {
    nproc: cpus().length,
    cpu: model,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
  };
}

// ---- cold start -------------------------------------------------------------------------------------
async function coldStarts(servers) {
  const testing = await import(CORE_TESTING);
  const get = JSON.stringify(testing.challengeEvent("cold-challenge"));
  let podId = Date.now() * 10;
  const pod = () =>
    JSON.stringify(
      testing.signedPost(jobEndBody(testing, { jobName: JOBS.PPOD, id: String(podId++) }), SECRET),
    );
  const off = lambdaEnv({ sfnUrl: servers.sfnUrl });
  const on = lambdaEnv({ sfnUrl: servers.sfnUrl, sentryDsn: servers.sentryDsn });
  const child = here("cold-child.mjs");
  const cases = {
    "node -e 0 (floor)": { args: () => ["-e", "0"], env: { PATH: off.PATH } },
    "GET challenge, Sentry off": { args: () => [child, BUNDLE, get], env: off, expect: "cold-challenge" },
    "POD trigger, Sentry off": {
      args: () => [child, BUNDLE, pod()],
      env: off,
      expect: "PPOD pipeline initiated",
    },
    "GET challenge, Sentry on": { args: () => [child, BUNDLE, get], env: on, expect: "cold-challenge" },
    "POD trigger, Sentry on": {
      args: () => [child, BUNDLE, pod()],
      env: on,
      expect: "PPOD pipeline initiated",
    },
  };
  const names = Object.keys(cases);
  const samples = Object.fromEntries(names.map((name) => [name, { wall: [], rss: [] }]));
  // Two discarded rounds warm the page cache; then every round runs every case, in a rotating order.
  for (let round = -2; round < RUNS; round++) {
    const order = names.map((_, i) => names[(i + Math.max(0, round)) % names.length]);
    for (const name of order) {
      const spec = cases[name];
      const { wallMs, result } = await runNode(spec.args(), spec.env);
      if (spec.expect && !(result?.statusCode === 200 && result.body.includes(spec.expect)))
        throw new Error(`${name}: unexpected answer ${JSON.stringify(result)}`);
      if (round < 0) continue;
      samples[name].wall.push(wallMs);
      if (result) samples[name].rss.push(result.maxRssKiB / 1024);
    }
  }
  const floor = median(samples[names[0]].wall);
  return Object.fromEntries(
    names.map((name) => {
      const { wall, rss } = samples[name];
      return [
        name,
        {
          runs: wall.length,
          medianMs: median(wall),
          p10Ms: quantile(wall, 0.1),
          p90Ms: quantile(wall, 0.9),
          minMs: Math.min(...wall),
          maxMs: Math.max(...wall),
          xFloor: median(wall) / floor,
          ...(rss.length ? { rssMedianMiB: median(rss), rssMaxMiB: Math.max(...rss) } : {}),
        },
      ];
    }),
  );
}

// ---- report -----------------------------------------------------------------------------------------
const f = (value, digits = 1) =>
  Number.isFinite(value)
    ? value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : "–";
const kib = (bytes) => `${f(bytes / 1024, 1)} KiB`;
const table = (head, rows) =>
  [
    `| ${head.join(" | ")} |`,
    `|${head.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");

function targets(results) {
  const c = results.coldStart;
  const w = results.warm;
  const p = results.scaling.plugins;
  const rss = Math.max(...Object.values(c).map((r) => r.rssMaxMiB ?? 0));
  const rows = [
    ["Cold start, GET, Sentry off", "≤ 2.5 × node -e 0", c["GET challenge, Sentry off"].xFloor, 2.5, "×"],
    ["Cold start, POD trigger, Sentry off", "≤ 5 × node -e 0", c["POD trigger, Sentry off"].xFloor, 5, "×"],
    ["Cold start, GET, Sentry on", "≤ 4 × node -e 0", c["GET challenge, Sentry on"].xFloor, 4, "×"],
    [
      "Cold start, GET, Sentry on vs off",
      "≤ 1.2 ×",
      c["GET challenge, Sentry on"].medianMs / c["GET challenge, Sentry off"].medianMs,
      1.2,
      "×",
    ],
    ["Warm GET challenge", "≥ 100,000 ops/s", w.get.opsPerSec, 100_000, "ops/s", true],
    [
      "Warm JOB_END unclaimed, p50",
      "≤ 2.5 × floor",
      w.jobEndUnclaimed.p50Us / w.jobEndUnclaimedFloor.p50Us,
      2.5,
      "×",
    ],
    ["Warm signed 5 MiB body, p50", "≤ 1.5 × floor", w.body5MiB.p50Us / w.body5MiBFloor.p50Us, 1.5, "×"],
    [
      "100 vs 3 plugins, unclaimed, p50",
      "≤ 1.3 ×",
      p["unclaimed-100"].p50Us / p["unclaimed-3"].p50Us,
      1.3,
      "×",
    ],
    [
      "100 vs 3 plugins, last claims, p50",
      "≤ 1.3 ×",
      p["lastClaims-100"].p50Us / p["lastClaims-3"].p50Us,
      1.3,
      "×",
    ],
    ["Peak RSS of a cold start (max of all runs)", "≤ 80 MiB", rss, 80, "MiB"],
  ];
  return rows.map(([what, target, value, limit, unit, atLeast]) => ({
    what,
    target,
    value,
    unit,
    met: atLeast ? value >= limit : value <= limit,
  }));
}

function markdown(results) {
  const parts = [];
  const m = results.machine;
  parts.push(
    `## Benchmark results (${results.date})\n\nMachine: ${m.nproc} × ${m.cpu}, ${m.memoryGiB} GiB, Node ${m.node}. ` +
      `Cold-start runs per case: ${results.runs}. Took ${f(results.seconds, 0)} s.`,
  );
  parts.push(
    "### Targets\n\n" +
      table(
        ["measure", "target", "measured", "met"],
        results.targets.map((t) => [
          t.what,
          t.target,
          `${f(t.value, t.unit === "ops/s" ? 0 : 2)} ${t.unit}`,
          t.met ? "yes" : "**NO**",
        ]),
      ),
  );
  parts.push(
    "### Cold start (spawn to exit, clean env, stdout to /dev/null, log level INFO)\n\n" +
      table(
        ["case", "median ms", "p10 ms", "p90 ms", "min–max ms", "× floor", "peak RSS median / max MiB"],
        Object.entries(results.coldStart).map(([name, r]) => [
          name,
          f(r.medianMs),
          f(r.p10Ms),
          f(r.p90Ms),
          `${f(r.minMs)}–${f(r.maxMs)}`,
          f(r.xFloor, 2),
          r.rssMedianMiB === undefined ? "–" : `${f(r.rssMedianMiB)} / ${f(r.rssMaxMiB)}`,
        ]),
      ),
  );
  const w = results.warm;
  const warmRow = (label, r, floor) => [
    label,
    f(r.opsPerSec, 0),
    f(r.p50Us, 2),
    f(r.p99Us, 2),
    floor ? f(r.p50Us / floor.p50Us, 2) : "–",
  ];
  parts.push(
    "### Warm, in-process (the bundle's handler, logging at INFO to /dev/null)\n\n" +
      table(
        ["case", "ops/s", "p50 µs", "p99 µs", "p50 × floor"],
        [
          warmRow("GET challenge", w.get),
          warmRow(
            `signed JOB_END, no plugin claims it (${kib(w.bytes.jobEndUnclaimed)})`,
            w.jobEndUnclaimed,
            w.jobEndUnclaimedFloor,
          ),
          warmRow("  floor: HMAC-SHA256 base64 + JSON.parse, same bytes", w.jobEndUnclaimedFloor),
          warmRow("POD trigger via local Step Functions (connection reused)", w.podTrigger),
          warmRow(
            `signed 5 MiB JOB_END, no plugin claims it (${kib(w.bytes.body5MiB)})`,
            w.body5MiB,
            w.body5MiBFloor,
          ),
          warmRow("  floor: HMAC-SHA256 base64 + JSON.parse, same bytes", w.body5MiBFloor),
        ],
      ),
  );
  const p = results.scaling.plugins;
  parts.push(
    "### Scaling with plugins (core router, silent logger, RecordingDispatcher)\n\n" +
      table(
        [
          "plugins",
          "unclaimed p50 µs",
          "unclaimed p99 µs",
          "× 3 plugins",
          "last claims p50 µs",
          "last claims p99 µs",
          "× 3 plugins",
        ],
        [3, 10, 100].map((count) => [
          String(count),
          f(p[`unclaimed-${count}`].p50Us, 2),
          f(p[`unclaimed-${count}`].p99Us, 2),
          f(p[`unclaimed-${count}`].p50Us / p["unclaimed-3"].p50Us, 2),
          f(p[`lastClaims-${count}`].p50Us, 2),
          f(p[`lastClaims-${count}`].p99Us, 2),
          f(p[`lastClaims-${count}`].p50Us / p["lastClaims-3"].p50Us, 2),
        ]),
      ),
  );
  parts.push(
    "### Scaling with body size (core router, 3 plugins, signed JOB_END no plugin claims)\n\n" +
      table(
        ["body", "p50 µs", "p99 µs", "MiB/s", "floor p50 µs", "× floor"],
        Object.entries(results.scaling.bodies).map(([label, r]) => [
          `${label} (${r.bytes} B)`,
          f(r.router.p50Us, 1),
          f(r.router.p99Us, 1),
          f(r.bytes / 2 ** 20 / (r.router.p50Us / 1e6), 0),
          f(r.floor.p50Us, 1),
          f(r.router.p50Us / r.floor.p50Us, 2),
        ]),
      ),
  );
  parts.push(
    "### Bundle sizes\n\n" +
      table(
        ["entry point", "files", "raw", "gzip"],
        Object.entries(results.sizes).map(([name, s]) => [
          name,
          String(s.files.length),
          kib(s.raw),
          name === "lambda.zip" ? "(zip)" : kib(s.gzip),
        ]),
      ),
  );
  return `${parts.join("\n\n")}\n`;
}

// ---- main -------------------------------------------------------------------------------------------
const servers = await startServers();
const results = { date: new Date().toISOString(), machine: machine(), runs: RUNS };
try {
  log(`cold starts: ${RUNS} runs × 5 cases`);
  results.coldStart = await coldStarts(servers);
  log("warm, in-process");
  results.warm = (await runNode([here("warm-child.mjs")], lambdaEnv({ sfnUrl: servers.sfnUrl }))).result;
  log("scaling");
  results.scaling = (await runNode([here("scaling-child.mjs")], { PATH: process.env.PATH ?? "" })).result;
} finally {
  await servers.stop();
}
results.sizes = bundleSizes();
results.targets = targets(results);
results.seconds = (Date.now() - began) / 1000;
const md = markdown(results);
mkdirSync(OUT, { recursive: true });
writeFileSync(join(OUT, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(OUT, "results.md"), md);
process.stdout.write(md);
log(`wrote .bench/results.md and .bench/results.json`);
