import type { JobEndPayload, WebhookPayload } from "../payload/types.js";
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
  /** What the pattern means, for error messages: "a queue URL". */
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
  /** The runtime environment (`WORKSPACE`); `""` when the router has no environment gate. */
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
 * A JSON value: what a dispatched input may hold. An optional field (`undefined`) is left out, as
 * `JSON.stringify` leaves it out.
 *
 * @example
 * ```ts
 * const input: JsonValue = { "run-date": "2024-11-06", verbose: true, steps: ["extract", "transform"], note: null };
 * ```
 */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue | undefined };

/**
 * The execution a plugin asks for: the input to dispatch and a deterministic execution name.
 *
 * @example
 * ```ts
 * const plan: ExecutionPlan = { input: { job_id: jobId(job) }, name: executionName("bursar") };
 * const forward: ExecutionPlan = { input: payload, name: executionName("loan") }; // a LoanPayload, no cast
 * ```
 */
export interface ExecutionPlan {
  /**
   * The input: an object (a {@link JsonValue} object, or a typed payload such as `LoanPayload` as it is),
   * serialised with `JSON.stringify` for the dispatcher.
   */
  readonly input: object;
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
 * Declines a webhook from `buildExecution` (or a preset's `input`), with the reason that goes
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

/**
 * A plugin: what it claims (webhook actions, and for JOB_END which jobs, statuses and counters), the
 * settings it reads, where it dispatches and what. Whether it acts on job ends or on other webhooks is its
 * `actions`, nothing else. Define one with {@link definePlugin}, or a preset built on it (a Step Functions
 * job in `@alma-webhooks/aws`, {@link forwardPlugin}).
 *
 * @example
 * ```ts
 * export const plugins: readonly WebhookPlugin[] = [podPlugin, timdexPlugin, bursarPlugin];
 * ```
 */
export interface WebhookPlugin<K extends string = string, P extends WebhookPayload = WebhookPayload> {
  /** Unique, upper case: labels the answer ("PPOD pipeline initiated"), logs and metrics. */
  readonly name: string;
  /** The settings the plugin reads, by key. */
  readonly settings: { readonly [S in K]: SettingSpec };
  /** The setting whose absence leaves the plugin inactive. */
  readonly activatedBy: NoInfer<K>;
  /** The webhook actions it acts on, upper case: `["JOB_END"]` for the end of an Alma job, `["LOAN"]`, … */
  readonly actions: readonly string[];
  /** The `event.value`s it claims (`["LOAN_CREATED"]`); every event of its actions when absent. */
  readonly events?: readonly string[];
  // Methods, not function properties: they stay bivariant, so a WebhookPlugin<"a" | "b"> is a WebhookPlugin<string>.
  /**
   * For JOB_END: the jobs it claims, by name; every job of this environment when absent. Built even when a
   * setting is invalid, so a broken plugin is answered 500 for its own jobs only.
   */
  jobMatcher?(settings: SettingValues<K>): JobMatcher;
  /** For JOB_END: the job statuses that may start it (`["COMPLETED_SUCCESS"]`); any status when absent. */
  readonly acceptedStatuses?: readonly string[];
  /** For JOB_END: counter types whose values must add up to more than zero; not read when absent. */
  readonly exportedRecordCounters?: readonly string[];
  /** Narrows the claim further, on the payload; every payload of its actions and events when absent. */
  matches?(payload: P, settings: SettingValues<K>): boolean;
  /** The dispatcher's target (where a pipeline starts, a queue, a bus, a handler), from the settings. */
  target(settings: SettingValues<K>): string;
  /**
   * The institutions (`institution.value`, e.g. `01MIT_INST`) whose webhooks the plugin acts on; all when
   * absent or undefined. For events other than JOB_END this is the environment gate.
   */
  institutions?(settings: SettingValues<K>): readonly string[] | undefined;
  /**
   * Loads webhook bodies, in the shape Alma sends, that it acts on under the `example` values of the settings
   * and `WORKSPACE=dev`: the local run's demo payloads, and fixtures for the plugin's own tests. A loader, so
   * that the samples (and the testing kit that builds them) stay out of a deployed function's start-up:
   * `samplePayloads: () => import("./samples.js").then((module) => module.samples)`.
   */
  samplePayloads?(): Promise<readonly Readonly<Record<string, unknown>>[]>;
  /** Builds the execution for a claimed webhook; or declines it. */
  buildExecution(payload: P, context: BuildContext<K, P>): ExecutionPlan | Declined;
}
