/**
 * Base class of every error that core throws on purpose. Each subclass has a `name` that says what went
 * wrong and a message that says what to do about it.
 *
 * @example
 * ```ts
 * try {
 *   loadPlugins([podPlugin, podPlugin], process.env);
 * } catch (error) {
 *   if (error instanceof AlmaWebhooksError) console.error(error.name, error.message);
 * }
 * ```
 */
export class AlmaWebhooksError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * Two plugins were registered under the same name. Plugin names label executions and log lines, so they
 * must be unique.
 *
 * @example
 * ```ts
 * // throws DuplicatePluginError: "Two job plugins are named 'PPOD'. ..."
 * loadPlugins([podPlugin, podPlugin], process.env);
 * ```
 */
export class DuplicatePluginError extends AlmaWebhooksError {
  constructor(readonly pluginName: string) {
    super(`Two job plugins are named '${pluginName}'. Give each plugin a unique name or register it once.`);
  }
}

/**
 * A plugin definition is malformed (a bad name, an unknown activating setting, an invalid variable name,
 * no record counters). Raised when the plugin is defined, long before any request arrives.
 *
 * @example
 * ```ts
 * // throws InvalidPluginError: the name must be 1-32 upper-case letters, digits or '_' …
 * defineJobPlugin({ name: "my plugin", ... });
 * ```
 */
export class InvalidPluginError extends AlmaWebhooksError {}

/**
 * A plugin declares, in its `coreRange`, the versions of `@alma-webhooks/core` it was built for, and the
 * running core is not one of them. Raised when the plugin is registered ({@link loadPlugins},
 * {@link activatePlugin}), at cold start. Install a plugin release made for this core, or a core in the range.
 *
 * @example
 * ```ts
 * // with core 0.1.0 and a plugin declaring coreRange: "^0.2.0", throws IncompatiblePluginError:
 * // "Job plugin 'PPOD' needs @alma-webhooks/core ^0.2.0, but core 0.1.0 is installed. ..."
 * loadPlugins([podPlugin], process.env);
 * ```
 */
export class IncompatiblePluginError extends AlmaWebhooksError {
  constructor(
    readonly pluginName: string,
    readonly coreRange: string,
    readonly coreVersion: string,
  ) {
    super(
      `Job plugin '${pluginName}' needs @alma-webhooks/core ${coreRange}, but core ${coreVersion} is installed. ` +
        `Install a release of the plugin made for core ${coreVersion}, or a version of core in ${coreRange}.`,
    );
  }
}

/**
 * The configuration handed to core is incomplete or invalid. `problems` lists every problem found, each a
 * sentence naming the variable at fault, so that one deployment fixes them all.
 *
 * @example
 * ```ts
 * const { problems } = loadPlugins(plugins, process.env);
 * if (problems.length > 0) throw new ConfigurationError(problems);
 * ```
 */
export class ConfigurationError extends AlmaWebhooksError {
  constructor(
    readonly problems: readonly string[],
    options?: ErrorOptions,
  ) {
    super(`Invalid configuration:\n- ${problems.join("\n- ")}`, options);
  }
}

/**
 * A webhook router option is invalid (no secret, a non-positive body limit). Thrown by
 * {@link createWebhookRouter} at cold start, never while answering a request.
 *
 * @example
 * ```ts
 * // throws InvalidRouterOptionsError: "At least one non-empty webhook secret is required."
 * createWebhookRouter({ secrets: [], workspace: "dev", plugins: [], dispatcher });
 * ```
 */
export class InvalidRouterOptionsError extends AlmaWebhooksError {}

/**
 * A dispatcher could not start a plugin's execution, for a reason a retry will not mend (missing
 * permissions, an unknown state machine, a refused input). The router answers 500 and hands this error to
 * the `reportError` option, so the error tracker sees it even though the dispatcher did not throw.
 *
 * @example
 * ```ts
 * createWebhookRouter({ ...options, reportError: (error) => {
 *   if (error instanceof DispatchFailedError) console.error(error.pluginName, error.message);
 * } });
 * ```
 */
export class DispatchFailedError extends AlmaWebhooksError {
  constructor(
    readonly pluginName: string,
    readonly executionName: string,
    detail: string,
  ) {
    super(
      `Starting the ${pluginName} execution '${executionName}' failed and will not succeed on a retry: ${detail}`,
    );
  }
}
