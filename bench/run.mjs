// `make bench`: cold starts, warm in-process cost, scaling and bundle sizes of the webhook Lambda, against
// the targets of docs/performance.md. Writes .bench/results.json and .bench/results.md, prints the table.
// BENCH_RUNS (default 25) sets the cold-start runs per case; BENCH_SCALE (default 1) the warm iterations.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { answeredInTime, cpuShareBench, cpuShareMarkdown, WEBHOOK_BUDGET_MS } from "./cpu-share.mjs";
import {
  BUNDLE,
  COLD_NODE,
  CORE_TESTING,
  JOBS,
  jobEndBody,
  lambdaEnv,
  median,
  quantile,
  ROOT,
  runNode,
  SECRET,
  SECRET_ARN,
  startServers,
} from "./lib.mjs";
import { bundleSizes } from "./sizes.mjs";

const RUNS = Number(process.env.BENCH_RUNS ?? 25);
const STORED = "secret read from Secrets Manager";
// BENCH_BASELINE: another build's webhook.mjs (its chunks/ beside it); its cold starts run in the same rounds.
const BASELINE = process.env.BENCH_BASELINE;
const OUT = join(ROOT, ".bench");
const here = (file) => join(ROOT, "bench", file);
if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run 'make build' first`);
if (BASELINE && !existsSync(BASELINE)) throw new Error(`BENCH_BASELINE ${BASELINE} does not exist`);
const began = Date.now();
const log = (text) => process.stderr.write(`[bench ${((Date.now() - began) / 1000).toFixed(0)}s] ${text}\n`);

function machine() {
  const cpuinfo = existsSync("/proc/cpuinfo") ? readFileSync("/proc/cpuinfo", "utf8") : "";
  const model = /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1]?.trim() ?? cpus()[0]?.model ?? "unknown";
  return {
    nproc: cpus().length,
    cpu: model,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    coldNode: execFileSync(COLD_NODE, ["-p", "process.version"], { encoding: "utf8" }).trim(),
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
  const child = here("cold-child.mjs");
  const cases = {
    "node -e 0 (floor)": { args: () => ["-e", "0"], env: { PATH: process.env.PATH ?? "" } },
    // The same child importing a handler that does nothing: what any ES module entry costs over the floor.
    [ES_MODULE_FLOOR]: { args: () => [child, here("empty-handler.mjs"), get], env: lambdaEnv() },
  };
  const add = (label, bundle, env) => {
    cases[`GET challenge, ${label}`] = { args: () => [child, bundle, get], env, expect: "cold-challenge" };
    cases[`POD trigger, ${label}`] = {
      args: () => [child, bundle, pod()],
      env,
      expect: "PPOD pipeline initiated",
    };
  };
  for (const metrics of [false, true]) {
    for (const sentry of [false, true]) {
      add(
        `Sentry ${sentry ? "on" : "off"}, metrics ${metrics ? "on" : "off"}`,
        BUNDLE,
        lambdaEnv({ sfnUrl: servers.sfnUrl, metrics, ...(sentry ? { sentryDsn: servers.sentryDsn } : {}) }),
      );
    }
  }
  // The secret read at cold start from the local endpoint's Secrets Manager instead of the environment.
  const { ALMA_CHALLENGE_SECRET: _inEnv, ...stored } = lambdaEnv({ sfnUrl: servers.sfnUrl });
  add(STORED, BUNDLE, {
    ...stored,
    ALMA_CHALLENGE_SECRET_ARN: SECRET_ARN,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: servers.sfnUrl,
  });
  // Another build (BENCH_BASELINE), Sentry off, metrics off and on: a before/after inside the same run.
  if (BASELINE) {
    for (const metrics of [false, true]) {
      add(
        `metrics ${metrics ? "on" : "off"}, baseline build`,
        BASELINE,
        lambdaEnv({ sfnUrl: servers.sfnUrl, metrics }),
      );
    }
  }
  const names = Object.keys(cases);
  log(`cold starts: ${RUNS} runs × ${names.length} cases`);
  const samples = Object.fromEntries(names.map((name) => [name, { wall: [], rss: [] }]));
  // Two discarded rounds warm the page cache; then every round runs every case, in a rotating order.
  for (let round = -2; round < RUNS; round++) {
    const order = names.map((_, i) => names[(i + Math.max(0, round)) % names.length]);
    for (const name of order) {
      const spec = cases[name];
      const { wallMs, result } = await runNode(spec.args(), spec.env, { node: COLD_NODE });
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

/** The cold-start case that imports a handler doing nothing (bench/empty-handler.mjs). */
const ES_MODULE_FLOOR = "an ES module handler that does nothing (ES module floor)";

const COLD = (request, sentry, metrics) =>
  `${request === "GET" ? "GET challenge" : "POD trigger"}, Sentry ${sentry ? "on" : "off"}, metrics ${metrics ? "on" : "off"}`;

/** Same-run ratios of cold-start medians (and p10s, less sensitive to a busy machine): on ÷ off. */
function coldRatios(c) {
  const ratio = (label, on, off) => ({
    label,
    on,
    off,
    median: c[on].medianMs / c[off].medianMs,
    p10: c[on].p10Ms / c[off].p10Ms,
  });
  const rows = [];
  for (const request of ["GET", "POD"]) {
    for (const sentry of [false, true])
      rows.push(
        ratio(
          `${request}, metrics on ÷ off, Sentry ${sentry ? "on" : "off"}`,
          COLD(request, sentry, true),
          COLD(request, sentry, false),
        ),
      );
  }
  for (const request of ["GET", "POD"]) {
    for (const metrics of [false, true])
      rows.push(
        ratio(
          `${request}, Sentry on ÷ off, metrics ${metrics ? "on" : "off"}`,
          COLD(request, true, metrics),
          COLD(request, false, metrics),
        ),
      );
  }
  const request = (r) => (r === "GET" ? "GET challenge" : "POD trigger");
  for (const r of ["GET", "POD"]) {
    rows.push(
      ratio(`${r}: ${STORED} ÷ in the environment`, `${request(r)}, ${STORED}`, COLD(r, false, false)),
    );
  }
  for (const r of ["GET", "POD"]) {
    rows.push(
      ratio(`${r}, Sentry and metrics off ÷ ES module floor`, COLD(r, false, false), ES_MODULE_FLOOR),
    );
  }
  for (const r of ["GET", "POD"]) {
    for (const metrics of [false, true]) {
      const baseline = `${request(r)}, metrics ${metrics ? "on" : "off"}, baseline build`;
      if (c[baseline])
        rows.push(
          ratio(
            `${r}, metrics ${metrics ? "on" : "off"}: this build ÷ baseline build`,
            COLD(r, false, metrics),
            baseline,
          ),
        );
    }
  }
  return rows;
}

function targets(results) {
  const c = results.coldStart;
  const w = results.warm;
  const p = results.scaling.plugins;
  const rssOf = (metrics) =>
    Math.max(
      ...Object.entries(c)
        .filter(([name]) => name.endsWith(`metrics ${metrics ? "on" : "off"}`))
        .map(([, r]) => r.rssMaxMiB ?? 0),
    );
  const rows = [];
  for (const metrics of [false, true]) {
    const m = `metrics ${metrics ? "on" : "off"}`;
    rows.push(
      [
        `Cold start, GET, Sentry off, ${m}`,
        "≤ 2.5 × node -e 0",
        c[COLD("GET", false, metrics)].xFloor,
        2.5,
        "×",
      ],
      [
        `Cold start, POD trigger, Sentry off, ${m}`,
        "≤ 5 × node -e 0",
        c[COLD("POD", false, metrics)].xFloor,
        5,
        "×",
      ],
      [`Cold start, GET, Sentry on, ${m}`, "≤ 4 × node -e 0", c[COLD("GET", true, metrics)].xFloor, 4, "×"],
      [
        `Cold start, GET, Sentry on ÷ off, ${m}`,
        "≤ 1.2 ×",
        c[COLD("GET", true, metrics)].medianMs / c[COLD("GET", false, metrics)].medianMs,
        1.2,
        "×",
      ],
    );
  }
  // Issue 34's targets for the first request on Node 22, Lambda's runtime (make bench BENCH_NODE=22).
  const node = results.machine.coldNode;
  rows.push(
    [
      `Cold start on Node 22 (here ${node}), GET, Sentry off, metrics off`,
      "≤ 1.25 × node -e 0",
      c[COLD("GET", false, false)].xFloor,
      1.25,
      "×",
    ],
    [
      `Cold start on Node 22 (here ${node}), POD trigger, Sentry off, metrics off`,
      "≤ 2.0 × node -e 0",
      c[COLD("POD", false, false)].xFloor,
      2,
      "×",
    ],
  );
  for (const request of ["GET", "POD"]) {
    rows.push([
      `Cold start, ${request === "GET" ? "GET" : "POD trigger"}, metrics on ÷ off (Sentry off)`,
      "≤ 1.2 ×",
      c[COLD(request, false, true)].medianMs / c[COLD(request, false, false)].medianMs,
      1.2,
      "×",
    ]);
  }
  rows.push(
    ["Warm GET challenge, metrics off", "≥ 100,000 ops/s", w.get.opsPerSec, 100_000, "ops/s", true],
    ["Warm GET challenge, metrics on", "≥ 100,000 ops/s", w.getMetrics.opsPerSec, 100_000, "ops/s", true],
    [
      "Warm JOB_END unclaimed, p50, metrics off",
      "≤ 2.5 × floor",
      w.jobEndUnclaimed.p50Us / w.jobEndUnclaimedFloor.p50Us,
      2.5,
      "×",
    ],
    [
      "Warm JOB_END unclaimed, p50, metrics on",
      "≤ 2.5 × floor",
      w.jobEndUnclaimedMetrics.p50Us / w.jobEndUnclaimedFloor.p50Us,
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
    ["Peak RSS of a cold start, metrics off (max of all runs)", "≤ 80 MiB", rssOf(false), 80, "MiB"],
    ["Peak RSS of a cold start, metrics on (max of all runs)", "≤ 80 MiB", rssOf(true), 80, "MiB"],
  );
  // The deployed memory's share: a signed 1 MiB body, first of its format in an instance, inside the budget.
  for (const c of results.cpuShare.cases ?? []) {
    if (c.memoryMb !== 256 || c.build !== "this build") continue;
    rows.push([
      `Signed 1 MiB ${c.format.toUpperCase()}, ${c.routing === "forwarded" ? "forwarded to SQS" : "no route"}, cold, at 256 MB's CPU share (slowest run)`,
      `200, ≤ ${WEBHOOK_BUDGET_MS} ms`,
      answeredInTime(c) ? c.coldMaxMs : Number.POSITIVE_INFINITY,
      WEBHOOK_BUDGET_MS,
      "ms",
    ]);
  }
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
    `## Benchmark results (${results.date})\n\nMachine: ${m.nproc} × ${m.cpu}, ${m.memoryGiB} GiB, Node ${m.node}, cold starts on Node ${m.coldNode}. ` +
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
  parts.push(
    "### Cold start ratios (same run: median ÷ median, and p10 ÷ p10)\n\n" +
      table(
        ["ratio", "median", "p10"],
        coldRatios(results.coldStart).map((r) => [r.label, `${f(r.median, 2)} ×`, `${f(r.p10, 2)} ×`]),
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
    "### Warm, in-process (the bundle's handler, logging at INFO to /dev/null; metrics off unless named)\n\n" +
      table(
        ["case", "ops/s", "p50 µs", "p99 µs", "p50 × floor"],
        [
          warmRow("GET challenge", w.get),
          warmRow("GET challenge, metrics on", w.getMetrics),
          warmRow(
            `signed JOB_END, no plugin claims it (${kib(w.bytes.jobEndUnclaimed)})`,
            w.jobEndUnclaimed,
            w.jobEndUnclaimedFloor,
          ),
          warmRow(
            "signed JOB_END, no plugin claims it, metrics on",
            w.jobEndUnclaimedMetrics,
            w.jobEndUnclaimedFloor,
          ),
          warmRow("  floor: HMAC-SHA256 base64 + JSON.parse, same bytes", w.jobEndUnclaimedFloor),
          warmRow("POD trigger via local Step Functions (connection reused)", w.podTrigger),
          warmRow("POD trigger via local Step Functions, metrics on", w.podTriggerMetrics),
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
    "### Signed 1 MiB bodies at Lambda's CPU shares (cgroup v1 quota; fresh process per run; medians, slowest in brackets)\n\n" +
      cpuShareMarkdown(results.cpuShare),
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
  results.coldStart = await coldStarts(servers);
  log("warm, in-process");
  results.warm = (await runNode([here("warm-child.mjs")], lambdaEnv({ sfnUrl: servers.sfnUrl }))).result;
  log("scaling");
  results.scaling = (await runNode([here("scaling-child.mjs")], { PATH: process.env.PATH ?? "" })).result;
  log("signed 1 MiB XML and JSON at Lambda's CPU shares (cgroup quota)");
  results.cpuShare = await cpuShareBench({
    builds: { "this build": BUNDLE, ...(BASELINE ? { baseline: BASELINE } : {}) },
    sqsUrl: servers.sqsUrl,
    runs: Number(process.env.BENCH_CPU_RUNS ?? 3),
    warm: Number(process.env.BENCH_CPU_WARM ?? 3),
    log,
  });
  if (results.cpuShare.skipped) log(results.cpuShare.skipped);
} finally {
  await servers.stop();
}
results.sizes = bundleSizes();
results.targets = targets(results);
log("stalled uploads (the adapters' memory under 40 slow clients)");
const { stalledUploads } = await import("./stalled-uploads.mjs");
results.seconds = (Date.now() - began) / 1000;
const md = `${markdown(results)}\n### Stalled uploads (the adapters, default options)\n\n${stalledUploads}\n`;
mkdirSync(OUT, { recursive: true });
writeFileSync(join(OUT, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(OUT, "results.md"), md);
process.stdout.write(md);
log(`wrote .bench/results.md and .bench/results.json`);
