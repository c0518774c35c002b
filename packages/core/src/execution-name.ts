import { createHash } from "node:crypto";
import type { JobInstance } from "./payload/types.js";

/**
 * Step Functions' limit on execution names.
 *
 * @example
 * ```ts
 * executionName("bursar", job).length <= EXECUTION_NAME_MAX_LENGTH; // always true
 * ```
 */
export const EXECUTION_NAME_MAX_LENGTH = 80;

const ALLOWED = /^[0-9A-Za-z_-]+$/;
const HASH_LENGTH = 22; // 132 bits of SHA-256, base64url: only characters Step Functions allows.

/** `2024-11-06T14:43:10.585Z` → `20241106T144310`: the end time as name-safe digits. */
function compactTime(endTime: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(endTime);
  return match ? `${match.slice(1, 4).join("")}T${match.slice(4, 6).join("")}${match[6] ?? "00"}` : "notime";
}

/**
 * Builds a deterministic Step Functions execution name from a prefix and the Alma job itself (its end time
 * and id), never from the clock: a redelivered webhook gets the same name, so Step Functions refuses to
 * start the pipeline twice. The name always obeys Step Functions' rules (at most 80 characters of
 * `[0-9A-Za-z_-]`): when the plain form would not, the job part becomes a hash of the job's facts, which
 * keeps names of different jobs different.
 *
 * @example
 * ```ts
 * executionName("ppod-upload", { id: "6219373120004761", end_time: "2024-11-06T14:43:10.585Z" });
 * // "ppod-upload-20241106T144310-6219373120004761"
 * ```
 */
export function executionName(prefix: string, job: Pick<JobInstance, "id" | "end_time">): string {
  const head = prefix.replace(/-+$/, "").replace(/[^0-9A-Za-z_-]/g, "_") || "execution";
  const time = compactTime(job.end_time);
  const plain = `${head}-${time}-${job.id}`;
  if (
    plain.length <= EXECUTION_NAME_MAX_LENGTH &&
    ALLOWED.test(plain) &&
    head === prefix.replace(/-+$/, "")
  ) {
    return plain;
  }
  const hash = createHash("sha256").update(`${prefix}\n${job.end_time}\n${job.id}`).digest("base64url");
  const room = EXECUTION_NAME_MAX_LENGTH - time.length - HASH_LENGTH - 2;
  return `${head.slice(0, room)}-${time}-${hash.slice(0, HASH_LENGTH)}`;
}
