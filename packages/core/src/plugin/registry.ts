import { DuplicatePluginError } from "../errors.js";
import { assertPluginCompatible } from "./compatibility.js";
import type { JobPlugin, SettingValues } from "./contract.js";
import type { JobMatcher } from "./matchers.js";
import { type Environment, loadPluginSettings } from "./settings.js";

/**
 * A plugin with its settings loaded: ready for the router.
 *
 * @example
 * ```ts
 * const plugins: ActivePlugin[] = [activatePlugin(bursarPlugin, { jobName, stateMachineArn })];
 * const router = createWebhookRouter({ secrets, workspace: "dev", plugins, dispatcher });
 * ```
 */
export interface ActivePlugin {
  readonly name: string;
  readonly plugin: JobPlugin<string>;
  readonly settings: SettingValues<string>;
  readonly matcher: JobMatcher;
  /** Where its executions start (the state machine ARN). */
  readonly target: string;
}

/**
 * What {@link loadPlugins} found: the active plugins, a warning per inactive one, every problem.
 *
 * @example
 * ```ts
 * const loaded: LoadedPlugins = loadPlugins(jobPlugins, process.env);
 * if (loaded.problems.length > 0) throw new ConfigurationError(loaded.problems);
 * ```
 */
export interface LoadedPlugins {
  readonly active: readonly ActivePlugin[];
  readonly warnings: readonly string[];
  readonly problems: readonly string[];
}

/**
 * Makes an {@link ActivePlugin} from a plugin and settings already validated, as tests and shells that do
 * not read the environment do. Throws {@link IncompatiblePluginError} when the plugin's `coreRange` excludes
 * this core.
 *
 * @example
 * ```ts
 * const active = activatePlugin(podPlugin, { jobName: "POD export to Dev1", stateMachineArn: arn });
 * ```
 */
export function activatePlugin<K extends string>(
  plugin: JobPlugin<K>,
  settings: SettingValues<K>,
): ActivePlugin {
  assertPluginCompatible(plugin);
  return {
    name: plugin.name,
    plugin: plugin as JobPlugin<string>,
    settings,
    matcher: plugin.matcher(settings),
    target: plugin.target(settings),
  };
}

/**
 * Loads every plugin's settings from the environment. Plugins whose activating variable is absent are
 * left out with a warning; every configuration problem is collected (not thrown) so the shell can report
 * them all at once. Two plugins with one name throw {@link DuplicatePluginError}; a plugin whose `coreRange`
 * excludes this core throws {@link IncompatiblePluginError}.
 *
 * @example
 * ```ts
 * const { active, warnings, problems } = loadPlugins([podPlugin, timdexPlugin], process.env);
 * for (const warning of warnings) logger.warn(warning);
 * if (problems.length > 0) throw new ConfigurationError(problems);
 * ```
 */
export function loadPlugins(plugins: readonly JobPlugin<string>[], env: Environment): LoadedPlugins {
  const seen = new Set<string>();
  const active: ActivePlugin[] = [];
  const warnings: string[] = [];
  const problems: string[] = [];
  for (const plugin of plugins) {
    if (seen.has(plugin.name)) throw new DuplicatePluginError(plugin.name);
    seen.add(plugin.name);
    // Every plugin, active or not: an incompatible one is a packaging mistake whatever the environment.
    assertPluginCompatible(plugin);
    const result = loadPluginSettings(plugin, env);
    if (result.status === "active") active.push(activatePlugin(plugin, result.settings));
    else if (result.status === "inactive") warnings.push(result.warning);
    else problems.push(...result.problems);
  }
  return { active, warnings, problems };
}
