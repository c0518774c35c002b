import { defineJobPlugin, exactName, executionName, stateMachineArnSetting } from "@alma-webhooks/core";
import { counter, jobEndPayload } from "@alma-webhooks/core/testing";

const JOB_NAME = "Export to bursar using profile Bursar Export to Dev1";
const FINES_FEES_COUNT = "com.exlibris.external.bursar.report.fines_fees_count";

/**
 * Starts the Bursar transfer when Alma's Bursar export job ends having exported fines and fees.
 *
 * @example
 * ```ts
 * // ALMA_BURSAR_EXPORT_JOB_NAME="Export to bursar using profile Bursar Export to Dev1"
 * // input: {"job_id": "<job_instance.id>"}
 * const { active } = loadPlugins([bursarPlugin], process.env);
 * ```
 */
export const bursarPlugin = defineJobPlugin({
  name: "BURSAR",
  // Keep equal to the peerDependencies range for core in package.json (make check-packages compares them).
  coreRange: "^0.1.0",
  settings: {
    jobName: {
      env: "ALMA_BURSAR_EXPORT_JOB_NAME",
      description: "Exact name of the Bursar export job in Alma (case-insensitive)",
      example: JOB_NAME,
    },
    stateMachineArn: stateMachineArnSetting(
      "BURSAR_STATE_MACHINE_ARN",
      "ARN of the Bursar transfer state machine",
    ),
  },
  activatedBy: "jobName",
  matcher: ({ jobName }) => exactName(jobName),
  exportedRecordCounters: [FINES_FEES_COUNT],
  target: ({ stateMachineArn }) => stateMachineArn,
  buildExecution: (job) => ({ input: { job_id: job.id }, name: executionName("bursar", job) }),
  samplePayloads: [
    jobEndPayload({
      job_instance: {
        id: "7019873450004761",
        name: JOB_NAME,
        counter: [counter(FINES_FEES_COUNT, 42, "Fines and fees exported")],
      },
    }),
  ],
});
