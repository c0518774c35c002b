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
  const sentryName = existsSync(chunks)
    ? readdirSync(chunks).find((name) => name.startsWith("sentry-sdk-"))
    : undefined;
  const sentry = sentryName
    ? new Set([...staticGraph(join(chunks, sentryName))].filter((file) => !webhook.has(file)))
    : new Set();
  const sdkName = existsSync(chunks)
    ? readdirSync(chunks).find((name) => name.startsWith("step-functions-dispatcher-"))
    : undefined;
  const sdk = sdkName
    ? new Set([...staticGraph(join(chunks, sdkName))].filter((file) => !webhook.has(file)))
    : new Set();
  const metricsName = existsSync(chunks)
    ? readdirSync(chunks).find((name) => name.startsWith("metrics-sdk-"))
    : undefined;
  const metrics = metricsName
    ? new Set([...staticGraph(join(chunks, metricsName))].filter((file) => !webhook.has(file)))
    : new Set();
  const zip = statSync(join(LAMBDA_DIST, "lambda.zip")).size;
  const all = existsSync(chunks) ? readdirSync(chunks).length : 0;
  return {
    "webhook.mjs (+ static chunks)": measure(webhook),
    "ping.mjs (+ static chunks)": measure(ping),
    "SDK chunk, first dispatch (+ what it adds)": measure(sdk),
    "metrics chunk, metrics on (+ what it adds)": measure(metrics),
    "sentry chunk (+ what it adds)": measure(sentry),
    "lambda.zip": { files: [`lambda.zip (${all} chunks)`], raw: zip, gzip: zip },
  };
}
