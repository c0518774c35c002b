// Shared pieces of the benchmark harness: paths, the deployment environment, events and statistics.
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const LAMBDA_DIST = join(ROOT, "packages", "lambda", "dist");
// BENCH_BUNDLE: another copy of the bundle (webhook.mjs with its chunks/ beside it), to compare two builds.
export const BUNDLE = process.env.BENCH_BUNDLE ?? join(LAMBDA_DIST, "webhook.mjs");
export const CORE = join(ROOT, "packages", "core", "dist", "src", "index.js");
export const CORE_LAMBDA = join(ROOT, "packages", "core", "dist", "src", "adapters", "lambda.js");
export const CORE_TESTING = join(ROOT, "packages", "core", "dist", "src", "testing", "index.js");
export const LOCAL_SFN = join(ROOT, "packages", "local-aws", "dist", "src", "endpoint.js");

export const SECRET = "bench-secret";
export const JOBS = {
  PPOD: "Publishing Platform Job PPOD EXPORT to Dev1",
  TIMDEX_PREFIX: "Publishing Platform Job TIMDEX EXPORT to Dev1",
  BURSAR: "Export to bursar using profile Bursar Export to Dev1",
  UNCLAIMED: "Publishing Platform Job Nobody Claims to Dev1",
};
const ARN = (name) => `arn:aws:states:us-east-1:123456789012:stateMachine:${name}`;

/** The metrics settings the CDK stack gives the function (infra/src/alma-webhooks.ts): metrics on. */
export const METRICS_ENV = {
  POWERTOOLS_METRICS_NAMESPACE: "AlmaWebhooks",
  POWERTOOLS_SERVICE_NAME: "alma-webhooks",
};

/**
 * What the webhook Lambda is configured with (and nothing else, as Lambda starts a process). Metrics are
 * off unless `metrics` is true, as they are without `POWERTOOLS_METRICS_NAMESPACE`.
 */
/** The webhook secret as the local endpoint's Secrets Manager holds it (bench/servers.mjs). */
export const SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:alma-webhooks/bench-AbCdEf";

export function lambdaEnv({ sfnUrl, sentryDsn, metrics = false } = {}) {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    WORKSPACE: "dev",
    ALMA_CHALLENGE_SECRET: SECRET,
    ALMA_POD_EXPORT_JOB_NAME: JOBS.PPOD,
    PPOD_STATE_MACHINE_ARN: ARN("ppod-bench"),
    ALMA_TIMDEX_EXPORT_JOB_NAME_PREFIX: JOBS.TIMDEX_PREFIX,
    TIMDEX_STATE_MACHINE_ARN: ARN("timdex-bench"),
    ALMA_BURSAR_EXPORT_JOB_NAME: JOBS.BURSAR,
    BURSAR_STATE_MACHINE_ARN: ARN("bursar-bench"),
    POWERTOOLS_LOG_LEVEL: "INFO",
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "bench",
    AWS_SECRET_ACCESS_KEY: "bench",
    // Lambda has no shared config or credentials file; a developer's ~/.aws must not stand in for one.
    AWS_CONFIG_FILE: "/nonexistent/alma-webhooks/aws-config",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/alma-webhooks/aws-credentials",
    ...(sfnUrl ? { AWS_ENDPOINT_URL_SFN: sfnUrl } : {}),
    ...(sentryDsn ? { SENTRY_DSN: sentryDsn } : {}),
    ...(metrics ? METRICS_ENV : {}),
  };
}

/**
 * BENCH_NODE: the Node binary the cold starts run under (`make bench BENCH_NODE=22` fetches Node 22, Lambda's
 * runtime, with npx); default this process's own. The floor (`node -e 0`) runs under it too.
 */
export const COLD_NODE = process.env.BENCH_NODE || process.execPath;

/**
 * Runs `node args…` with exactly `env`, stdout to /dev/null, and reads one JSON result from fd 3.
 * Resolves with the result and the wall time from spawn to exit, in ms.
 */
export function runNode(args, env, { timeoutMs = 600_000, node = process.execPath } = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(node, args, { env, stdio: ["ignore", "ignore", "pipe", "pipe"] });
    let stderr = "";
    let result = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.stdio[3].on("data", (chunk) => {
      result += chunk;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    let wallMs = 0;
    child.on("error", reject);
    // Wall time ends when the process exits; the result is read once its pipes have drained.
    child.on("exit", () => {
      wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`node ${args.join(" ")} exited ${code}:\n${stderr}`));
      try {
        resolve({ wallMs, result: result ? JSON.parse(result) : undefined, stderr });
      } catch (error) {
        reject(new Error(`bad result from node ${args.join(" ")}: ${result}\n${stderr}`, { cause: error }));
      }
    });
  });
}

/**
 * Starts bench/servers.mjs in a process of its own (so they do not share a core with the timing loop): the
 * local AWS endpoint (`sfnUrl`), an SQS queue that takes any size (`sqsUrl`) and a Sentry sink
 * (`sentryDsn`). `stop()` ends them.
 */
export async function startServers() {
  const child = spawn(process.execPath, [join(ROOT, "bench", "servers.mjs")], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`servers exited ${code}`)));
  });
  return {
    ...JSON.parse(line),
    stop: () => new Promise((resolve) => child.once("exit", resolve).stdin.end()),
  };
}

/** The q-quantile (0..1) of numbers, nearest-rank on a sorted copy. */
export function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index];
}

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** A JOB_END payload for `jobName`, padded with a `padding` field to about `bytes` bytes when given. */
export function jobEndBody(testing, { jobName = JOBS.UNCLAIMED, id = "6219373120004761", bytes } = {}) {
  const payload = testing.jobEndPayload({ job_instance: { id, name: jobName } });
  const plain = JSON.stringify(payload);
  if (bytes === undefined || bytes <= plain.length) return plain;
  const padded = JSON.stringify({ ...payload, padding: "" });
  return JSON.stringify({ ...payload, padding: "x".repeat(bytes - padded.length) });
}

// ---- large BIB bodies (bench/cpu-share.mjs) ----------------------------------------------------------
const SUBJECTS = ["Political culture", "Politicians", "Social life and customs.", "Washington (D.C.)"];
const escapeXml = (text) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * A MARC 21 record in MARCXML, about `bytes` long: a leader, three control fields and as many data fields
 * (each with three subfields, some text needing escapes) as fill it. Deterministic: field n is always the same.
 */
export function marcRecordXml(bytes) {
  const head =
    '<record><leader>01154cam a22002774a 4500</leader><controlfield tag="001">991281420000541</controlfield>' +
    '<controlfield tag="005">20201211111915.0</controlfield><controlfield tag="008">070508s2008    nyu           000 0 eng</controlfield>';
  const fields = [];
  let size = head.length + "</record>".length;
  for (let n = 0; ; n++) {
    const tag = String(500 + (n % 400)).padStart(3, "0");
    const field =
      `<datafield ind1="${n % 2}" ind2=" " tag="${tag}">` +
      `<subfield code="a">${escapeXml(`${SUBJECTS[n % SUBJECTS.length]} & note ${n}`)}</subfield>` +
      `<subfield code="z">${escapeXml(`Washington (D.C.) <${n % 97}>`)}</subfield>` +
      `<subfield code="x">Social life and customs, part ${n}.</subfield></datafield>`;
    if (size + field.length > bytes) break;
    fields.push(field);
    size += field.length;
  }
  return `${head}${fields.join("")}</record>`;
}

/**
 * A signed-size BIB_UPDATED webhook of about `bytes` bytes in both of Alma's forms: `xml`, the record as
 * elements inside `<bib>` (many datafield and subfield elements to parse), and `json`, Alma's JSON form
 * with the same MARCXML as one string in `bib.anies`.
 */
export function bibBodies(bytes) {
  const envelope =
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><webhook><id>3751207219283555</id><action>BIB</action>' +
    '<institution desc="Massachusetts Institute of Technology">01MIT_INST</institution>' +
    '<time>2024-11-06T15:00:00.000Z</time><event desc="bib updated">BIB_UPDATED</event>' +
    "<bib><mms_id>9979472923703681</mms_id><title>The grammar of ornament</title><record_format>marc21</record_format>" +
    "<suppress_from_publishing>false</suppress_from_publishing><anies>";
  const tail = "</anies></bib></webhook>";
  const xml = `${envelope}${marcRecordXml(bytes - envelope.length - tail.length)}${tail}`;
  const payload = {
    id: "3751207219283555",
    action: "BIB",
    institution: { value: "01MIT_INST", desc: "Massachusetts Institute of Technology" },
    time: "2024-11-06T15:00:00.000Z",
    event: { value: "BIB_UPDATED", desc: "bib updated" },
    bib: {
      mms_id: "9979472923703681",
      title: "The grammar of ornament",
      record_format: "marc21",
      suppress_from_publishing: "false",
      anies: [""],
    },
  };
  const plain = JSON.stringify(payload).length;
  // JSON escapes each double quote of the MARCXML: leave room for them.
  let record = marcRecordXml(bytes - plain);
  payload.bib.anies = [record];
  while (JSON.stringify(payload).length > bytes) {
    record = marcRecordXml(record.length - (JSON.stringify(payload).length - bytes) - 200);
    payload.bib.anies = [record];
  }
  return { xml, json: JSON.stringify(payload) };
}
