import { stepFunctionsJobPlugin } from "@alma-webhooks/aws";
import {
  decline,
  type JobInstance,
  jobEndDate,
  namePrefix,
  PUBLISHING_RECORD_COUNTERS,
} from "@alma-webhooks/core";

const JOB_NAME_PREFIX = "Publishing Platform Job TIMDEX EXPORT to Dev1";

// The run type becomes part of the execution name and the pipeline's S3 paths: a plain ASCII word only,
// checked on the name as sent (before lowercasing, which maps the Kelvin sign to a plain "k").
const PLAIN_WORD = /^[A-Za-z0-9]{1,20}$/;

/** The one word after the prefix, as sent ("… to Dev1 Daily" → "Daily"), separated by ASCII spaces; "" when none. */
function wordAfter(job: JobInstance, prefix: string): string {
  const rest = job.name.replace(/^ +| +$/g, "").slice(prefix.trim().length);
  return /^ +([^ ]+)$/.exec(rest)?.[1] ?? "";
}

/**
 * Starts the TIMDEX ingest when one of Alma's TIMDEX export jobs (one per run type: Daily, Full) ends with
 * records. The run type is the last word of the job name; `ALMA_TIMDEX_RUN_TYPES` (optional, e.g.
 * `daily,full`) restricts which are accepted.
 *
 * @example
 * ```ts
 * // ALMA_TIMDEX_EXPORT_JOB_NAME_PREFIX="Publishing Platform Job TIMDEX EXPORT to Dev1"
 * // job "Publishing Platform Job TIMDEX EXPORT to Dev1 DAILY" → run-type "daily"
 * const { active } = loadPlugins([timdexPlugin], process.env);
 * ```
 */
export const timdexPlugin = stepFunctionsJobPlugin({
  name: "TIMDEX",
  jobName: {
    env: "ALMA_TIMDEX_EXPORT_JOB_NAME_PREFIX",
    description: "TIMDEX export job name up to where it differs by run type (case-insensitive)",
    example: JOB_NAME_PREFIX,
  },
  settings: {
    runTypes: {
      env: "ALMA_TIMDEX_RUN_TYPES",
      description: "Comma-separated run types accepted (e.g. daily,full); any plain word when unset",
      pattern: "^ *[A-Za-z0-9]{1,20}( *, *[A-Za-z0-9]{1,20})* *$",
      patternHint: "a comma-separated list of plain words, like daily,full",
      optional: true,
    },
  },
  matcher: namePrefix,
  recordCounters: PUBLISHING_RECORD_COUNTERS,
  executionNamePrefix: (job, { jobName }) => `alma-${wordAfter(job, jobName).toLowerCase()}-ingest`,
  input: (job, { settings }) => {
    const word = wordAfter(job, settings.jobName);
    if (!PLAIN_WORD.test(word)) {
      return decline(
        `run type '${word.toLowerCase()}' (the one word after the job name prefix) is not a plain word of up to 20 ASCII letters or digits`,
      );
    }
    const runType = word.toLowerCase();
    const allowed = settings.runTypes
      .toLowerCase()
      .split(",")
      .map((word) => word.trim())
      .filter(Boolean);
    if (allowed.length > 0 && !allowed.includes(runType)) {
      return decline(`run type '${runType}' is not one of ALMA_TIMDEX_RUN_TYPES (${allowed.join(", ")})`);
    }
    return {
      "next-step": "transform",
      "run-date": jobEndDate(job),
      "run-type": runType,
      source: "alma",
      verbose: "true",
    };
  },
  samplePayloads: () => import("./samples.js").then((module) => module.samples(JOB_NAME_PREFIX)),
});
