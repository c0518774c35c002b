import { stepFunctionsJobPlugin } from "@alma-webhooks/aws";
import { exactName, jobId, PUBLISHING_RECORD_COUNTERS } from "@alma-webhooks/core";

// TODO: the export job's name in Alma's dev environment. It ends in "to Dev1" so that the environment gate
// lets it through under WORKSPACE=dev: the local run (`make run`) and the sample payloads use it.
const JOB_NAME = "TEMPLATE_NAME Export to Dev1";

/**
 * Starts the TEMPLATE_NAME pipeline when Alma's TEMPLATE_NAME export job ends having exported records.
 *
 * @example
 * ```ts
 * // ALMA_TEMPLATE_NAME_EXPORT_JOB_NAME="TEMPLATE_NAME Export to Dev1", TEMPLATE_NAME_STATE_MACHINE_ARN=arn:…
 * // input: {"job_id":"<job_instance.id>"}
 * const { active } = loadPlugins([template_namePlugin], process.env);
 * ```
 */
export const template_namePlugin = stepFunctionsJobPlugin({
  name: "TEMPLATE_NAME",
  jobName: {
    env: "ALMA_TEMPLATE_NAME_EXPORT_JOB_NAME",
    description: "Exact name of the TEMPLATE_NAME export job in Alma (case-insensitive)",
    example: JOB_NAME,
  },
  matcher: exactName,
  // TODO: the counters whose sum is the number of exported records; zero starts nothing.
  recordCounters: PUBLISHING_RECORD_COUNTERS,
  executionNamePrefix: "template_name",
  // TODO: what the state machine needs.
  input: (job) => ({ job_id: jobId(job) }),
  samplePayloads: () => import("./samples.js").then((module) => module.samples(JOB_NAME)),
});
