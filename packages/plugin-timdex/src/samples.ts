// The plugin's sample webhook bodies, loaded only when asked for (the local run, the plugin's tests): a
// deployed function never loads them, nor the testing kit that builds them.
import { jobEndPayload } from "@alma-webhooks/core/testing";

/** A Daily and a Full TIMDEX export with records, their names starting with `prefix`. */
export const samples = (prefix: string) => [
  jobEndPayload({ job_instance: { id: "6219373120004762", name: `${prefix} Daily` } }),
  jobEndPayload({ job_instance: { id: "6219373120004763", name: `${prefix} Full` } }),
];
