import { InvalidPayloadError } from "../errors.js";
import type { JobEndPayload, JobInstance, WebhookPayload } from "./types.js";

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

const isText = (value: unknown): value is string => typeof value === "string" && value.trim() !== "";

/** `job_instance` with a name: what the environment gate and the matchers read first. */
export function checkJobEnd(payload: WebhookPayload): JobEndPayload {
  const job = payload.job_instance;
  if (job === undefined || job === null) throw new InvalidPayloadError("job_instance", "is required");
  if (!isObject(job)) throw new InvalidPayloadError("job_instance", "must be an object");
  if (!("name" in job)) throw new InvalidPayloadError("job_instance.name", "is required");
  // Any string: an empty name contains no environment, so the gate answers it, as the previous deployment did.
  if (typeof job.name !== "string") throw new InvalidPayloadError("job_instance.name", "must be a string");
  return payload as JobEndPayload;
}

/** An Alma code's value: `{ value, desc }`, or the bare value an XML element without attributes gives. */
const codeValue = (code: unknown): unknown => (isObject(code) ? code.value : code);

/** `job_instance.status.value`: read once a plugin claims the job. */
export function jobStatus(job: JobInstance): string {
  const { status } = job;
  if (isText(status)) return status; // <status>COMPLETED_SUCCESS</status> in XML without a desc
  if (status === undefined || status === null)
    throw new InvalidPayloadError("job_instance.status", "is required");
  if (!isObject(status))
    throw new InvalidPayloadError("job_instance.status", "must be an object with a 'value'");
  if (!isText(status.value)) {
    throw new InvalidPayloadError("job_instance.status.value", "must be a non-empty string");
  }
  return status.value;
}

const WHOLE_NUMBER = /^\s*\d+\s*$/;

/**
 * Whether the counters named `types` add up to more than zero. Only those counters are read: Alma lists a
 * failed job's errors as counters with free-text types and values, which are not counts. Their values are
 * whole numbers written as strings, of any length (an exact sum is not needed: only zero or not).
 */
export function hasRecords(job: JobInstance, types: readonly string[]): boolean {
  const { counter } = job;
  if (counter === undefined || counter === null)
    throw new InvalidPayloadError("job_instance.counter", "is required");
  if (!Array.isArray(counter)) throw new InvalidPayloadError("job_instance.counter", "must be an array");
  let records = false;
  counter.forEach((entry: unknown, index) => {
    const type = isObject(entry) ? codeValue(entry.type) : undefined;
    if (!isObject(entry) || typeof type !== "string" || !types.includes(type)) return;
    const { value } = entry;
    const count =
      typeof value === "string" && WHOLE_NUMBER.test(value)
        ? value.trim()
        : Number.isSafeInteger(value) && (value as number) >= 0
          ? String(value)
          : undefined;
    if (count === undefined) {
      throw new InvalidPayloadError(
        `job_instance.counter[${index}].value`,
        `(${type}) must be a whole number written as a string, like "12"`,
      );
    }
    if (/[1-9]/.test(count)) records = true;
  });
  return records;
}

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?(?:[Zz]|[+-]\d{2}(?::?\d{2})?)?$/;

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The parts of `end_time`, checked: a real calendar date, and a real time of day when there is one. */
function endTimeOf(job: JobInstance): { date: string[]; time: string[] } {
  const value = job.end_time;
  const field = "job_instance.end_time";
  if (value === undefined || value === null) throw new InvalidPayloadError(field, "is required");
  const match = typeof value === "string" ? DATE_TIME.exec(value.trim()) : null;
  const expected = "must be a date (2024-11-06) or an ISO 8601 date-time (2024-11-06T14:43:10.585Z)";
  if (!match) throw new InvalidPayloadError(field, expected);
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
  if (id === undefined || id === null) throw new InvalidPayloadError("job_instance.id", "is required");
  if (isText(id)) return id;
  if (Number.isSafeInteger(id)) return String(id);
  throw new InvalidPayloadError("job_instance.id", "must be a non-empty string");
}
