import type { JobEndPayload, JobInstance } from "./payload/types.js";
import type {
  BuildContext,
  Declined,
  ExecutionPlan,
  JobPlugin,
  SettingSpec,
  SettingValues,
} from "./plugin/contract.js";
import { defineJobPlugin } from "./plugin/define.js";
import { exactName, type JobMatcher } from "./plugin/matchers.js";

const STATE_MACHINE_ARN = /^arn:(aws[a-z-]*):states:([a-z0-9-]+):(\d{12}):stateMachine:([^:\s]{1,80})$/;

/**
 * Source of the pattern a Step Functions state machine ARN must match.
 *
 * @example
 * ```ts
 * new RegExp(STATE_MACHINE_ARN_PATTERN).test("arn:aws:states:us-east-1:123456789012:stateMachine:ppod"); // true
 * ```
 */
export const STATE_MACHINE_ARN_PATTERN =
  "^arn:aws[a-z-]*:states:[a-z0-9-]+:[0-9]{12}:stateMachine:[A-Za-z0-9_-]{1,80}$";

/**
 * Declares a setting that holds a Step Functions state machine ARN, validated as one.
 *
 * @example
 * ```ts
 * stepFunctionsJobPlugin({ ..., stateMachineArn: stateMachineArnSetting("PPOD_ARN", "ARN of the POD upload") });
 * ```
 */
export function stateMachineArnSetting(
  env: string,
  description = "ARN of the state machine to start",
): SettingSpec {
  return {
    env,
    description,
    pattern: STATE_MACHINE_ARN_PATTERN,
    patternHint: "a Step Functions state machine ARN (arn:aws:states:<region>:<account>:stateMachine:<name>)",
    example: "arn:aws:states:us-east-1:123456789012:stateMachine:example",
  };
}

/**
 * The ARN Step Functions gives the execution `name` of the (standard) state machine `stateMachineArn`, or
 * `undefined` when `stateMachineArn` is not a well-formed state machine ARN. The one place execution ARNs are
 * built: the Step Functions dispatcher, the local endpoint and the recording dispatcher all use it.
 *
 * @example
 * ```ts
 * executionArnFor("arn:aws:states:us-east-1:123456789012:stateMachine:ppod", "ppod-upload-1");
 * // "arn:aws:states:us-east-1:123456789012:execution:ppod:ppod-upload-1"
 * ```
 */
export function executionArnFor(stateMachineArn: string, name: string): string | undefined {
  const match = STATE_MACHINE_ARN.exec(stateMachineArn);
  if (!match) return undefined;
  const [, partition, region, account, stateMachineName] = match;
  return `arn:${partition}:states:${region}:${account}:execution:${stateMachineName}:${name}`;
}

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
  readonly samplePayloads?: readonly Readonly<Record<string, unknown>>[];
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
): JobPlugin<StepFunctionsSettingKeys<X>> {
  const { executionNamePrefix: prefix, input, matcher = exactName } = definition;
  const settings = {
    ...(definition.settings as { readonly [P in X]: SettingSpec }),
    jobName: definition.jobName,
    stateMachineArn:
      definition.stateMachineArn ?? stateMachineArnSetting(`${definition.name}_STATE_MACHINE_ARN`),
  } as { readonly [P in StepFunctionsSettingKeys<X>]: SettingSpec };
  return defineJobPlugin<StepFunctionsSettingKeys<X>>({
    name: definition.name,
    settings,
    activatedBy: "jobName",
    matcher: (values) => matcher(values.jobName),
    exportedRecordCounters: definition.recordCounters,
    ...(definition.acceptedStatuses ? { acceptedStatuses: definition.acceptedStatuses } : {}),
    target: ({ stateMachineArn }) => stateMachineArn,
    buildExecution(job, context) {
      const built = input(job, context);
      if ("declined" in built && typeof built.declined === "string") return built as Declined;
      const name = context.executionName(typeof prefix === "string" ? prefix : prefix(job, context.settings));
      return { input: built as ExecutionPlan["input"], name };
    },
    ...(definition.samplePayloads ? { samplePayloads: definition.samplePayloads } : {}),
  });
}
