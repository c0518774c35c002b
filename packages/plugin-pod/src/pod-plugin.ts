import { stepFunctionsJobPlugin } from "@alma-webhooks/aws";
import { jobEndDate, PUBLISHING_RECORD_COUNTERS } from "@alma-webhooks/core";

const JOB_NAME = "Publishing Platform Job PPOD EXPORT to Dev1";

/**
 * Starts the POD (Platform for Open Data) upload when Alma's POD export job ends with records.
 *
 * @example
 * ```ts
 * // ALMA_POD_EXPORT_JOB_NAME="Publishing Platform Job PPOD EXPORT to Dev1", PPOD_STATE_MACHINE_ARN=arn:…
 * // input: {"filename-prefix":"exlibris/pod/POD_ALMA_EXPORT_20241106"}
 * const { active } = loadPlugins([podPlugin], process.env);
 * ```
 */
export const podPlugin = stepFunctionsJobPlugin({
  name: "PPOD",
  jobName: {
    env: "ALMA_POD_EXPORT_JOB_NAME",
    description: "Exact name of the POD export job in Alma (case-insensitive)",
    example: JOB_NAME,
  },
  recordCounters: PUBLISHING_RECORD_COUNTERS,
  executionNamePrefix: "ppod-upload",
  input: (job) => ({ "filename-prefix": `exlibris/pod/POD_ALMA_EXPORT_${jobEndDate(job, "")}` }),
  samplePayloads: () => import("./samples.js").then((module) => module.samples(JOB_NAME)),
});
