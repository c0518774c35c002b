// Kept equal to the `version` of packages/core/package.json: `pnpm run version-packages` rewrites it after
// `changeset version`, and test/core-version.spec.ts fails when the two differ.

/**
 * The version of `@alma-webhooks/core` that is running. A plugin's `coreRange` is checked against it when
 * the plugin is registered.
 *
 * @example
 * ```ts
 * logger.info("cold start", { core: CORE_VERSION });
 * ```
 */
export const CORE_VERSION = "0.1.0";
