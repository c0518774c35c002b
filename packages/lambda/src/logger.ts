import type { Environment } from "@alma-webhooks/core";
import type { LogItem } from "@aws-lambda-powertools/logger";
import { Logger } from "@aws-lambda-powertools/logger";
import type { LambdaLogger } from "./services.js";

type LogLevel = NonNullable<ConstructorParameters<typeof Logger>[0]>["logLevel"];

/** Powertools' numeric threshold from which lines go to stderr (WARN and above), as its console does. */
const WARN = 16;

/**
 * Powertools' Logger, printing faster. Its own printer runs JSON.stringify with a replacer function, called
 * for every key of every line (about a third of a warm request's time in the profile, docs/performance.md).
 * The lines core and the shell write hold plain JSON, so they are stringified directly; a line with an
 * Error, or anything plain stringify refuses (a cycle, a BigInt), goes through Powertools' own printer.
 */
class PowertoolsJsonLogger extends Logger {
  protected override printLog(logLevel: number, log: LogItem): void {
    let line: string | undefined;
    try {
      log.prepareForPrint();
      const attributes = log.getAttributes();
      // Errors need Powertools' serialiser (plain JSON.stringify writes them as {}).
      if (!Object.values(attributes).some((value) => value instanceof Error)) {
        line = `${JSON.stringify(attributes)}\n`;
      }
    } catch {
      // A cycle or a BigInt: Powertools' printer below copes with them.
    }
    if (line === undefined) super.printLog(logLevel, log);
    else (logLevel >= WARN ? process.stderr : process.stdout).write(line);
  }
}

/**
 * The structured JSON logger: Powertools' Logger, which satisfies core's `Logger`. The level comes from
 * `POWERTOOLS_LOG_LEVEL` (or `LOG_LEVEL`), default INFO; the service name from `POWERTOOLS_SERVICE_NAME`,
 * default `alma-webhooks`. Lambda's context (cold start flag, request id) is added per invocation.
 *
 * @example
 * ```ts
 * const logger = createLogger(process.env);
 * logger.info("webhook decision", { outcome: "handled" });
 * ```
 */
export function createLogger(env: Environment): LambdaLogger {
  return new PowertoolsJsonLogger({
    serviceName: env.POWERTOOLS_SERVICE_NAME || "alma-webhooks",
    logLevel: (env.POWERTOOLS_LOG_LEVEL || env.LOG_LEVEL || "INFO").toUpperCase() as LogLevel,
  });
}
