// The plugin's sample webhook bodies, loaded only when asked for (the local run, the plugin's tests): a
// deployed function never loads them, nor the testing kit that builds them.
import { jobEndPayload } from "@alma-webhooks/core/testing";

/** A successful POD export with records, named `jobName`. */
export const samples = (jobName: string) => [jobEndPayload({ job_instance: { name: jobName } })];
