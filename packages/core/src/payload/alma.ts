import type { JobInstance } from "./types.js";

/**
 * The counters a publishing-profile export reports; their sum is the number of records it exported.
 *
 * @example
 * ```ts
 * defineJobPlugin({ ..., exportedRecordCounters: PUBLISHING_RECORD_COUNTERS });
 * ```
 */
export const PUBLISHING_RECORD_COUNTERS: readonly string[] = Object.freeze([
  "label.new.records",
  "label.updated.records",
  "label.deleted.records",
]);

/**
 * The calendar date of the job's `end_time`, as Alma wrote it, with the given separator. Validation has
 * already checked that `end_time` starts with `YYYY-MM-DD`.
 *
 * @example
 * ```ts
 * jobEndDate({ end_time: "2024-11-06T14:43:10.585Z" });     // "2024-11-06"
 * jobEndDate({ end_time: "2024-11-06T14:43:10.585Z" }, ""); // "20241106"
 * ```
 */
export function jobEndDate(job: Pick<JobInstance, "end_time">, separator = "-"): string {
  return job.end_time.slice(0, 10).split("-").join(separator);
}
