import { type SettingEntry, validators } from "../payload/compiled.js";
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

const isSet = (value: string | undefined): value is string => value !== undefined && value.trim() !== "";

/**
 * Reads and validates a plugin's settings from the environment with a schema compiled by ajv. Absent activating variable →
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
    entries.flatMap(([, spec]) => (isSet(env[spec.env]) ? [[spec.env, env[spec.env] as string]] : [])),
  );
  const checked: SettingEntry[] = entries.map(([, spec]) => ({
    env: spec.env,
    value: values[spec.env],
    ...(spec.pattern ? { pattern: spec.pattern } : {}),
  }));
  const { pluginSettings } = validators;
  if (!pluginSettings(checked as unknown)) {
    // The schema checks every setting at once; its errors point at entries by index.
    const failed = new Set(
      (pluginSettings.errors ?? []).map((error) => Number(error.instancePath.split("/")[1])),
    );
    const problems = checked.flatMap(({ env: name, value }, index) => {
      if (!failed.has(index)) return [];
      const spec = entries[index]?.[1] as SettingSpec;
      return value === undefined
        ? [`${name} is not set, but the ${plugin.name} plugin needs it because ${activating} is set.`]
        : [
            `${name} is not ${spec.patternHint ?? `in the expected form (${spec.pattern})`}: '${value}' (${plugin.name} plugin, activated by ${activating}).`,
          ];
    });
    return { status: "invalid", problems };
  }
  const settings = Object.fromEntries(
    entries.map(([key, spec]) => [key, values[spec.env]]),
  ) as SettingValues<K>;
  return { status: "active", settings };
}
