import {
  defineJobPlugin,
  exactName,
  executionName,
  jobEndDate,
  PUBLISHING_RECORD_COUNTERS,
  stateMachineArnSetting,
} from "@alma-webhooks/core";
import { jobEndPayload } from "@alma-webhooks/core/testing";

const JOB_NAME = "Publishing Platform Job PPOD EXPORT to Dev1";

/**
 * Starts the POD (Platform for Open Data) upload when Alma's POD export job ends with records.
 *
 * @example
 * ```ts
 * // ALMA_POD_EXPORT_JOB_NAME="Publishing Platform Job PPOD EXPORT to Dev1"
 * // input: {"filename-prefix": "exlibris/pod/POD_ALMA_EXPORT_20241106"}
 * const { active } = loadPlugins([podPlugin], process.env);
 * ```
 */
export const podPlugin = defineJobPlugin({
  name: "PPOD",
  // Keep equal to the peerDependencies range for core in package.json (make check-packages compares them).
  coreRange: "^0.1.0",
  settings: {
    jobName: {
      env: "ALMA_POD_EXPORT_JOB_NAME",
      description: "Exact name of the POD export job in Alma (case-insensitive)",
      example: JOB_NAME,
    },
    stateMachineArn: stateMachineArnSetting("PPOD_STATE_MACHINE_ARN", "ARN of the POD upload state machine"),
  },
  activatedBy: "jobName",
  matcher: ({ jobName }) => exactName(jobName),
  exportedRecordCounters: PUBLISHING_RECORD_COUNTERS,
  target: ({ stateMachineArn }) => stateMachineArn,
  buildExecution: (job) => ({
    input: { "filename-prefix": `exlibris/pod/POD_ALMA_EXPORT_${jobEndDate(job, "")}` },
    name: executionName("ppod-upload", job),
  }),
  samplePayloads: [jobEndPayload({ job_instance: { name: JOB_NAME } })],
});
