import type { WebhookPayload } from "./types.js";

/**
 * How old a webhook is, from its `time` (when Alma sent it) or, when that is absent, the job's `end_time`;
 * undefined when neither is a date-time the clock can compare.
 */
export function eventAge(
  payload: WebhookPayload,
  job: Readonly<Record<string, unknown>> | undefined,
  now: number,
): { readonly ms: number; readonly time: string } | undefined {
  const time = typeof payload.time === "string" ? payload.time : job?.end_time;
  if (typeof time !== "string") return undefined;
  const at = Date.parse(time);
  return Number.isNaN(at) ? undefined : { ms: now - at, time };
}
