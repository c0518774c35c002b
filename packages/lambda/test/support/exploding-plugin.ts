import { definePlugin, exactName } from "@alma-webhooks/core";

export const EXPLODING_JOB = "Exploding export to Dev1";

/** A plugin with a bug: its builder throws, which must become a 500 and an error report. */
export const explodingPlugin = definePlugin({
  actions: ["JOB_END"],
  acceptedStatuses: ["COMPLETED_SUCCESS"],
  name: "EXPLODING",
  settings: { jobName: { env: "EXPLODING_JOB_NAME", description: "job" } },
  activatedBy: "jobName",
  jobMatcher: ({ jobName }) => exactName(jobName),
  exportedRecordCounters: ["label.new.records"],
  target: () => "arn:aws:states:us-east-1:123456789012:stateMachine:exploding",
  buildExecution: () => {
    throw new Error("induced failure for the error-tracker test");
  },
});
