import { createHmac } from "node:crypto";
import {
  counter,
  failedJobEndPayload,
  httpEvent,
  jobEndPayload,
  LAMBDA_FRONTS,
  legacyJobEndPayload,
  otherActionPayload,
} from "@alma-webhooks/core/testing";
import fc from "fast-check";
import { JOBS, SECRET } from "../support/environment.js";

const FEES = "com.exlibris.external.bursar.report.fines_fees_count";

/** Real Alma payloads for every pipeline and then some: the seeds that mutations start from. */
export const SEED_PAYLOADS: readonly unknown[] = [
  jobEndPayload({ job_instance: { name: JOBS.PPOD } }),
  legacyJobEndPayload({ job_instance: { name: JOBS.PPOD } }),
  jobEndPayload({ job_instance: { name: `${JOBS.TIMDEX_PREFIX} Daily` } }),
  jobEndPayload({ job_instance: { name: `${JOBS.TIMDEX_PREFIX} FULL` } }),
  jobEndPayload({
    job_instance: { name: JOBS.BURSAR, counter: [counter(FEES, 3), counter("c.jobs.x", 1, "")] },
  }),
  failedJobEndPayload({ job_instance: { name: JOBS.PPOD } }),
  jobEndPayload({ job_instance: { name: "Some other job to Dev1" } }),
  jobEndPayload({ job_instance: { name: JOBS.PPOD.replace("Dev1", "Prod") } }),
  otherActionPayload("USER"),
];

type Path = (string | number)[];

function pathsOf(value: unknown, prefix: Path = [], depth = 0): Path[] {
  if (depth > 5 || typeof value !== "object" || value === null) return [];
  return Object.keys(value).flatMap((key) => {
    const step = Array.isArray(value) ? Number(key) : key;
    const child = (value as Record<string, unknown>)[key];
    return [[...prefix, step], ...pathsOf(child, [...prefix, step], depth + 1)];
  });
}

type Mutation =
  | { op: "remove" }
  | { op: "replace"; value: unknown }
  | { op: "garble-counters"; value: unknown };

function mutate(payload: unknown, path: Path, mutation: Mutation): unknown {
  const copy = structuredClone(payload) as Record<string, unknown>;
  if (mutation.op === "garble-counters") {
    const job = copy.job_instance as { counter?: { value: unknown }[] } | undefined;
    for (const entry of job?.counter ?? []) entry.value = mutation.value;
    return copy;
  }
  if (path.length === 0) return mutation.op === "replace" ? mutation.value : copy;
  let node: Record<string | number, unknown> = copy;
  for (const step of path.slice(0, -1)) node = node[step] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (mutation.op === "remove") {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else node[last] = mutation.value;
  return copy;
}

const garbage = fc.oneof(
  fc.constant(null),
  fc.constant(""),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.string(),
  fc.string({ unit: "grapheme" }),
  fc.constantFrom("12", "-1", "1e3", "0x10", " 7", "99999999999999999999", "NaN"),
  fc.jsonValue({ maxDepth: 2 }),
);

/** A real Alma payload with fields removed, retyped, nulled or its counters garbled. */
export const mutatedPayload: fc.Arbitrary<unknown> = fc
  .tuple(fc.constantFrom(...SEED_PAYLOADS), fc.nat(), fc.integer({ min: 0, max: 3 }), garbage)
  .map(([seed, pick, op, value]) => {
    const paths = pathsOf(seed);
    const path = paths.length === 0 ? [] : (paths[pick % paths.length] as Path);
    const mutation: Mutation =
      op === 0
        ? { op: "remove" }
        : op === 1
          ? { op: "replace", value: null }
          : op === 2
            ? { op: "replace", value }
            : { op: "garble-counters", value };
    return mutate(seed, path, mutation);
  });

/** Bodies of every kind: empty, text, multibyte, binary (invalid UTF-8 too), JSON, Alma payloads. */
export const body: fc.Arbitrary<string | Buffer> = fc.oneof(
  fc.constant(""),
  fc.string(),
  fc.string({ unit: "grapheme", maxLength: 200 }),
  fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes)),
  fc.constantFrom(Buffer.from([0xc3, 0x28, 0xa0, 0xa1]), Buffer.from([0xff, 0xfe, 0x7b, 0x7d])),
  fc.jsonValue().map((value) => JSON.stringify(value)),
  mutatedPayload.map((payload) => JSON.stringify(payload) ?? "null"),
  fc.constantFrom(...SEED_PAYLOADS).map((payload) => JSON.stringify(payload)),
  fc.constant('<?xml version="1.0"?><webhook/>'),
);

const randomCase = (text: string) =>
  fc
    .array(fc.boolean(), { minLength: text.length, maxLength: text.length })
    .map((flags) =>
      [...text].map((char, i) => (flags[i] ? char.toUpperCase() : char.toLowerCase())).join(""),
    );

export type Signing = "valid" | "wrong-secret" | "missing" | "garbage";

/** Signs as Alma does when `signing` is "valid"; otherwise a wrong, missing or garbage signature. */
export function signatureFor(bytes: Buffer, signing: Signing, garbageValue: string): string | undefined {
  switch (signing) {
    case "valid":
      return createHmac("sha256", SECRET).update(bytes).digest("base64");
    case "wrong-secret":
      return createHmac("sha256", "not-the-secret").update(bytes).digest("base64");
    case "missing":
      return undefined;
    case "garbage":
      return garbageValue;
  }
}

const query = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.dictionary(fc.string({ maxLength: 12 }), fc.string({ maxLength: 40 }), { maxKeys: 4 }),
  fc.record({ challenge: fc.string({ maxLength: 2000 }) }),
);

/** A well-shaped Lambda HTTP event of any front, signed or not, with any method, headers and query. */
export const httpEventArbitrary = fc
  .record({
    front: fc.constantFrom(...LAMBDA_FRONTS),
    method: fc.oneof(
      fc.constantFrom(
        "POST",
        "POST",
        "POST",
        "GET",
        "post",
        "Get",
        "PUT",
        "DELETE",
        "HEAD",
        "OPTIONS",
        "PATCH",
      ),
      fc.string({ maxLength: 8 }),
    ),
    body,
    base64: fc.boolean(),
    signing: fc.constantFrom<Signing>("valid", "valid", "valid", "wrong-secret", "missing", "garbage"),
    garbageSignature: fc.string({ maxLength: 60 }),
    headerName: randomCase("x-exl-signature"),
    contentType: fc.constantFrom(
      "application/json",
      "text/plain",
      "application/xml",
      "APPLICATION/JSON; charset=utf-8",
    ),
    extraHeaders: fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), fc.string({ maxLength: 20 }), {
      maxKeys: 3,
    }),
    query,
  })
  .map((spec) => {
    const bytes = typeof spec.body === "string" ? Buffer.from(spec.body, "utf8") : spec.body;
    const signature = signatureFor(bytes, spec.signing, spec.garbageSignature);
    const headers: Record<string, string> = { ...spec.extraHeaders, "Content-Type": spec.contentType };
    if (signature !== undefined) headers[spec.headerName] = signature;
    return httpEvent(spec.front, {
      method: spec.method,
      body: spec.body,
      base64: spec.base64,
      headers,
      ...(spec.query === undefined ? {} : { query: spec.query }),
    }) as unknown as Record<string, unknown>;
  });

const EVENT_FIELDS = [
  "body",
  "headers",
  "multiValueHeaders",
  "queryStringParameters",
  "multiValueQueryStringParameters",
  "isBase64Encoded",
  "requestContext",
  "httpMethod",
  "version",
  "rawQueryString",
] as const;

/** A well-shaped event with one field missing or of the wrong type, or a duplicated query map. */
export const corruptedEvent = fc.oneof(
  fc
    .tuple(httpEventArbitrary, fc.constantFrom(...EVENT_FIELDS), fc.option(fc.anything(), { nil: undefined }))
    .map(([event, field, value]) => {
      const copy: Record<string, unknown> = { ...event };
      if (value === undefined) delete copy[field];
      else copy[field] = value;
      return copy;
    }),
  fc
    .tuple(httpEventArbitrary, fc.array(fc.string({ maxLength: 20 }), { maxLength: 4 }))
    .map(([event, values]) => ({
      ...event,
      multiValueQueryStringParameters: { challenge: values },
    })),
);

/** Anything at all, as if Lambda were invoked directly with a random payload. */
export const anyEvent = fc.anything({ withNullPrototype: true, withBigInt: false, maxDepth: 3 });
