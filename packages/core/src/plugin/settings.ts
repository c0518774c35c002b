import { Ajv, type ValidateFunction } from "ajv";
import type { JobPlugin, SettingSpec, SettingValues } from "./contract.js";

/**
 * The environment as the shell hands it over: `process.env` or any record of strings.
 *
 * @example
 * ```ts
 * const env: Environment = { ALMA_POD_EXPORT_JOB_NAME: "PPOD Export to Dev1", PPOD_STATE_MACHINE_ARN: arn };
 * const { active } = loadPlugins([podPlugin], env);
 * ```
 */
export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * A plugin's configuration as read from the environment: active with its settings, inactive because its
 * activating variable is absent (with a warning), or invalid (with every problem).
 *
 * @example
 * ```ts
 * const result: PluginSettingsResult<"jobName" | "stateMachineArn"> = loadPluginSettings(podPlugin, process.env);
 * if (result.status === "active") console.log(result.settings.jobName);
 * ```
 */
export type PluginSettingsResult<K extends string> =
  | { readonly status: "active"; readonly settings: SettingValues<K> }
  | { readonly status: "inactive"; readonly warning: string }
  | { readonly status: "invalid"; readonly problems: readonly string[] };

const validators = new WeakMap<JobPlugin<string>, ValidateFunction>();
const ajv = new Ajv({ allErrors: true, strict: true });

function validatorFor(plugin: JobPlugin<string>): ValidateFunction {
  let validate = validators.get(plugin);
  if (validate === undefined) {
    const specs = Object.values<SettingSpec>(plugin.settings);
    validate = ajv.compile({
      type: "object",
      required: specs.map((spec) => spec.env),
      properties: Object.fromEntries(
        specs.map((spec) => [
          spec.env,
          { type: "string", minLength: 1, ...(spec.pattern ? { pattern: spec.pattern } : {}) },
        ]),
      ),
    });
    validators.set(plugin, validate);
  }
  return validate;
}

const isSet = (value: string | undefined): value is string => value !== undefined && value.trim() !== "";

/**
 * Reads and validates a plugin's settings from the environment with ajv. Absent activating variable →
 * inactive; present but another setting missing or malformed → invalid, naming both variables.
 *
 * @example
 * ```ts
 * const result = loadPluginSettings(podPlugin, process.env);
 * if (result.status === "invalid") throw new ConfigurationError(result.problems);
 * ```
 */
export function loadPluginSettings<K extends string>(
  plugin: JobPlugin<K>,
  env: Environment,
): PluginSettingsResult<K> {
  const entries = Object.entries<SettingSpec>(plugin.settings) as [K, SettingSpec][];
  const activating = plugin.settings[plugin.activatedBy].env;
  if (!isSet(env[activating])) {
    return { status: "inactive", warning: `${plugin.name} plugin is inactive: ${activating} is not set.` };
  }
  const values = Object.fromEntries(
    entries.flatMap(([, spec]) => (isSet(env[spec.env]) ? [[spec.env, env[spec.env]]] : [])),
  );
  const validate = validatorFor(plugin);
  if (!validate(values)) {
    const problems = entries.flatMap(([, spec]) => {
      const value = values[spec.env];
      if (value === undefined)
        return [
          `${spec.env} is not set, but the ${plugin.name} plugin needs it because ${activating} is set.`,
        ];
      const bad = validate.errors?.some((error) => error.instancePath === `/${spec.env}`);
      return bad
        ? [
            `${spec.env} is not ${spec.patternHint ?? `in the expected form (${spec.pattern})`}: '${value}' (${plugin.name} plugin, activated by ${activating}).`,
          ]
        : [];
    });
    return { status: "invalid", problems };
  }
  const settings = Object.fromEntries(
    entries.map(([key, spec]) => [key, values[spec.env]]),
  ) as SettingValues<K>;
  return { status: "active", settings };
}
