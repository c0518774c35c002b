/**
 * Extra structured fields attached to a log line (a rest parameter, as Powertools' Logger takes them).
 *
 * @example
 * ```ts
 * const fields: LogFields = { plugin: "PPOD", jobId: "7019873450004761" };
 * logger.info("webhook decision", fields);
 * ```
 */
export type LogFields = Record<string, unknown>;

/**
 * The structured logger core writes to: a message plus fields, at four levels. Powertools' `Logger`
 * satisfies it as it is; so does a thin wrapper around `console`.
 *
 * @example
 * ```ts
 * import { Logger as PowertoolsLogger } from "@aws-lambda-powertools/logger";
 * const logger: Logger = new PowertoolsLogger({ serviceName: "alma-webhooks" });
 * logger.info("webhook decision", { outcome: "started", plugin: "PPOD" });
 * ```
 */
export interface Logger {
  /** Detail for troubleshooting, off in production by default. */
  debug(message: string, ...fields: LogFields[]): void;
  /** One line per decision: what was asked and what was done. */
  info(message: string, ...fields: LogFields[]): void;
  /** Something is off but the request was handled, such as an inactive plugin. */
  warn(message: string, ...fields: LogFields[]): void;
  /** A failure: a start that failed, an unexpected error. */
  error(message: string, ...fields: LogFields[]): void;
}

const ignore = (): void => {};

/**
 * A logger that drops everything: the default, so that core stays quiet unless a logger is given.
 *
 * @example
 * ```ts
 * const router = createWebhookRouter({ ...options, logger: silentLogger });
 * ```
 */
export const silentLogger: Logger = Object.freeze({
  debug: ignore,
  info: ignore,
  warn: ignore,
  error: ignore,
});
