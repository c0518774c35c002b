import { InvalidPluginError } from "../errors.js";
import type { JobPlugin, JobPluginDefinition, SettingSpec } from "./contract.js";
import { isVersionRange } from "./semver.js";

/**
 * The status Alma gives a job that ended well; the default accepted status.
 *
 * @example
 * ```ts
 * defineJobPlugin({ ..., acceptedStatuses: [COMPLETED_SUCCESS, "COMPLETED_WARNINGS"] });
 * ```
 */
export const COMPLETED_SUCCESS = "COMPLETED_SUCCESS";

const PLUGIN_NAME = /^[A-Z][A-Z0-9_]{0,31}$/;
const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

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
 * settings: { stateMachineArn: stateMachineArnSetting("PPOD_STATE_MACHINE_ARN") }
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
 * Checks a plugin definition and fills in its defaults. Throws {@link InvalidPluginError} at definition
 * time, so a malformed plugin fails loudly at cold start rather than on the first webhook. A `coreRange` must
 * be valid range syntax here; whether the running core satisfies it is checked when the plugin is
 * registered (see {@link assertPluginCompatible}).
 *
 * @example
 * ```ts
 * export const podPlugin = defineJobPlugin({ name: "PPOD", ... });
 * ```
 */
export function defineJobPlugin<K extends string>(definition: JobPluginDefinition<K>): JobPlugin<K> {
  const { name } = definition;
  const fail = (problem: string): never => {
    throw new InvalidPluginError(`Job plugin '${String(name)}': ${problem}`);
  };
  if (typeof name !== "string" || !PLUGIN_NAME.test(name)) {
    fail(`the name must be 1-32 upper-case letters, digits or '_', starting with a letter (${PLUGIN_NAME}).`);
  }
  const { coreRange } = definition;
  if (coreRange !== undefined && (typeof coreRange !== "string" || !isVersionRange(coreRange))) {
    fail(`coreRange '${String(coreRange)}' is not a version range like ^0.1.0 or >=0.1.0 <0.3.0.`);
  }
  const settings = Object.entries<SettingSpec>(definition.settings);
  if (!(definition.activatedBy in definition.settings)) {
    fail(`activatedBy '${definition.activatedBy}' is not one of its settings.`);
  }
  for (const [key, spec] of settings) {
    if (!ENV_NAME.test(spec.env))
      fail(`setting '${key}' names an invalid environment variable '${spec.env}'.`);
  }
  if (definition.exportedRecordCounters.length === 0) {
    fail("exportedRecordCounters must name at least one Alma counter type.");
  }
  for (const fn of ["matcher", "target", "buildExecution"] as const) {
    if (typeof definition[fn] !== "function") fail(`${fn} must be a function.`);
  }
  return Object.freeze({
    ...definition,
    acceptedStatuses: definition.acceptedStatuses ?? [COMPLETED_SUCCESS],
  });
}
