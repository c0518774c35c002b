import { InvalidPluginError } from "../errors.js";
import type { PayloadOf } from "../payload/kinds.js";
import type {
  BuildContext,
  Declined,
  EventPlugin,
  ExecutionPlan,
  JobPlugin,
  SettingSpec,
  SettingValues,
} from "./contract.js";

/**
 * The status Alma gives a job that ended well; the default accepted status.
 *
 * @example
 * ```ts
 * defineJobPlugin({ ..., acceptedStatuses: [COMPLETED_SUCCESS, "COMPLETED_WARNINGS"] });
 * ```
 */
export const COMPLETED_SUCCESS = "COMPLETED_SUCCESS";

const PLUGIN_NAME = /^[A-Z0-9][A-Z0-9_]{0,31}$/;
const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

type Common = Pick<JobPlugin<string>, "name" | "settings" | "activatedBy" | "target"> & {
  readonly buildExecution: unknown;
};

/** The checks every plugin definition gets; throws {@link InvalidPluginError} naming the first problem. */
function checkCommon(kind: string, definition: Common): void {
  const { name } = definition;
  const fail = (problem: string): never => {
    throw new InvalidPluginError(`${kind} plugin '${String(name)}': ${problem}`);
  };
  if (typeof name !== "string" || !PLUGIN_NAME.test(name)) {
    fail(`the name must be 1-32 upper-case letters, digits or '_', not starting with '_' (${PLUGIN_NAME}).`);
  }
  if (!(definition.activatedBy in definition.settings)) {
    fail(`activatedBy '${definition.activatedBy}' is not one of its settings.`);
  }
  for (const [key, spec] of Object.entries<SettingSpec>(definition.settings)) {
    if (!ENV_NAME.test(spec.env))
      fail(`setting '${key}' names an invalid environment variable '${spec.env}'.`);
  }
  for (const fn of ["target", "buildExecution"] as const) {
    if (typeof definition[fn] !== "function") fail(`${fn} must be a function.`);
  }
}

/**
 * What {@link defineJobPlugin} takes: a {@link JobPlugin} without its `kind`, whose `acceptedStatuses` may be
 * left out.
 *
 * @example
 * ```ts
 * const definition: JobPluginDefinition<"jobName" | "queueUrl"> = { name: "ANALYTICS", ... };
 * ```
 */
export type JobPluginDefinition<K extends string> = Omit<JobPlugin<K>, "kind" | "acceptedStatuses"> & {
  readonly acceptedStatuses?: readonly string[];
};

/**
 * Checks a job plugin definition and fills in its defaults. Throws {@link InvalidPluginError} at definition
 * time, so a malformed plugin fails loudly at cold start rather than on the first webhook. A Step Functions
 * pipeline is shorter with {@link stepFunctionsJobPlugin}.
 *
 * @example
 * ```ts
 * export const analyticsPlugin = defineJobPlugin({
 *   name: "ANALYTICS",
 *   settings: {
 *     jobName: { env: "ALMA_ANALYTICS_JOB_NAME", description: "Exact analytics export job name" },
 *     queueUrl: { env: "ANALYTICS_QUEUE_URL", description: "Queue that receives the export date" },
 *   },
 *   activatedBy: "jobName",
 *   matcher: ({ jobName }) => exactName(jobName),
 *   exportedRecordCounters: PUBLISHING_RECORD_COUNTERS,
 *   target: ({ queueUrl }) => queueUrl,
 *   buildExecution: (job, { executionName }) => ({ input: { date: jobEndDate(job) }, name: executionName("analytics") }),
 * });
 * ```
 */
export function defineJobPlugin<K extends string>(definition: JobPluginDefinition<K>): JobPlugin<K> {
  checkCommon("Job", definition);
  if (typeof definition.matcher !== "function") {
    throw new InvalidPluginError(`Job plugin '${definition.name}': matcher must be a function.`);
  }
  if (definition.exportedRecordCounters.length === 0) {
    throw new InvalidPluginError(
      `Job plugin '${definition.name}': exportedRecordCounters must name at least one Alma counter type.`,
    );
  }
  return Object.freeze({
    ...definition,
    kind: "job" as const,
    acceptedStatuses: definition.acceptedStatuses ?? [COMPLETED_SUCCESS],
  });
}

/**
 * What {@link defineEventPlugin} takes: an {@link EventPlugin} without its `kind`.
 *
 * @example
 * ```ts
 * const definition: EventPluginDefinition<"queueUrl"> = { name: "LOAN_NOTICES", actions: ["LOAN"], ... };
 * ```
 */
export type EventPluginDefinition<K extends string, A extends string = string> = Omit<
  EventPlugin<K>,
  "kind" | "actions" | "matches" | "buildExecution"
> & {
  /** The webhook actions it claims, upper case: `["LOAN"]`. Its payloads are typed by them. */
  readonly actions: readonly A[];
  /** Narrows the claim further, on the typed payload; every payload of its actions and events when absent. */
  matches?(payload: PayloadOf<A>, settings: SettingValues<K>): boolean;
  /** Builds the execution for a claimed event from its typed payload; or declines it. */
  buildExecution(payload: PayloadOf<A>, context: BuildContext<K, PayloadOf<A>>): ExecutionPlan | Declined;
};

/**
 * Checks an event plugin definition: webhooks other than JOB_END, or JOB_END itself for a plugin that takes a
 * job's end whatever its status and counters (a forward; `jobMatcher` narrows it to some jobs). Throws {@link InvalidPluginError} at
 * definition time.
 *
 * @example
 * ```ts
 * export const loanNoticePlugin = defineEventPlugin({
 *   name: "LOAN_NOTICES",
 *   settings: { queueUrl: { env: "LOAN_QUEUE_URL", description: "Queue of loan notices" } },
 *   activatedBy: "queueUrl",
 *   actions: ["LOAN"],
 *   events: ["LOAN_CREATED"],
 *   target: ({ queueUrl }) => queueUrl,
 *   buildExecution: (payload, { executionName }) => ({
 *     input: { loanId: readField(payload, "item_loan.loan_id") },
 *     name: executionName("loan-notice"),
 *   }),
 * });
 * ```
 */
export function defineEventPlugin<K extends string, A extends string>(
  definition: EventPluginDefinition<K, A>,
): EventPlugin<K> {
  checkCommon("Event", definition);
  const upper = (values: readonly unknown[] | undefined): boolean =>
    (values ?? []).every((value) => typeof value === "string" && /^[A-Z][A-Z0-9_]*$/.test(value));
  if (!Array.isArray(definition.actions) || definition.actions.length === 0 || !upper(definition.actions)) {
    throw new InvalidPluginError(
      `Event plugin '${definition.name}': actions must list at least one upper-case webhook action, like "LOAN".`,
    );
  }
  if (!upper(definition.events)) {
    throw new InvalidPluginError(
      `Event plugin '${definition.name}': events must be upper-case event values.`,
    );
  }
  // The router hands a plugin only payloads of the actions it claims, so the narrower types hold.
  return Object.freeze({ ...definition, kind: "event" as const }) as unknown as EventPlugin<K>;
}
