import { expect } from "chai";
import fc from "fast-check";
import { jobEndDate, jobId, readField } from "../src/index.js";
import { checkJobEnd, hasRecords, jobStatus } from "../src/payload/job-end.js";
import type { JobInstance, WebhookPayload } from "../src/payload/types.js";
import { legacy } from "./fixtures/legacy-payload-checks.js";

// The routing steps now validate with code compiled from core's JSON Schemas. Each must answer exactly as
// the hand-written check before it did (test/fixtures/legacy-payload-checks.ts): the same value, or the same
// 400 answer, word for word, so that no body that Alma sends is answered otherwise than before.

type Answer = { readonly value: unknown } | { readonly refused: string; readonly name: string };
const answerOf = (read: () => unknown): Answer => {
  try {
    return { value: read() };
  } catch (error) {
    return { refused: (error as Error).message, name: (error as Error).name };
  }
};

/**
 * A value a field may hold in a parsed body (JSON, or XML's strings), with the edges of each rule. Never
 * `undefined`, which no body holds: a missing field is a key that is not drawn.
 */
const edges = fc.constantFrom<unknown>(
  null,
  "",
  " ",
  "\u00a0",
  "\u2028",
  "\ufeff",
  "\t12\n",
  "0",
  "00000000000000000000",
  "99794729237036819979472923703681",
  "-3",
  "1.5",
  "1e3",
  "+1",
  "١٢",
  "twelve",
  0,
  -0,
  7,
  -7,
  1.5,
  2 ** 53 - 1,
  2 ** 53,
  -(2 ** 53),
  1e21,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  true,
  false,
  [],
  {},
  ["x"],
  { value: "COMPLETED_SUCCESS" },
  { value: " " },
  { value: null, desc: "x" },
  { desc: "x" },
  "COMPLETED_SUCCESS",
);
const anyValue = fc.oneof(edges, fc.jsonValue({ maxDepth: 2 }), fc.string({ unit: "grapheme-composite" }));

/** An end_time: real and unreal dates and times, in every shape the pattern allows, and others. */
const two = fc.integer({ min: 0, max: 99 }).map((n) => String(n).padStart(2, "0"));
const endTime = fc.oneof(
  anyValue,
  fc
    .tuple(
      fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, "0")),
      two,
      two,
      fc.option(fc.tuple(fc.constantFrom("T", "t", " ", "_"), two, two, fc.option(two), fc.boolean())),
      fc.constantFrom("", "Z", "z", "+05:00", "-0130", "+05", "+5", "Q"),
      fc.constantFrom("", " ", "\n", "x"),
    )
    .map(([year, month, day, time, zone, pad]) => {
      const clock = time
        ? `${time[0]}${time[1]}:${time[2]}${time[3] ? `:${time[3]}${time[4] ? ".585" : ""}` : ""}`
        : "";
      return `${pad}${year}-${month}-${day}${clock}${zone}${pad}`;
    }),
);

/** An object with some of the keys, each with any value: a missing key is one not drawn. */
const someOf = (keys: Record<string, fc.Arbitrary<unknown>>) =>
  fc.record(keys, { requiredKeys: [] }) as fc.Arbitrary<Record<string, unknown>>;

const RECORDS = ["label.new.records", "label.updated.records"] as const;
const counterType = fc.oneof(
  fc.constantFrom(...RECORDS, "label.deleted.records", "FTP has failed."),
  anyValue,
);
const counterEntry = fc.oneof(
  someOf({
    type: fc.oneof(counterType, someOf({ value: counterType, desc: anyValue })),
    value: anyValue,
  }),
  anyValue,
);
const counters = fc.oneof(anyValue, fc.array(counterEntry, { maxLength: 6 }));

const job = (fields: Record<string, unknown>): JobInstance => ({ name: "A job", ...fields }) as JobInstance;
const RUNS = { numRuns: 2000 };

describe("the routing steps compiled from the JSON Schemas", () => {
  it("checkJobEnd answers as before: job_instance, then its name", () => {
    const instance = fc.oneof(anyValue, someOf({ name: anyValue, status: anyValue }));
    fc.assert(
      fc.property(someOf({ job_instance: instance }), (fields) => {
        const payload = { action: "JOB_END", ...fields } as WebhookPayload;
        expect(answerOf(() => checkJobEnd(payload))).to.deep.equal(
          answerOf(() => legacy.checkJobEnd(payload)),
        );
      }),
      RUNS,
    );
  });

  it("jobStatus answers as before: an object with a non-blank value, or a bare non-blank string", () => {
    const status = fc.oneof(anyValue, someOf({ value: anyValue, desc: anyValue }));
    fc.assert(
      fc.property(someOf({ status }), (fields) => {
        expect(answerOf(() => jobStatus(job(fields)))).to.deep.equal(
          answerOf(() => legacy.jobStatus(job(fields))),
        );
      }),
      RUNS,
    );
  });

  it("hasRecords answers as before: a list, and whole numbers in the named counters only", () => {
    fc.assert(
      fc.property(someOf({ counter: counters }), (fields) => {
        expect(answerOf(() => hasRecords(job(fields), RECORDS))).to.deep.equal(
          answerOf(() => legacy.hasRecords(job(fields), RECORDS)),
        );
      }),
      RUNS,
    );
  });

  it("jobEndDate and the execution name's time answer as before", () => {
    fc.assert(
      fc.property(someOf({ end_time: endTime }), fc.constantFrom("-", ""), (fields, separator) => {
        expect(answerOf(() => jobEndDate(job(fields), separator))).to.deep.equal(
          answerOf(() => legacy.jobEndDate(job(fields), separator)),
        );
      }),
      RUNS,
    );
  });

  it("jobId answers as before", () => {
    fc.assert(
      fc.property(someOf({ id: anyValue }), (fields) => {
        expect(answerOf(() => jobId(job(fields)))).to.deep.equal(answerOf(() => legacy.jobId(job(fields))));
      }),
      RUNS,
    );
  });

  it("readField answers as before, whatever the path", () => {
    const record = fc.oneof(
      anyValue,
      someOf({ loan_id: anyValue, user: fc.oneof(anyValue, someOf({ id: anyValue })) }),
    );
    const path = fc.constantFrom(
      "item_loan",
      "item_loan.loan_id",
      "item_loan.user.id",
      "item_loan.user.id.x",
    );
    fc.assert(
      fc.property(someOf({ item_loan: record }), path, (fields, at) => {
        const payload = { action: "LOAN", ...fields } as WebhookPayload;
        expect(answerOf(() => readField(payload, at))).to.deep.equal(
          answerOf(() => legacy.readField(payload, at)),
        );
      }),
      RUNS,
    );
  });
});
