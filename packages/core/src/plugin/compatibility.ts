import { IncompatiblePluginError, InvalidPluginError } from "../errors.js";
import type { JobPlugin } from "./contract.js";
import { CORE_VERSION } from "./core-version.js";
import { isVersionRange, satisfiesRange } from "./semver.js";

/**
 * Checks that a plugin was built for this version of core: its `coreRange`, when it declares one, must be
 * satisfied by {@link CORE_VERSION}. Throws {@link IncompatiblePluginError} when it is not, and
 * {@link InvalidPluginError} when the range cannot be read. A plugin without a `coreRange` is accepted.
 * {@link loadPlugins} and {@link activatePlugin} call it for every plugin they are given.
 *
 * @example
 * ```ts
 * assertPluginCompatible(podPlugin); // podPlugin.coreRange is "^0.1.0": fine with core 0.1.x
 * assertPluginCompatible(podPlugin, "0.2.0"); // throws IncompatiblePluginError
 * ```
 */
export function assertPluginCompatible(
  plugin: Pick<JobPlugin<string>, "name" | "coreRange">,
  coreVersion: string = CORE_VERSION,
): void {
  const { name, coreRange } = plugin;
  if (coreRange === undefined) return;
  if (typeof coreRange !== "string" || !isVersionRange(coreRange)) {
    throw new InvalidPluginError(
      `Job plugin '${name}': coreRange '${String(coreRange)}' is not a version range like ^0.1.0 or >=0.1.0 <0.3.0.`,
    );
  }
  if (!satisfiesRange(coreVersion, coreRange))
    throw new IncompatiblePluginError(name, coreRange, coreVersion);
}
