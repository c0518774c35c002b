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

/** Edit distance (insertions, deletions, substitutions) between two strings, stopping above `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min(
        (previous[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
      row.push(value);
      best = Math.min(best, value);
    }
    if (best > limit) return limit + 1;
    previous = row;
  }
  return previous[b.length] as number;
}

/**
 * The known name that `name` most likely misspells: the closest by edit distance, when it is at most
 * `maxDistance` (default: 2, or 1 for names of up to 6 characters) and not `name` itself. For start-up
 * warnings such as "PPOD_STATE_MACHINE_ARM is not read: did you mean PPOD_STATE_MACHINE_ARN?".
 *
 * @example
 * ```ts
 * closestName("PPOD_STATE_MACHINE_ARM", ["PPOD_STATE_MACHINE_ARN", "WORKSPACE"]); // "PPOD_STATE_MACHINE_ARN"
 * ```
 */
export function closestName(name: string, known: Iterable<string>, maxDistance?: number): string | undefined {
  const limit = maxDistance ?? (name.length <= 6 ? 1 : 2);
  let closest: string | undefined;
  let distance = limit + 1;
  for (const candidate of known) {
    if (candidate === name) return undefined;
    const d = editDistance(name.toUpperCase(), candidate.toUpperCase(), limit);
    if (d < distance) {
      closest = candidate;
      distance = d;
    }
  }
  return closest;
}

/**
 * The variables of `env` that are not in `known` but look like a misspelling of one (the same first two
 * characters, and {@link closestName}), or that `suggest` has a correction for: for start-up warnings.
 * Other variables of a process environment (PATH, HOME, AWS_…) are left alone.
 *
 * @example
 * ```ts
 * misspelledVariables({ PPOD_STATE_MACHINE_ARM: "arn:…" }, ["PPOD_STATE_MACHINE_ARN"]);
 * // [{ name: "PPOD_STATE_MACHINE_ARM", suggestion: "PPOD_STATE_MACHINE_ARN" }]
 * ```
 */
export function misspelledVariables(
  env: Environment,
  known: Iterable<string>,
  suggest: (name: string) => string | undefined = () => undefined,
): { readonly name: string; readonly suggestion: string }[] {
  const names = new Set(known);
  const found: { name: string; suggestion: string }[] = [];
  for (const name of Object.keys(env).sort()) {
    if (names.has(name) || !env[name]?.trim()) continue;
    const alike = [...names].filter((candidate) => candidate.slice(0, 2) === name.slice(0, 2));
    const suggestion = closestName(name, alike) ?? suggest(name);
    if (suggestion) found.push({ name, suggestion });
  }
  return found;
}
