import { defineJobPlugin, exactName, executionName, stateMachineArnSetting } from "@alma-webhooks/core";

/**
 * Starts the __NAME__ pipeline when Alma's __NAME__ export job ends having exported records.
 *
 * @example
 * ```ts
 * // ALMA___NAME___EXPORT_JOB_NAME="__NAME__ Export to Dev1"
 * // input: {"job_id": "<job_instance.id>"}
 * const { active } = loadPlugins([__name__Plugin], process.env);
 * ```
 */
export const __name__Plugin = defineJobPlugin({
  name: "__NAME__",
  // Keep equal to the peerDependencies range for core in package.json (make check-packages compares them).
  coreRange: "__CORE_RANGE__",
  settings: {
    jobName: {
      env: "ALMA___NAME___EXPORT_JOB_NAME",
      description: "Exact name of the __NAME__ export job in Alma (case-insensitive)",
      example: "__NAME__ Export to Dev1",
    },
    stateMachineArn: stateMachineArnSetting(
      "__NAME___STATE_MACHINE_ARN",
      "ARN of the __NAME__ state machine",
    ),
  },
  activatedBy: "jobName",
  matcher: ({ jobName }) => exactName(jobName),
  // The Alma counters whose sum is the number of exported records; zero starts nothing.
  exportedRecordCounters: ["label.new.records", "label.updated.records", "label.deleted.records"],
  target: ({ stateMachineArn }) => stateMachineArn,
  buildExecution: (job) => ({ input: { job_id: job.id }, name: executionName("__name__", job) }),
});
