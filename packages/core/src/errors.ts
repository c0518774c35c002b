import type { SecretSource } from "./secret-source.js";

/**
 * An error as one line for an answer, a log field or a plugin result: `Name: message`. The one error-text
 * helper of the project (the AWS shell's `describe` is this): an `Error`, or an object with a `name` or a
 * `message` (as the AWS SDK's service errors are), gives `Name: message`; anything else its text.
 *
 * @example
 * ```ts
 * messageOf(new TypeError("bad")); // "TypeError: bad"
 * messageOf({ name: "ThrottlingException", message: "Rate exceeded" }); // "ThrottlingException: Rate exceeded"
 * ```
 */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  if (typeof error === "object" && error !== null && ("name" in error || "message" in error)) {
    const { name = "Error", message = String(error) } = error as { name?: unknown; message?: unknown };
    return `${String(name)}: ${String(message)}`;
  }
  return String(error);
}

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
 * // throws DuplicatePluginError: "Two plugins are named 'PPOD'. ..."
 * loadPlugins([podPlugin, podPlugin], process.env);
 * ```
 */
export class DuplicatePluginError extends AlmaWebhooksError {
  constructor(readonly pluginName: string) {
    super(`Two plugins are named '${pluginName}'. Give each plugin a unique name or register it once.`);
  }
}

/**
 * A plugin definition is malformed (a bad name, an unknown activating setting, an invalid variable name,
 * no record counters). Raised when the plugin is defined, long before any request arrives.
 *
 * @example
 * ```ts
 * // throws InvalidPluginError: the name must be 1-32 upper-case letters, digits or '_' …
 * definePlugin({ name: "my plugin", ... });
 * ```
 */
export class InvalidPluginError extends AlmaWebhooksError {}

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
 * A {@link SecretSource} gave no non-empty secret, or would not read its secrets again after a signature
 * matched none (its `refresh` gave `undefined`). Reported like a failed fetch, and answered 503.
 *
 * @example
 * ```ts
 * reportError: (error) => error instanceof NoSecretError && alarm("the secret store holds an empty secret"),
 * ```
 */
export class NoSecretError extends AlmaWebhooksError {}

/**
 * A webhook that may be Alma's was not delivered (see `notDeliveredReason`): what the router hands to the
 * `reportError` option for a not-delivered decision that no other error was reported for (a body refused
 * after its signature verified, a dispatch that failed for now or at the deadline, a broken plugin).
 *
 * @example
 * ```ts
 * createWebhookRouter({ ...options, reportError: (error) => {
 *   if (error instanceof WebhookNotDeliveredError) console.error(error.reason, error.webhookId);
 * } });
 * ```
 */
export class WebhookNotDeliveredError extends AlmaWebhooksError {
  constructor(
    readonly reason: string,
    readonly webhookId: string | undefined,
    detail: string | undefined,
  ) {
    super(
      `Webhook ${webhookId ?? "(no id: not checked)"} was not delivered (${reason})${detail ? `: ${detail}` : ""}`,
    );
  }
}

/**
 * A dispatcher could not start a plugin's execution, for a reason a retry will not mend (missing
 * permissions, an unknown target, a refused input). The router answers 500 and hands this error to
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

/**
 * A field of the webhook body that a decision needs is missing or malformed. The router answers it 400,
 * naming the field; a plugin may throw it from `buildExecution` for a field only it reads.
 *
 * @example
 * ```ts
 * if (typeof payload.institution !== "object") throw new InvalidPayloadError("institution", "must be an object");
 * ```
 */
export class InvalidPayloadError extends AlmaWebhooksError {
  constructor(
    readonly field: string,
    readonly expected: string,
  ) {
    super(`${field} ${expected}.`);
  }
}

/**
 * Thrown by a handler of `createWebhooks` when a later retry may succeed (a database briefly unreachable,
 * a rate limit): the webhook is answered 503, so Alma sends it again (after 1, 3 and 6 hours). An error of
 * another class with `transient: true` counts as one too, and so does a failure that `isTransient` knows a
 * retry may mend (an AWS SDK throttling or 5xx error, a timeout, a reset connection); `transient: false`
 * says it is not. Any other throw is answered 500.
 *
 * @example
 * ```ts
 * webhooks.on("LOAN.LOAN_CREATED", async ({ payload, id }) => {
 *   try {
 *     await db.insert(id, payload);
 *   } catch (error) {
 *     throw new TransientError("the loans database is unreachable", { cause: error });
 *   }
 * });
 * ```
 */
export class TransientError extends AlmaWebhooksError {
  readonly transient = true;
}
