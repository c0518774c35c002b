import { stepFunctionsJobPlugin } from "@alma-webhooks/aws";
import { jobId } from "@alma-webhooks/core";

const JOB_NAME = "Export to bursar using profile Bursar Export to Dev1";
const FINES_FEES_COUNT = "com.exlibris.external.bursar.report.fines_fees_count";

/**
 * Starts the Bursar transfer when Alma's Bursar export job ends having exported fines and fees.
 *
 * @example
 * ```ts
 * // ALMA_BURSAR_EXPORT_JOB_NAME="Export to bursar using profile Bursar Export to Dev1", BURSAR_STATE_MACHINE_ARN=arn:…
 * // input: {"job_id":"<job_instance.id>"}
 * const { active } = loadPlugins([bursarPlugin], process.env);
 * ```
 */
export const bursarPlugin = stepFunctionsJobPlugin({
  name: "BURSAR",
  jobName: {
    env: "ALMA_BURSAR_EXPORT_JOB_NAME",
    description: "Exact name of the Bursar export job in Alma (case-insensitive)",
    example: JOB_NAME,
  },
  recordCounters: [FINES_FEES_COUNT],
  executionNamePrefix: "bursar",
  input: (job) => ({ job_id: jobId(job) }),
  samplePayloads: () => import("./samples.js").then((module) => module.samples(JOB_NAME, FINES_FEES_COUNT)),
});
