import type { SettingSpec, SettingValues, WebhookPlugin } from "./contract.js";

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

/** A plugin's configuration: active with its settings, inactive (activating variable absent), or invalid. */
export type PluginSettingsResult<K extends string> =
  | { readonly status: "active"; readonly settings: SettingValues<K> }
  | { readonly status: "inactive"; readonly warning: string }
  | {
      readonly status: "invalid";
      readonly problems: readonly string[];
      /** The values as set, valid or not: enough to tell which jobs the broken plugin claims. */
      readonly settings: SettingValues<K>;
    };

const isSet = (value: string | undefined): value is string => value !== undefined && value.trim() !== "";

/**
 * Reads and checks a plugin's settings. Absent activating variable → inactive; present but another setting
 * missing or malformed → invalid, naming both variables. Values are used exactly as set.
 */
export function loadPluginSettings<K extends string>(
  plugin: WebhookPlugin<K>,
  env: Environment,
): PluginSettingsResult<K> {
  const entries = Object.entries<SettingSpec>(plugin.settings) as [K, SettingSpec][];
  const activating = plugin.settings[plugin.activatedBy].env;
  if (!isSet(env[activating])) {
    return { status: "inactive", warning: `${plugin.name} plugin is inactive: ${activating} is not set.` };
  }
  const problems: string[] = [];
  for (const [, spec] of entries) {
    const value = env[spec.env];
    if (!isSet(value)) {
      if (spec.optional) continue;
      problems.push(
        `${spec.env} is not set, but the ${plugin.name} plugin needs it because ${activating} is set.`,
      );
    } else if (spec.pattern !== undefined && !new RegExp(spec.pattern).test(value)) {
      problems.push(
        `${spec.env} is not ${spec.patternHint ?? `in the expected form (${spec.pattern})`}: '${value}' (${plugin.name} plugin, activated by ${activating}).`,
      );
    }
  }
  const settings = Object.fromEntries(
    entries.map(([key, spec]) => [key, env[spec.env] ?? ""]),
  ) as SettingValues<K>;
  return problems.length > 0 ? { status: "invalid", problems, settings } : { status: "active", settings };
}
