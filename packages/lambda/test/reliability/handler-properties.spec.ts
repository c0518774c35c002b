import { createHmac } from "node:crypto";
import type { HttpResponse } from "@alma-webhooks/core";
import { normaliseEvent } from "@alma-webhooks/core/lambda";
import { type FakeBehaviour, RecordingDispatcher } from "@alma-webhooks/core/testing";
import { expect } from "chai";
import fc from "fast-check";
import { JOBS, SECRET } from "../support/environment.js";
import { handlerWithFakes } from "../support/handler.js";
import { anyEvent, corruptedEvent, httpEventArbitrary, mutatedPayload, signatureFor } from "./arbitraries.js";

/** Every status the handler is documented to answer. */
const DOCUMENTED = new Set([200, 400, 401, 405, 413, 415, 500, 503]);
const BEHAVIOURS: FakeBehaviour[] = ["start", "duplicate", "transient-failure", "permanent-failure", "throw"];

// `make test` runs a fixed number of cases; `make fuzz` sets FUZZ_SECONDS and runs for that long.
const FUZZ_SECONDS = Number(process.env.FUZZ_SECONDS ?? 0);
const runs = (count: number): fc.Parameters<unknown> =>
  FUZZ_SECONDS > 0
    ? {
        numRuns: Number.MAX_SAFE_INTEGER,
        interruptAfterTimeLimit: (FUZZ_SECONDS * 1000) / 4,
        markInterruptAsFailure: false,
      }
    : { numRuns: count };

const PLUGIN_RULES: Record<string, { matches: (name: string) => boolean; counters: readonly string[] }> = {
  PPOD: {
    matches: (name) => name.trim().toLowerCase() === JOBS.PPOD.toLowerCase(),
    counters: ["label.new.records", "label.updated.records", "label.deleted.records"],
  },
  TIMDEX: {
    matches: (name) => name.trim().toLowerCase().startsWith(JOBS.TIMDEX_PREFIX.toLowerCase()),
    counters: ["label.new.records", "label.updated.records", "label.deleted.records"],
  },
  BURSAR: {
    matches: (name) => name.trim().toLowerCase() === JOBS.BURSAR.toLowerCase(),
    counters: ["com.exlibris.external.bursar.report.fines_fees_count"],
  },
};

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The plugin's record count, or undefined when one of its record counters is not a whole number. */
function recordsOf(job: Json, counters: readonly string[]): bigint | undefined {
  if (!Array.isArray(job.counter)) return undefined;
  let total = 0n;
  for (const entry of job.counter as unknown[]) {
    if (!isObject(entry) || !isObject(entry.type) || !counters.includes(entry.type.value as string)) continue;
    const { value } = entry;
    if (typeof value === "string" && /^\s*\d+\s*$/.test(value)) total += BigInt(value.trim());
    else if (Number.isSafeInteger(value) && (value as number) >= 0) total += BigInt(value as number);
    else return undefined;
  }
  return total;
}

/**
 * An oracle written apart from the router: did this event pass every gate for this plugin? Undefined when it
 * did; otherwise the gate that stopped it.
 */
function passedEveryGate(event: unknown, plugin: string): string | undefined {
  const normalised = normaliseEvent(event);
  if (!normalised.ok) return "not an HTTP event";
  const { request } = normalised;
  if (request.method !== "POST") return `method ${request.method}`;
  const expected = createHmac("sha256", SECRET).update(request.body).digest("base64");
  if ((request.headers["x-exl-signature"] ?? "").trim() !== expected) return "signature not valid";
  let payload: unknown;
  try {
    payload = JSON.parse(request.body.toString("utf8").replace(/^\uFEFF/, ""));
  } catch {
    return "not JSON";
  }
  if (!isObject(payload) || payload.action !== "JOB_END") return "not JOB_END";
  const job = payload.job_instance;
  if (!isObject(job) || typeof job.name !== "string") return "no job name";
  if (!job.name.toLowerCase().includes("dev")) return "other environment";
  const rule = PLUGIN_RULES[plugin];
  if (!rule?.matches(job.name)) return `${plugin} does not claim '${job.name}'`;
  if (!isObject(job.status) || job.status.value !== "COMPLETED_SUCCESS") return "status not accepted";
  const records = recordsOf(job, rule.counters);
  if (records === undefined) return "record counters malformed";
  if (records === 0n) return "zero records";
  return undefined;
}

/** Whether the plugin, past every gate, builds an execution rather than declining the job. */
function builds(event: unknown, plugin: string): boolean {
  if (plugin !== "TIMDEX") return true;
  const normalised = normaliseEvent(event);
  if (!normalised.ok) return false;
  const name = String(
    JSON.parse(normalised.request.body.toString("utf8").replace(/^\uFEFF/, "")).job_instance.name,
  );
  const rest = name.replace(/^ +| +$/g, "").slice(JOBS.TIMDEX_PREFIX.length);
  return /^ +[A-Za-z0-9]{1,20}$/.test(rest);
}

function wellFormed(response: HttpResponse): void {
  expect(response).to.be.an("object");
  expect(DOCUMENTED.has(response.statusCode), `status ${response.statusCode}`).to.equal(true);
  expect(response.headers["content-type"]).to.be.a("string");
  expect(response.body).to.be.a("string");
  expect(response.isBase64Encoded).to.equal(false);
}

const signatureOf = (event: unknown): string | undefined => {
  const normalised = normaliseEvent(event);
  return normalised.ok ? normalised.request.headers["x-exl-signature"] : undefined;
};

describe("handler properties (fast-check)", function () {
  this.timeout(FUZZ_SECONDS > 0 ? 0 : 120_000);
  const dispatcher = new RecordingDispatcher();
  const { handler, logger } = handlerWithFakes({ dispatcher });
  let cases = 0;
  const statuses = new Map<number, number>();

  after(() => {
    const byStatus = [...statuses].sort(([a], [b]) => a - b).map(([status, count]) => `${status}: ${count}`);
    console.log(
      `      ${cases} generated cases (${byStatus.join(", ")}), ${dispatcher.requests.length} starts asked`,
    );
  });

  /** The invariants every answer must keep, whatever the event and however the dispatcher behaves. */
  async function holdsInvariants(event: unknown, behaviour: FakeBehaviour): Promise<void> {
    cases += 1;
    dispatcher.behaveAs(behaviour);
    const requestsBefore = dispatcher.requests.length;
    const linesBefore = logger.lines.length;
    const response = await handler(event); // must not throw: a rejection fails the property
    wellFormed(response);
    statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
    const started = dispatcher.requests.slice(requestsBefore);
    for (const request of started) {
      expect(passedEveryGate(event, request.plugin), `started ${request.plugin}`).to.equal(undefined);
    }
    // The converse: a valid delivery that passes every gate of a plugin starts it (unless a field its
    // input needs is malformed, which is a 400, or the plugin declines the job).
    if (response.statusCode !== 400) {
      for (const plugin of Object.keys(PLUGIN_RULES)) {
        if (passedEveryGate(event, plugin) === undefined && builds(event, plugin)) {
          expect(
            started.map((request) => request.plugin),
            `did not start ${plugin}`,
          ).to.include(plugin);
        }
      }
    }
    if (response.statusCode === 503) {
      expect(behaviour).to.equal("transient-failure");
      expect(started).not.to.deep.equal([]);
    }
    if (response.statusCode === 500) {
      expect(["permanent-failure", "throw"]).to.include(behaviour);
      expect(started).not.to.deep.equal([]);
    }
    const written = JSON.stringify(logger.lines.slice(linesBefore));
    expect(written).not.to.contain(SECRET);
    const signature = signatureOf(event)?.trim();
    if (signature && signature.length >= 16) expect(written).not.to.contain(signature);
    logger.lines.length = 0;
  }

  const behaviour = fc.constantFrom(...BEHAVIOURS);

  it("keeps its invariants for well-shaped HTTP events of every front (3,000 cases)", async () => {
    await fc.assert(fc.asyncProperty(httpEventArbitrary, behaviour, holdsInvariants), runs(3_000));
  });

  it("keeps its invariants for mutated real Alma payloads, signed correctly (3,500 cases)", async () => {
    const signedMutation = fc
      .tuple(mutatedPayload, fc.boolean(), fc.constantFrom("function-url", "api-gateway-v1", "alb"))
      .map(([payload, base64, front]) => {
        const body = JSON.stringify(payload) ?? "null";
        const signature = signatureFor(Buffer.from(body), "valid", "");
        const headers = { "content-type": "application/json", "x-exl-signature": signature ?? "" };
        return { front, body, base64, headers };
      })
      .map(({ front, body, base64, headers }) =>
        front === "function-url"
          ? {
              version: "2.0",
              requestContext: { http: { method: "POST" }, requestId: "p" },
              headers,
              body: base64 ? Buffer.from(body).toString("base64") : body,
              isBase64Encoded: base64,
            }
          : {
              httpMethod: "POST",
              headers,
              body: base64 ? Buffer.from(body).toString("base64") : body,
              isBase64Encoded: base64,
              requestContext: front === "alb" ? { elb: {} } : { requestId: "p" },
            },
      );
    await fc.assert(fc.asyncProperty(signedMutation, behaviour, holdsInvariants), runs(3_500));
  });

  it("keeps its invariants for events with a field missing or of the wrong type (2,000 cases)", async () => {
    await fc.assert(fc.asyncProperty(corruptedEvent, behaviour, holdsInvariants), runs(2_000));
  });

  it("keeps its invariants for anything at all (2,000 cases)", async () => {
    await fc.assert(fc.asyncProperty(anyEvent, behaviour, holdsInvariants), runs(2_000));
  });

  it("keeps its invariants for huge bodies, over and under the limit (20 cases)", async () => {
    const huge = fc
      .tuple(fc.integer({ min: 5 * 1024 * 1024, max: 6 * 1024 * 1024 + 4096 }), fc.boolean())
      .map(([size, signed]) => {
        const body = Buffer.alloc(size, 0x61);
        const headers: Record<string, string> = signed
          ? { "x-exl-signature": signatureFor(body, "valid", "") ?? "" }
          : {};
        return {
          version: "2.0",
          requestContext: { http: { method: "POST" } },
          headers,
          body: body.toString("base64"),
          isBase64Encoded: true,
        };
      });
    await fc.assert(fc.asyncProperty(huge, behaviour, holdsInvariants), runs(20));
  });
});
