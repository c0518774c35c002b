// Bundle sizes, raw and gzip: each entry point with the chunks it imports statically (what a cold start
// reads before the first line runs), the SDK, metrics and Sentry chunks with what they add, and lambda.zip.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { gzipSync } from "node:zlib";
import { LAMBDA_DIST } from "./lib.mjs";

const STATIC_IMPORT = /(?:^|[\n;])\s*(?:import|export)\s*(?:[^'";]*?from\s*)?['"](\.{1,2}\/[^'"]+)['"]/g;

/** The file and every file it imports statically, transitively. */
export function staticGraph(file, seen = new Set()) {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = readFileSync(file, "utf8");
  for (const match of text.matchAll(STATIC_IMPORT)) {
    const target = join(dirname(file), match[1]);
    if (existsSync(target)) staticGraph(target, seen);
  }
  return seen;
}

const measure = (files) => {
  const sizes = [...files].map((file) => {
    const bytes = readFileSync(file);
    return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
  return {
    files: [...files].map((file) => relative(LAMBDA_DIST, file)),
    raw: sizes.reduce((sum, s) => sum + s.raw, 0),
    gzip: sizes.reduce((sum, s) => sum + s.gzip, 0),
  };
};

export function bundleSizes() {
  const webhook = staticGraph(join(LAMBDA_DIST, "webhook.mjs"));
  const ping = staticGraph(join(LAMBDA_DIST, "ping.mjs"));
  const chunks = join(LAMBDA_DIST, "chunks");
  const names = existsSync(chunks) ? readdirSync(chunks) : [];
  /** What loading the lazy chunk named `prefix-*.mjs` adds to what the entry loads. */
  const lazy = (prefix) => {
    const name = names.find((candidate) => candidate.startsWith(`${prefix}-`));
    return name
      ? new Set([...staticGraph(join(chunks, name))].filter((file) => !webhook.has(file)))
      : new Set();
  };
  const lazyChunks = [...webhook].filter((file) => /\/((sqs|event-bus)-dispatcher|secrets|ssm)-/.test(file));
  if (lazyChunks.length > 0)
    throw new Error(`the entry loads forward or secret-store clients statically: ${lazyChunks.join(", ")}`);
  const zip = statSync(join(LAMBDA_DIST, "lambda.zip")).size;
  const all = names.length;
  return {
    "webhook.mjs (+ static chunks)": measure(webhook),
    "ping.mjs (+ static chunks)": measure(ping),
    "SDK chunk, first dispatch (+ what it adds)": measure(lazy("step-functions-dispatcher")),
    "SQS chunk, first forward to a queue (+ what it adds)": measure(lazy("sqs-dispatcher")),
    "EventBridge chunk, first forward to a bus (+ what it adds)": measure(lazy("event-bus-dispatcher")),
    "Secrets Manager chunk, a stored secret (+ what it adds)": measure(lazy("secrets")),
    "SSM chunk, a stored parameter (+ what it adds)": measure(lazy("ssm")),
    "metrics chunk, metrics on (+ what it adds)": measure(lazy("metrics-sdk")),
    "sentry chunk (+ what it adds)": measure(lazy("sentry-sdk")),
    "lambda.zip": { files: [`lambda.zip (${all} chunks)`], raw: zip, gzip: zip },
  };
}
