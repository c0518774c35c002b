import type { Environment } from "@alma-webhooks/core";
import { Logger } from "@aws-lambda-powertools/logger";
import type { LambdaLogger } from "./services.js";

type LogLevel = NonNullable<ConstructorParameters<typeof Logger>[0]>["logLevel"];

/**
 * The structured JSON logger: Powertools' Logger, used through its public API only, which satisfies
 * core's `Logger`. The level comes from `POWERTOOLS_LOG_LEVEL` (or `LOG_LEVEL`), default INFO; the
 * service name from `POWERTOOLS_SERVICE_NAME`, default `alma-webhooks`. Lambda's context (cold start
 * flag, request id) is added per invocation. Powertools prints Errors, BigInts and cyclic fields itself.
 *
 * @example
 * ```ts
 * const logger = createLogger(process.env);
 * logger.info("webhook decision", { outcome: "handled" });
 * ```
 */
export function createLogger(env: Environment): LambdaLogger {
  return new Logger({
    serviceName: env.POWERTOOLS_SERVICE_NAME || "alma-webhooks",
    logLevel: (env.POWERTOOLS_LOG_LEVEL || env.LOG_LEVEL || "INFO").toUpperCase() as LogLevel,
  });
}
