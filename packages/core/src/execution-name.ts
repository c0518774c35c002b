import { createHash } from "node:crypto";
import { compactEndTime } from "./payload/job-end.js";
import type { JobInstance } from "./payload/types.js";

const MAX_LENGTH = 80; // The longest name AWS pipelines accept, and so the portable limit.
const ALLOWED = /^[0-9A-Za-z_-]+$/;
const HASH_LENGTH = 22; // 132 bits of SHA-256, base64url: only characters every target allows.

const hash = (data: string | Buffer): string =>
  createHash("sha256").update(data).digest("base64url").slice(0, HASH_LENGTH);

/**
 * A deterministic execution name from a prefix and the Alma job itself, never from the clock: a
 * redelivered webhook gets the same name, so a target that de-duplicates by name never acts twice. The job
 * part is its end time and id; a body without an `id` is named by a hash of its bytes instead, so a
 * redelivery of the same bytes still gets the same name. The name always obeys the portable rules (at
 * most 80 characters of `[0-9A-Za-z_-]`): when the plain form would not, the id becomes a hash too.
 */
export function executionName(prefix: string, job: JobInstance, body: Buffer): string {
  const clean = prefix.replace(/-+$/, "");
  const head = clean.replace(/[^0-9A-Za-z_-]/g, "_") || "execution";
  const time = compactEndTime(job) ?? "notime";
  const id = typeof job.id === "string" || Number.isSafeInteger(job.id) ? String(job.id) : undefined;
  if (id === undefined)
    return `${head.slice(0, MAX_LENGTH - time.length - HASH_LENGTH - 2)}-${time}-${hash(body)}`;
  const plain = `${head}-${time}-${id}`;
  if (plain.length <= MAX_LENGTH && ALLOWED.test(plain) && head === clean) return plain;
  const room = MAX_LENGTH - time.length - HASH_LENGTH - 2;
  return `${head.slice(0, room)}-${time}-${hash(`${prefix}\n${String(job.end_time)}\n${id}`)}`;
}
