import { InvalidPayloadError } from "../errors.js";
import { type CompiledValidator, check } from "./refusal.js";
import * as compiled from "./step-validators.generated.js";
import type { AlmaCode, JobEndPayload, JobInstance, WebhookPayload } from "./types.js";

/**
 * The counters a publishing-profile export reports; their sum is the number of records it exported.
 *
 * @example
 * ```ts
 * stepFunctionsJobPlugin({ ..., recordCounters: PUBLISHING_RECORD_COUNTERS });
 * ```
 */
export const PUBLISHING_RECORD_COUNTERS: readonly string[] = Object.freeze([
  "label.new.records",
  "label.updated.records",
  "label.deleted.records",
]);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

// The steps of JOB_END routing, compiled ahead of time from schemas/job-end.schema.json (scripts/compile-schemas.mjs).
const steps = compiled as unknown as Readonly<Record<keyof typeof compiled, CompiledValidator>>;

/** `job_instance` with a name: what the environment gate and the matchers read first. */
export function checkJobEnd(payload: WebhookPayload): JobEndPayload {
  check(steps.jobEnd, payload, "");
  return payload as JobEndPayload;
}

/** `job_instance.status.value`: read once a plugin claims the job. */
export function jobStatus(job: JobInstance): string {
  const { status } = job;
  check(steps.status, status, "job_instance.status");
  // A bare string is <status>COMPLETED_SUCCESS</status> in XML without a desc.
  return typeof status === "string" ? status : (status as AlmaCode).value;
}

/**
 * Whether the counters named `types` add up to more than zero. Only those counters are read: Alma lists a
 * failed job's errors as counters with free-text types and values, which are not counts. Their values are
 * whole numbers written as strings, of any length (an exact sum is not needed: only zero or not).
 */
export function hasRecords(job: JobInstance, types: readonly string[]): boolean {
  const { counter } = job;
  check(steps.counters, counter, "job_instance.counter");
  let records = false;
  (counter as readonly unknown[]).forEach((entry, index) => {
    // The type is an Alma code, or its bare value in XML without a desc.
    const type = isObject(entry) ? (isObject(entry.type) ? entry.type.value : entry.type) : undefined;
    if (!isObject(entry) || typeof type !== "string" || !types.includes(type)) return;
    const { value } = entry;
    // The counter's type goes into the answer: the index alone is hard to find in a long list.
    check(steps.recordCount, value, `job_instance.counter[${index}].value`, `(${type})`);
    const count = typeof value === "string" ? value.trim() : String(value);
    if (/[1-9]/.test(count)) records = true;
  });
  return records;
}

/**
 * The shape `end_time` must have, with the parts read from it: the schema's pattern (schemas/job-end.schema.json,
 * `$defs/endTime`; a test keeps the two the same).
 */
export const DATE_TIME =
  /^\s*(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?(?:[Zz]|[+-]\d{2}(?::?\d{2})?)?\s*$/;

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The parts of `end_time`, checked: a real calendar date, and a real time of day when there is one. */
function endTimeOf(job: JobInstance): { date: string[]; time: string[] } {
  const value = job.end_time;
  const field = "job_instance.end_time";
  check(steps.endTime, value, field);
  const match = DATE_TIME.exec(value as string) as RegExpExecArray;
  const expected = "must be a date (2024-11-06) or an ISO 8601 date-time (2024-11-06T14:43:10.585Z)";
  const [year, month, day, hour = "00", minute = "00", second = "00"] = match.slice(1) as string[];
  const realDate = Number(month) >= 1 && Number(month) <= 12 && Number(day) >= 1;
  if (!realDate || Number(day) > daysIn(Number(year), Number(month))) {
    throw new InvalidPayloadError(field, `is not a real calendar date: ${expected}`);
  }
  // 24:00:00 is ISO 8601's end of the day; its calendar date is the one written.
  const endOfDay = hour === "24" && Number(minute) === 0 && Number(second) === 0;
  if ((Number(hour) > 23 && !endOfDay) || Number(minute) > 59 || Number(second) > 60) {
    throw new InvalidPayloadError(field, `is not a real time of day: ${expected}`);
  }
  return { date: [year, month, day] as string[], time: [hour, minute, second] };
}

/**
 * The calendar date of the job's `end_time`, as Alma wrote it (no time-zone conversion), with the given
 * separator. `end_time` may be a date or a date-time, with or without zone and fractions. A missing or
 * malformed `end_time` becomes a 400 answer naming it: call this only when the decision needs the date.
 *
 * @example
 * ```ts
 * jobEndDate({ name: "POD", end_time: "2024-11-06T14:43:10.585Z" });     // "2024-11-06"
 * jobEndDate({ name: "POD", end_time: "2023-08-15" }, "");               // "20230815"
 * ```
 */
export function jobEndDate(job: JobInstance, separator = "-"): string {
  return endTimeOf(job).date.join(separator);
}

/** `20241106T144310` from `end_time`, or undefined when it has none or a malformed one. */
export function compactEndTime(job: JobInstance): string | undefined {
  try {
    const { date, time } = endTimeOf(job);
    return `${date.join("")}T${time.join("")}`;
  } catch {
    return undefined;
  }
}

/**
 * The job instance's `id`, as a string. A missing or malformed `id` becomes a 400 answer naming it: call this
 * only when the pipeline's input needs the id.
 *
 * @example
 * ```ts
 * input: (job) => ({ job_id: jobId(job) })
 * ```
 */
export function jobId(job: JobInstance): string {
  const { id } = job;
  check(steps.jobId, id, "job_instance.id");
  return typeof id === "string" ? id : String(id);
}
