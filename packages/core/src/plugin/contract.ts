import type { JobEndPayload, JobInstance } from "../payload/types.js";
import type { JobMatcher } from "./matchers.js";

/**
 * One setting a plugin reads from the environment, declared so that core can validate it and the shell
 * can document it.
 *
 * @example
 * ```ts
 * const jobName: SettingSpec = { env: "ALMA_POD_EXPORT_JOB_NAME", description: "Exact POD export job name" };
 * ```
 */
export interface SettingSpec {
  /** The environment variable it is read from. */
  readonly env: string;
  /** One line for the README and error messages. */
  readonly description: string;
  /** A regular expression (source text) the value must match. */
  readonly pattern?: string;
  /** What the pattern means, for error messages: "a Step Functions state machine ARN". */
  readonly patternHint?: string;
  /** A value shown in docs and used by the local run. */
  readonly example?: string;
}

/**
 * A plugin's settings, by the keys it declared, as read from the environment.
 *
 * @example
 * ```ts
 * const settings: SettingValues<"jobName" | "stateMachineArn"> = { jobName: "PPOD Export to Dev1", stateMachineArn: arn };
 * ```
 */
export type SettingValues<K extends string> = Readonly<Record<K, string>>;

/**
 * What a plugin's `buildExecution` sees besides the job.
 *
 * @example
 * ```ts
 * buildExecution: (job, { settings, workspace }) => ({
 *   input: { job_id: job.id, bucket: settings.bucket, env: workspace },
 *   name: executionName("export", job),
 * }),
 * ```
 */
export interface BuildContext<K extends string> {
  readonly settings: SettingValues<K>;
  /** The runtime environment (`WORKSPACE`). */
  readonly workspace: string;
  /** The whole validated webhook body, for plugins that need more than `job_instance`. */
  readonly payload: JobEndPayload;
}

/**
 * A JSON value: what a state machine input may hold.
 *
 * @example
 * ```ts
 * const input: JsonValue = { "run-date": "2024-11-06", verbose: true, steps: ["extract", "transform"] };
 * ```
 */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/**
 * The execution a plugin asks for: the state machine input and a deterministic execution name.
 *
 * @example
 * ```ts
 * const plan: ExecutionPlan = { input: { job_id: job.id }, name: executionName("bursar", job) };
 * ```
 */
export interface ExecutionPlan {
  readonly input: { readonly [key: string]: JsonValue };
  readonly name: string;
}

/**
 * A plugin's answer when it claims a job but, on reflection, will not start anything for it. Make one with
 * {@link decline}.
 *
 * @example
 * ```ts
 * const result = plugin.buildExecution(job, context);
 * if ("declined" in result) logger.info(`declined: ${result.declined}`);
 * ```
 */
export interface Declined {
  readonly declined: string;
}

/**
 * Declines a job from `buildExecution`, with the reason that goes into the log and the answer.
 *
 * @example
 * ```ts
 * if (!/^[a-z]+$/.test(runType)) return decline(`run type '${runType}' is not a plain word`);
 * ```
 */
export function decline(reason: string): Declined {
  return { declined: reason };
}

/**
 * A job plugin: one pipeline. It claims Alma jobs by name, says which counters count as exported records,
 * and builds the state machine input and execution name. Define one with {@link defineJobPlugin}.
 *
 * @example
 * ```ts
 * export const bursarPlugin = defineJobPlugin({
 *   name: "BURSAR",
 *   coreRange: "^0.1.0",
 *   settings: {
 *     jobName: { env: "ALMA_BURSAR_EXPORT_JOB_NAME", description: "Exact Bursar export job name" },
 *     stateMachineArn: stateMachineArnSetting("BURSAR_STATE_MACHINE_ARN"),
 *   },
 *   activatedBy: "jobName",
 *   matcher: ({ jobName }) => exactName(jobName),
 *   exportedRecordCounters: ["com.exlibris.external.bursar.report.fines_fees_count"],
 *   target: ({ stateMachineArn }) => stateMachineArn,
 *   buildExecution: (job) => ({ input: { job_id: job.id }, name: executionName("bursar", job) }),
 * });
 * ```
 */
export interface JobPlugin<K extends string = string> {
  /** Unique, upper case: labels the answer ("PPOD pipeline initiated"), logs and executions. */
  readonly name: string;
  /**
   * The versions of `@alma-webhooks/core` the plugin works with, in npm's range syntax (`^0.1.0`,
   * `>=0.1.0 <0.3.0`); keep it equal to the plugin package's `peerDependencies` range for core. Registering
   * the plugin with a core outside it throws {@link IncompatiblePluginError}. Optional: a plugin without it
   * is assumed compatible, but every published plugin should declare it.
   */
  readonly coreRange?: string;
  /** The settings the plugin reads, by key. */
  readonly settings: { readonly [P in K]: SettingSpec };
  /** The setting whose absence leaves the plugin inactive (its job name). */
  readonly activatedBy: NoInfer<K>;
  // Methods, not function properties: they stay bivariant, so a JobPlugin<"a" | "b"> is a JobPlugin<string>.
  /** Builds the matcher from the settings. */
  matcher(settings: SettingValues<K>): JobMatcher;
  /** Counter types whose values add up to the number of exported records. */
  readonly exportedRecordCounters: readonly string[];
  /** Job statuses that may start the pipeline; default `["COMPLETED_SUCCESS"]`. */
  readonly acceptedStatuses: readonly string[];
  /** The dispatcher's target (the state machine ARN), from the settings. */
  target(settings: SettingValues<K>): string;
  /** Builds the execution for a claimed, successful job with records; or declines it. */
  buildExecution(job: JobInstance, context: BuildContext<K>): ExecutionPlan | Declined;
  /**
   * Webhook bodies, in the shape Alma sends, that start this pipeline under the `example` values of the
   * settings and `WORKSPACE=dev`: the local run's demo payloads, and fixtures for the plugin's own tests.
   */
  readonly samplePayloads?: readonly Readonly<Record<string, unknown>>[];
}

/**
 * What {@link defineJobPlugin} takes: a {@link JobPlugin} whose `acceptedStatuses` may be left out.
 *
 * @example
 * ```ts
 * const definition: JobPluginDefinition<"jobName" | "stateMachineArn"> = { name: "BURSAR", ... };
 * export const bursarPlugin = defineJobPlugin(definition);
 * ```
 */
export type JobPluginDefinition<K extends string> = Omit<JobPlugin<K>, "acceptedStatuses"> & {
  readonly acceptedStatuses?: readonly string[];
};
