import {
  decline,
  defineJobPlugin,
  executionName,
  jobEndDate,
  namePrefix,
  PUBLISHING_RECORD_COUNTERS,
  stateMachineArnSetting,
} from "@alma-webhooks/core";
import { jobEndPayload } from "@alma-webhooks/core/testing";

const JOB_NAME_PREFIX = "Publishing Platform Job TIMDEX EXPORT to Dev1";

// The run type becomes part of the execution name and the pipeline's S3 paths: a plain word only.
const PLAIN_WORD = /^[a-z0-9]{1,20}$/;

/**
 * Starts the TIMDEX ingest when one of Alma's TIMDEX export jobs (one per run type: Daily, Full) ends with
 * records. The run type is the last word of the job name.
 *
 * @example
 * ```ts
 * // ALMA_TIMDEX_EXPORT_JOB_NAME_PREFIX="Publishing Platform Job TIMDEX EXPORT to Dev1"
 * // job "Publishing Platform Job TIMDEX EXPORT to Dev1 DAILY" → run-type "daily"
 * const { active } = loadPlugins([timdexPlugin], process.env);
 * ```
 */
export const timdexPlugin = defineJobPlugin({
  name: "TIMDEX",
  // Keep equal to the peerDependencies range for core in package.json (make check-packages compares them).
  coreRange: "^0.1.0",
  settings: {
    jobNamePrefix: {
      env: "ALMA_TIMDEX_EXPORT_JOB_NAME_PREFIX",
      description: "TIMDEX export job name up to where it differs by run type (case-insensitive)",
      example: JOB_NAME_PREFIX,
    },
    stateMachineArn: stateMachineArnSetting(
      "TIMDEX_STATE_MACHINE_ARN",
      "ARN of the TIMDEX ingest state machine",
    ),
  },
  activatedBy: "jobNamePrefix",
  matcher: ({ jobNamePrefix }) => namePrefix(jobNamePrefix),
  exportedRecordCounters: PUBLISHING_RECORD_COUNTERS,
  target: ({ stateMachineArn }) => stateMachineArn,
  buildExecution: (job, { settings }) => {
    // The run type is the one word after the prefix ("… to Dev1 Daily" → daily): a name that is the
    // prefix alone, or runs on into the prefix's last word ("… to Dev10 Daily"), has none.
    const rest = job.name.trim().slice(settings.jobNamePrefix.trim().length);
    const runType = (/^\s+(\S+)$/.exec(rest)?.[1] ?? "").toLowerCase();
    if (!PLAIN_WORD.test(runType)) {
      return decline(
        `run type '${runType}' (the one word after the job name prefix) is not a plain word of up to 20 letters or digits`,
      );
    }
    return {
      input: {
        "next-step": "transform",
        "run-date": jobEndDate(job),
        "run-type": runType,
        source: "alma",
        verbose: "true",
      },
      name: executionName(`alma-${runType}-ingest`, job),
    };
  },
  samplePayloads: [
    jobEndPayload({ job_instance: { id: "6219373120004762", name: `${JOB_NAME_PREFIX} Daily` } }),
    jobEndPayload({ job_instance: { id: "6219373120004763", name: `${JOB_NAME_PREFIX} Full` } }),
  ],
});
