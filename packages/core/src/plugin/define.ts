import { InvalidPluginError } from "../errors.js";
import type { PayloadOf } from "../payload/kinds.js";
import type { SettingSpec, WebhookPlugin } from "./contract.js";

/**
 * The status Alma gives a job that ended well: what a job plugin usually accepts.
 *
 * @example
 * ```ts
 * definePlugin({ ..., actions: ["JOB_END"], acceptedStatuses: [COMPLETED_SUCCESS, "COMPLETED_WARNINGS"] });
 * ```
 */
export const COMPLETED_SUCCESS = "COMPLETED_SUCCESS";

const PLUGIN_NAME = /^[A-Z0-9][A-Z0-9_]{0,31}$/;
const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
const WORD = /^[A-Z][A-Z0-9_]*$/;

/**
 * What {@link definePlugin} takes: a {@link WebhookPlugin} whose payloads are typed by its `actions`.
 *
 * @example
 * ```ts
 * const definition: PluginDefinition<"queueUrl", "LOAN"> = { name: "LOAN_NOTICES", actions: ["LOAN"], ... };
 * ```
 */
export type PluginDefinition<K extends string, A extends string> = Omit<
  WebhookPlugin<K, PayloadOf<A>>,
  "actions"
> & {
  /** The webhook actions it acts on, upper case: `["JOB_END"]`, `["LOAN", "REQUEST"]`. Its payloads are typed by them. */
  readonly actions: readonly A[];
};

/**
 * Checks a plugin definition and returns the plugin: the one way to define one. Whether it acts on job ends
 * or on other webhooks is its `actions`; a JOB_END plugin may narrow the jobs (`jobMatcher`), the statuses
 * (`acceptedStatuses`) and require records (`exportedRecordCounters`). Throws {@link InvalidPluginError} at
 * definition time, so a malformed plugin fails loudly at cold start rather than on the first webhook.
 *
 * @example
 * ```ts
 * export const loanNoticePlugin = definePlugin({
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
export function definePlugin<K extends string, A extends string>(
  definition: PluginDefinition<K, A>,
): WebhookPlugin<K, PayloadOf<A>> {
  const problem = pluginProblem(definition);
  if (problem !== undefined) throw new InvalidPluginError(problem);
  return Object.freeze({ ...definition });
}

/**
 * What is wrong with a plugin object, however it was made (definePlugin, forwardPlugin, an object literal
 * typed `WebhookPlugin`, a plain JavaScript object), in the words definePlugin throws; undefined when it is
 * well formed. loadPlugins and activatePlugin check every plugin with it, so that an object literal is held
 * to definePlugin's rules too.
 *
 * @example
 * ```ts
 * pluginProblem({ ...podPlugin, name: "not a valid name!" });
 * // "Plugin 'not a valid name!': the name must be 1-32 upper-case letters, digits or '_', not starting with '_' (...)."
 * ```
 */
export function pluginProblem(plugin: unknown): string | undefined {
  if (typeof plugin !== "object" || plugin === null)
    return `A plugin must be an object (got ${String(plugin)}).`;
  const definition = plugin as Partial<Record<keyof WebhookPlugin, unknown>>;
  const { name } = definition;
  const fail = (problem: string): string => `Plugin '${String(name)}': ${problem}`;
  if (typeof name !== "string" || !PLUGIN_NAME.test(name)) {
    return fail(
      `the name must be 1-32 upper-case letters, digits or '_', not starting with '_' (${PLUGIN_NAME}).`,
    );
  }
  const settings = definition.settings;
  if (typeof settings !== "object" || settings === null)
    return fail("settings must be an object of settings.");
  if (typeof definition.activatedBy !== "string" || !(definition.activatedBy in settings)) {
    return fail(`activatedBy '${String(definition.activatedBy)}' is not one of its settings.`);
  }
  for (const [key, spec] of Object.entries(settings as Record<string, SettingSpec | undefined>)) {
    if (typeof spec?.env !== "string" || !ENV_NAME.test(spec.env))
      return fail(`setting '${key}' names an invalid environment variable '${String(spec?.env)}'.`);
  }
  for (const fn of ["target", "buildExecution"] as const) {
    if (typeof definition[fn] !== "function") return fail(`${fn} must be a function.`);
  }
  const words = (values: unknown): boolean =>
    values === undefined ||
    (Array.isArray(values) && values.every((value) => typeof value === "string" && WORD.test(value)));
  const { actions } = definition;
  if (!Array.isArray(actions) || actions.length === 0 || !words(actions)) {
    return fail(`actions must list at least one upper-case webhook action, like "JOB_END" or "LOAN".`);
  }
  if (!words(definition.events)) return fail("events must be upper-case event values.");
  const jobEnds = actions.includes("JOB_END");
  for (const field of ["jobMatcher", "acceptedStatuses", "exportedRecordCounters"] as const) {
    if (definition[field] !== undefined && !jobEnds)
      return fail(`${field} is for plugins whose actions include JOB_END.`);
  }
  const counters = definition.exportedRecordCounters;
  if (Array.isArray(counters) && counters.length === 0) {
    return fail("exportedRecordCounters must name at least one Alma counter type (or be left out).");
  }
  return undefined;
}
