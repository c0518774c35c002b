// Timing loops shared by the in-process benchmarks: per-operation samples with hrtime, in interleaved rounds.
import { median, quantile } from "./lib.mjs";

/** Runs `op` (sync or async) `count` times; returns per-op nanoseconds and the batch's total nanoseconds. */
export async function batch(op, count) {
  const samples = new Float64Array(count);
  const start = process.hrtime.bigint();
  let last = start;
  for (let i = 0; i < count; i++) {
    const result = op(i);
    if (result !== undefined && typeof result.then === "function") await result;
    const now = process.hrtime.bigint();
    samples[i] = Number(now - last);
    last = now;
  }
  return { samples, totalNs: Number(last - start) };
}

/**
 * Measures several operations in interleaved rounds (a, b, c, a, b, c, …) after one warm-up batch each,
 * so that noise from other processes hits all of them alike. `cases` maps a name to { op, count }.
 */
export async function interleaved(cases, rounds) {
  const names = Object.keys(cases);
  for (const name of names) await batch(cases[name].op, Math.max(1, Math.ceil(cases[name].count / 2)));
  const collected = Object.fromEntries(names.map((name) => [name, { samples: [], totalNs: 0, ops: 0 }]));
  for (let round = 0; round < rounds; round++) {
    for (const name of names) {
      const { samples, totalNs } = await batch(cases[name].op, cases[name].count);
      const into = collected[name];
      into.samples.push(samples);
      into.totalNs += totalNs;
      into.ops += samples.length;
    }
  }
  return Object.fromEntries(
    names.map((name) => {
      const { samples, totalNs, ops } = collected[name];
      const all = samples.flatMap((s) => Array.from(s));
      return [name, summarise(all, ops, totalNs)];
    }),
  );
}

function summarise(ns, ops, totalNs) {
  return {
    ops,
    opsPerSec: ops / (totalNs / 1e9),
    p50Us: median(ns) / 1e3,
    p99Us: quantile(ns, 0.99) / 1e3,
    meanUs: totalNs / ops / 1e3,
  };
}
