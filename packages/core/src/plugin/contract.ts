import type { JobEndPayload, JobInstance, WebhookPayload } from "../payload/types.js";
import type { JobMatcher } from "./matchers.js";

/**
 * One setting a plugin reads from the environment, declared so that core can validate it and the shell
 * can document it and give it a local default.
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
  /** Whether the plugin runs without it (its value is then ""); default false. */
  readonly optional?: boolean;
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
 * What a plugin's `buildExecution` sees besides the job or event.
 *
 * @example
 * ```ts
 * buildExecution: (job, { settings, executionName }) => ({
 *   input: { bucket: settings.bucket, date: jobEndDate(job) },
 *   name: executionName("export"),
 * }),
 * ```
 */
export interface BuildContext<K extends string, P extends WebhookPayload = JobEndPayload> {
  readonly settings: SettingValues<K>;
  /** The runtime environment (`WORKSPACE`). */
  readonly workspace: string;
  /** The whole webhook body, for plugins that need more than `job_instance`. */
  readonly payload: P;
  /**
   * A deterministic execution name starting with `prefix`, made from the job's end time and id (or, without
   * an id, from a hash of the body's bytes): a redelivery gets the same name, so it never starts twice.
   */
  executionName(prefix: string): string;
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
 * const plan: ExecutionPlan = { input: { job_id: jobId(job) }, name: executionName("bursar") };
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
 * Declines a job from `buildExecution` (or a Step Functions plugin's `input`), with the reason that goes
 * into the log and the answer.
 *
 * @example
 * ```ts
 * if (!/^[a-z]+$/.test(runType)) return decline(`run type '${runType}' is not a plain word`);
 * ```
 */
export function decline(reason: string): Declined {
  return { declined: reason };
}

/** What every plugin declares, whatever it claims. */
interface PluginBase<K extends string> {
  /** Unique, upper case: labels the answer ("PPOD pipeline initiated"), logs and metrics. */
  readonly name: string;
  /** The settings the plugin reads, by key. */
  readonly settings: { readonly [P in K]: SettingSpec };
  /** The setting whose absence leaves the plugin inactive. */
  readonly activatedBy: NoInfer<K>;
  // Methods, not function properties: they stay bivariant, so a JobPlugin<"a" | "b"> is a JobPlugin<string>.
  /** The dispatcher's target (the state machine ARN), from the settings. */
  target(settings: SettingValues<K>): string;
  /**
   * The institutions (`institution.value`, e.g. `01MIT_INST`) whose webhooks the plugin acts on; all when
   * absent or undefined. For events other than JOB_END this is the environment gate.
   */
  institutions?(settings: SettingValues<K>): readonly string[] | undefined;
  /**
   * Webhook bodies, in the shape Alma sends, that start this pipeline under the `example` values of the
   * settings and `WORKSPACE=dev`: the local run's demo payloads, and fixtures for the plugin's own tests.
   */
  readonly samplePayloads?: readonly Readonly<Record<string, unknown>>[];
}

/**
 * A job plugin: one pipeline started when an Alma job ends (JOB_END). It claims jobs by name, says which
 * counters count as exported records, and builds the execution. Most are Step Functions pipelines: define
 * those with {@link stepFunctionsJobPlugin}; anything else with {@link defineJobPlugin}.
 *
 * @example
 * ```ts
 * const plugins: JobPlugin<string>[] = [podPlugin, timdexPlugin, bursarPlugin];
 * ```
 */
export interface JobPlugin<K extends string = string> extends PluginBase<K> {
  readonly kind: "job";
  /** Builds the matcher on the job name from the settings. */
  matcher(settings: SettingValues<K>): JobMatcher;
  /** Counter types whose values add up to the number of exported records. */
  readonly exportedRecordCounters: readonly string[];
  /** Job statuses that may start the pipeline; default `["COMPLETED_SUCCESS"]`. */
  readonly acceptedStatuses: readonly string[];
  /** Builds the execution for a claimed, successful job with records; or declines it. */
  buildExecution(job: JobInstance, context: BuildContext<K, JobEndPayload>): ExecutionPlan | Declined;
}

/**
 * An event plugin: one pipeline started by webhooks other than JOB_END (LOAN, REQUEST, USER, BIB, ITEM,
 * NOTIFICATION…). It claims actions and, optionally, event values (`LOAN_CREATED`) and a matcher on the
 * payload. Define one with {@link defineEventPlugin}.
 *
 * @example
 * ```ts
 * const plugins: WebhookPlugin<string>[] = [podPlugin, loanNoticePlugin];
 * ```
 */
export interface EventPlugin<K extends string = string> extends PluginBase<K> {
  readonly kind: "event";
  /** The webhook actions it claims, upper case: `["LOAN"]`. */
  readonly actions: readonly string[];
  /** The `event.value`s it claims (`["LOAN_CREATED", "LOAN_RENEWED"]`); every event of its actions when absent. */
  readonly events?: readonly string[];
  /** Narrows the claim further, on the payload; every payload of its actions and events when absent. */
  matches?(payload: WebhookPayload, settings: SettingValues<K>): boolean;
  /**
   * When it claims JOB_END: the jobs whose ends it claims, by name (every job of this environment when
   * absent). Like a job plugin's matcher it is built even when a setting is invalid, so a broken plugin is
   * answered 500 for its own jobs only. An event plugin is given a job's end whatever its status and counters.
   */
  jobMatcher?(settings: SettingValues<K>): JobMatcher;
  /** Builds the execution for a claimed event; or declines it. */
  buildExecution(payload: WebhookPayload, context: BuildContext<K, WebhookPayload>): ExecutionPlan | Declined;
}

/**
 * Any plugin the router takes.
 *
 * @example
 * ```ts
 * export const jobPlugins: readonly WebhookPlugin[] = [podPlugin, timdexPlugin, bursarPlugin];
 * ```
 */
export type WebhookPlugin<K extends string = string> = JobPlugin<K> | EventPlugin<K>;
