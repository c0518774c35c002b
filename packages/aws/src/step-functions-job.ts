import {
  type BuildContext,
  COMPLETED_SUCCESS,
  type Declined,
  definePlugin,
  type ExecutionPlan,
  exactName,
  type JobEndPayload,
  type JobInstance,
  type JobMatcher,
  type SettingSpec,
  type SettingValues,
  type WebhookPlugin,
} from "@alma-webhooks/core";
import { stateMachineArnSetting } from "./arn.js";

/**
 * The setting keys of a Step Functions job plugin: its job name, its state machine ARN, and any of its own.
 *
 * @example
 * ```ts
 * const settings: SettingValues<StepFunctionsSettingKeys<"bucket">> = { jobName, stateMachineArn, bucket };
 * ```
 */
export type StepFunctionsSettingKeys<X extends string> = "jobName" | "stateMachineArn" | X;

/**
 * What {@link stepFunctionsJobPlugin} takes: only what is the pipeline's own.
 *
 * @example
 * ```ts
 * const definition: StepFunctionsJobPluginDefinition = {
 *   name: "BURSAR",
 *   jobName: { env: "ALMA_BURSAR_EXPORT_JOB_NAME", description: "Exact Bursar export job name" },
 *   recordCounters: ["com.exlibris.external.bursar.report.fines_fees_count"],
 *   executionNamePrefix: "bursar",
 *   input: (job) => ({ job_id: jobId(job) }),
 * };
 * ```
 */
export interface StepFunctionsJobPluginDefinition<X extends string = never> {
  /** Unique, upper case: labels the answer ("PPOD pipeline initiated"), logs and metrics. */
  readonly name: string;
  /** The setting holding the Alma job name (or prefix) the plugin claims; it activates the plugin. */
  readonly jobName: SettingSpec;
  /** How the job name setting claims jobs; default {@link exactName}. */
  readonly matcher?: (jobName: string) => JobMatcher;
  /** Counter types whose values add up to the number of exported records. */
  readonly recordCounters: readonly string[];
  /** Job statuses that may start the pipeline; default `["COMPLETED_SUCCESS"]`. */
  readonly acceptedStatuses?: readonly string[];
  /** Start of the execution names; the job's end time and id follow. */
  readonly executionNamePrefix:
    | string
    | ((job: JobInstance, settings: SettingValues<StepFunctionsSettingKeys<X>>) => string);
  /** The state machine input for a claimed, successful job with records; or {@link decline}. */
  input(
    job: JobInstance,
    context: BuildContext<StepFunctionsSettingKeys<X>, JobEndPayload>,
  ): ExecutionPlan["input"] | Declined;
  /** The state machine ARN setting; default `<NAME>_STATE_MACHINE_ARN`. */
  readonly stateMachineArn?: SettingSpec;
  /** Any further settings the input needs, by key. */
  readonly settings?: { readonly [P in X]: SettingSpec };
  /** Loads the sample webhook bodies (see core's `WebhookPlugin.samplePayloads`). */
  readonly samplePayloads?: () => Promise<readonly Readonly<Record<string, unknown>>[]>;
}

/**
 * Defines a job plugin that starts a Step Functions execution: the state machine ARN setting, the target and
 * the activating setting come by default, so a plugin states only its name, job name setting and matcher,
 * record counters, input and execution name prefix.
 *
 * @example
 * ```ts
 * export const bursarPlugin = stepFunctionsJobPlugin({
 *   name: "BURSAR",
 *   jobName: { env: "ALMA_BURSAR_EXPORT_JOB_NAME", description: "Exact Bursar export job name" },
 *   recordCounters: ["com.exlibris.external.bursar.report.fines_fees_count"],
 *   executionNamePrefix: "bursar",
 *   input: (job) => ({ job_id: jobId(job) }),
 * });
 * ```
 */
export function stepFunctionsJobPlugin<X extends string = never>(
  definition: StepFunctionsJobPluginDefinition<X>,
): WebhookPlugin<StepFunctionsSettingKeys<X>, JobEndPayload> {
  const { executionNamePrefix: prefix, input, matcher = exactName } = definition;
  const settings = {
    ...(definition.settings as { readonly [P in X]: SettingSpec }),
    jobName: definition.jobName,
    stateMachineArn:
      definition.stateMachineArn ?? stateMachineArnSetting(`${definition.name}_STATE_MACHINE_ARN`),
  } as { readonly [P in StepFunctionsSettingKeys<X>]: SettingSpec };
  return definePlugin<StepFunctionsSettingKeys<X>, "JOB_END">({
    name: definition.name,
    settings,
    activatedBy: "jobName",
    actions: ["JOB_END"],
    jobMatcher: (values) => matcher(values.jobName),
    exportedRecordCounters: definition.recordCounters,
    acceptedStatuses: definition.acceptedStatuses ?? [COMPLETED_SUCCESS],
    target: ({ stateMachineArn }) => stateMachineArn,
    buildExecution({ job_instance: job }, context) {
      const built = input(job, context);
      if ("declined" in built && typeof built.declined === "string") return built as Declined;
      const name = context.executionName(typeof prefix === "string" ? prefix : prefix(job, context.settings));
      return { input: built as ExecutionPlan["input"], name };
    },
    ...(definition.samplePayloads ? { samplePayloads: definition.samplePayloads } : {}),
  });
}
