import { writeSync } from "node:fs";
import type { Environment, LogFields } from "@alma-webhooks/core";
import {
  getBooleanFromEnv,
  getNumberFromEnv,
  getStringFromEnv,
  getXRayTraceIdFromEnv,
  isDevMode,
} from "@aws-lambda-powertools/commons/utils/env";
import { InvocationScoped } from "@aws-lambda-powertools/commons/utils/invocation-scoped";
import { LogFormatter, LogItem, LogLevelThreshold } from "@aws-lambda-powertools/logger";
import type { Context } from "aws-lambda";
import type { LambdaLogger } from "./services.js";

type LevelName = keyof typeof LogLevelThreshold;
type Stream = "stdout" | "stderr";

/**
 * Writes one finished log line (no newline yet) to the process's stdout or stderr. The default,
 * {@link writeLogLine}, writes straight to the file descriptor; tests pass one that keeps the lines.
 */
export type LogLineWriter = (stream: Stream, line: string) => void;

/**
 * Writes `line` and a newline to file descriptor 1 (stdout) or 2 (stderr), synchronously, as Powertools'
 * `Console` over `process.stdout` does, but without creating `process.stdout`: that stream loads
 * node:stream and its family (node:net for a pipe), the largest part of a cold GET's cost on Node 22
 * (docs/performance.md). A short write goes on from where it stopped. If the descriptor is non-blocking
 * and full (`EAGAIN`: someone made `process.stdout`, and libuv set the pipe so), the rest, and every later
 * line to that stream, goes through `process.stdout` (or `process.stderr`), which queues it in order; any
 * other failure drops the line, as `Console` does: a log line never throws. One order it cannot keep: a line
 * that other code wrote to `process.stdout` and that still waits in its queue (a full pipe) may be overtaken
 * by a log line. On Lambda, the runtime points `console` at its own telemetry descriptor when it has one.
 *
 * @example
 * ```ts
 * writeLogLine("stdout", JSON.stringify({ level: "INFO", message: "hello" }));
 * ```
 */
export function writeLogLine(stream: Stream, line: string): void {
  if (queueing[stream]) {
    process[stream].write(`${line}\n`);
    return;
  }
  const text = `${line}\n`;
  const fd = stream === "stdout" ? 1 : 2;
  let bytes: Buffer | undefined;
  let written = 0;
  try {
    // Most lines go in one write of the string; a short write goes on with the bytes left.
    written = writeSync(fd, text);
    if (written === Buffer.byteLength(text)) return;
    bytes = Buffer.from(text);
    while (written < bytes.length) written += writeSync(fd, bytes, written);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EAGAIN") return;
    queueing[stream] = true;
    process[stream].write((bytes ?? Buffer.from(text)).subarray(written));
  }
}
/** Whether a stream's lines go through its Node stream now (after an `EAGAIN`), so that they stay in order. */
const queueing = { stdout: false, stderr: false };

const RESERVED_KEYS: readonly string[] = ["level", "message", "sampling_rate", "service", "timestamp"];

/** Powertools' own record: its keys in its order (its `PowertoolsLogFormatter`, which it does not export). */
class PowertoolsRecordFormatter extends LogFormatter {
  /**
   * Powertools' timestamp. In UTC (Lambda's `TZ` is `:UTC`) it is `toISOString()`'s text, put together from
   * the UTC fields: the first `toISOString()` of a process costs about 1 ms on Node 22, the fields 5 µs.
   */
  override formatTimestamp(now: Date): string {
    const zone = getStringFromEnv({ key: "TZ", defaultValue: "" });
    const year = now.getUTCFullYear();
    if ((zone && !zone.includes("UTC")) || !(year >= 0 && year <= 9999)) return super.formatTimestamp(now);
    const two = (value: number) => (value < 10 ? `0${value}` : `${value}`);
    const milliseconds = now.getUTCMilliseconds();
    return `${year < 1000 ? String(year).padStart(4, "0") : year}-${two(now.getUTCMonth() + 1)}-${two(now.getUTCDate())}T${two(now.getUTCHours())}:${two(now.getUTCMinutes())}:${two(now.getUTCSeconds())}.${milliseconds < 10 ? "00" : milliseconds < 100 ? "0" : ""}${milliseconds}Z`;
  }

  formatAttributes(
    attributes: Parameters<LogFormatter["formatAttributes"]>[0],
    additional: Parameters<LogFormatter["formatAttributes"]>[1],
  ): LogItem {
    const context = attributes.lambdaContext;
    return new LogItem({
      attributes: {
        level: attributes.logLevel,
        message: attributes.message,
        timestamp: this.formatTimestamp(attributes.timestamp),
        service: attributes.serviceName,
        cold_start: context?.coldStart,
        function_arn: context?.invokedFunctionArn,
        function_memory_size: context?.memoryLimitInMB,
        function_name: context?.functionName,
        function_request_id: context?.awsRequestId,
        sampling_rate: attributes.sampleRateValue,
        xray_trace_id: attributes.xRayTraceId,
        tenant_id: context?.tenantId,
      },
    }).addAttributes(additional);
  }
}

const isLevel = (name: string | undefined): name is LevelName =>
  name !== undefined && Object.hasOwn(LogLevelThreshold, name);
const LEVEL_NAMES = new Map(
  (Object.entries(LogLevelThreshold) as [LevelName, number][]).map(([name, value]) => [value, name]),
);
const levelName = (threshold: number): LevelName => LEVEL_NAMES.get(threshold) ?? "INFO";

/**
 * Powertools' JSON log lines, written without Powertools' `Logger` class: the same record (keys, order,
 * timestamp, errors, BigInts, cycles, empty fields dropped, the Lambda context and X-Ray id), the same
 * levels from the same settings (`AWS_LAMBDA_LOG_LEVEL`, `POWERTOOLS_LOGGER_SAMPLE_RATE`, `POWERTOOLS_DEV`,
 * `TZ`), the same warnings, the same streams. Its record comes from Powertools' exported `LogFormatter`
 * and `LogItem`, its settings from Powertools' own readers; lambda's tests compare its every line with
 * Powertools' `Logger`. What it leaves out is what this function does not use (child loggers, kept keys,
 * buffering, the middleware), and what costs a cold start most: `process.stdout`.
 */
class PowertoolsJsonLogger implements LambdaLogger {
  readonly #write: LogLineWriter;
  readonly #formatter = new PowertoolsRecordFormatter();
  readonly #service: string;
  readonly #alcLevel: LevelName | undefined;
  readonly #sampleRate: number = 0;
  readonly #indentation: number;
  readonly #devMode: boolean;
  readonly #warned = new Set<string>();
  /**
   * The level and the Lambda context, per invocation where Lambda runs several at once (Managed Instances,
   * `AWS_LAMBDA_MAX_CONCURRENCY`), as Powertools keeps them; the shared value is the base level.
   */
  readonly #level = new InvocationScoped<number>("alma-webhooks.logger.level", {
    initial: LogLevelThreshold.INFO,
  });
  readonly #context = new InvocationScoped<Record<string, unknown> | undefined>(
    "alma-webhooks.logger.context",
    {
      initial: undefined,
    },
  );
  #onDemand: boolean;
  /** Lines logged while the settings are read, printed once they are (as Powertools does). */
  #early: [number, string][] | undefined = [];

  constructor(serviceName: string, logLevel: string, write: LogLineWriter) {
    this.#write = write;
    this.#onDemand = process.env.AWS_LAMBDA_INITIALIZATION_TYPE?.trim() === "on-demand";
    this.#service = serviceName;
    const alc = getStringFromEnv({ key: "AWS_LAMBDA_LOG_LEVEL", defaultValue: "" }).replace(
      /^FATAL$/,
      "CRITICAL",
    );
    this.#alcLevel = isLevel(alc) ? alc : undefined;
    // Read as Powertools reads it: a value other than true or false is refused, as it is there.
    getBooleanFromEnv({ key: "POWERTOOLS_LOGGER_LOG_EVENT", defaultValue: false });
    this.#setInitialLevel(logLevel.toUpperCase());
    const sampleRate = getNumberFromEnv({ key: "POWERTOOLS_LOGGER_SAMPLE_RATE", defaultValue: 0 });
    if (sampleRate >= 0 && sampleRate <= 1) {
      this.#sampleRate = sampleRate;
      if (
        sampleRate &&
        randomPercent() / 100 <= sampleRate &&
        this.#level.getShared() > LogLevelThreshold.TRACE
      ) {
        this.#setLevel("DEBUG");
        this.debug("Setting log level to DEBUG due to sampling rate");
      }
    }
    this.#devMode = isDevMode();
    this.#indentation = this.#devMode ? 4 : 0;
    const early = this.#early ?? [];
    this.#early = undefined;
    for (const [threshold, message] of early) this.#print(threshold, message, []);
  }

  debug(message: string, ...fields: LogFields[]): void {
    this.#log(LogLevelThreshold.DEBUG, message, fields);
  }

  info(message: string, ...fields: LogFields[]): void {
    this.#log(LogLevelThreshold.INFO, message, fields);
  }

  warn(message: string, ...fields: LogFields[]): void {
    this.#log(LogLevelThreshold.WARN, message, fields);
  }

  error(message: string, ...fields: LogFields[]): void {
    this.#log(LogLevelThreshold.ERROR, message, fields);
  }

  /** The level in force, by name (`INFO`, `DEBUG`, ...). */
  get levelName(): LevelName {
    return levelName(this.#level.get());
  }

  addContext(context: Context): void {
    const coldStart = this.#onDemand;
    this.#onDemand = false;
    this.#context.set({
      invokedFunctionArn: context.invokedFunctionArn,
      coldStart,
      awsRequestId: context.awsRequestId,
      memoryLimitInMB: context.memoryLimitInMB,
      functionName: context.functionName,
      functionVersion: context.functionVersion,
      tenantId: (context as { tenantId?: string }).tenantId,
    });
  }

  /** Powertools' precedence: Lambda's own level (ALC) wins, then the given level, then the variables. */
  #setInitialLevel(given: string): void {
    if (this.#alcShortCircuit(given)) return;
    if (isLevel(given)) {
      this.#level.setShared(LogLevelThreshold[given]);
      return;
    }
    const variable =
      getStringFromEnv({ key: "POWERTOOLS_LOG_LEVEL", defaultValue: "" }) ||
      getStringFromEnv({ key: "LOG_LEVEL", defaultValue: "" });
    if (isLevel(variable)) this.#level.setShared(LogLevelThreshold[variable]);
  }

  #setLevel(name: LevelName): void {
    if (!this.#alcShortCircuit(name)) this.#level.set(LogLevelThreshold[name]);
  }

  #alcShortCircuit(selected: string): boolean {
    const alc = this.#alcLevel;
    if (alc === undefined) return false;
    this.#level.setShared(LogLevelThreshold[alc]);
    if (isLevel(selected) && LogLevelThreshold[alc] > LogLevelThreshold[selected]) {
      this.#warnOnce(
        `Current log level (${selected}) does not match AWS Lambda Advanced Logging Controls minimum log level (${alc}). This can lead to data loss, consider adjusting them.`,
      );
    }
    return true;
  }

  #warnOnce(message: string): void {
    if (this.#warned.has(message)) return;
    this.#warned.add(message);
    this.warn(message);
  }

  #log(threshold: number, message: string, fields: readonly LogFields[]): void {
    if (threshold < this.#level.get()) return;
    if (this.#early) this.#early.push([threshold, message]);
    else this.#print(threshold, message, fields);
  }

  #print(threshold: number, input: string, fields: readonly unknown[]): void {
    const timestamp = new Date();
    const xRayTraceId = getXRayTraceIdFromEnv();
    const additional: Record<string, unknown> = {};
    let message: unknown = input;
    if (typeof input !== "string") {
      // Not what core's Logger type allows, but what JavaScript may pass: taken as Powertools takes it
      // (an object's `message` is the message, its other keys are fields; null or undefined throws).
      const { message: given, ...rest } = input as Record<string, unknown>;
      message = given;
      this.#addFields(rest, additional);
    }
    for (const item of fields) {
      if (item === null || item === undefined) continue;
      if (item instanceof Error) additional.error = item;
      else if (typeof item === "string") additional.extra = item;
      else this.#addFields(item as Record<string, unknown>, additional);
    }
    const context = this.#context.get();
    const record = this.#formatter.formatAttributes(
      {
        logLevel: levelName(threshold),
        timestamp,
        xRayTraceId,
        serviceName: this.#service,
        sampleRateValue: this.#sampleRate,
        message,
        ...(context && { lambdaContext: context as never }),
      } as Parameters<LogFormatter["formatAttributes"]>[0],
      additional,
    );
    record.prepareForPrint();
    const line = JSON.stringify(record.getAttributes(), this.#replacer(), this.#indentation);
    if (this.#devMode) {
      // As Powertools in dev mode: the global console (whose trace Powertools makes a plain log).
      const { ERROR, WARN, INFO, DEBUG } = LogLevelThreshold;
      if (threshold >= ERROR) console.error(line);
      else if (threshold >= WARN) console.warn(line);
      else if (threshold >= INFO) console.info(line);
      else if (threshold >= DEBUG) console.debug(line);
      else console.log(line);
    } else this.#write(threshold >= LogLevelThreshold.WARN ? "stderr" : "stdout", line);
  }

  /** Adds each field but the reserved keys, which are dropped with a warning, as Powertools does. */
  #addFields(fields: Record<string, unknown>, to: Record<string, unknown>): void {
    for (const [key, value] of Object.entries(fields)) {
      if (RESERVED_KEYS.includes(key)) this.warn(`The key "${key}" is a reserved key and will be dropped.`);
      else to[key] = value;
    }
  }

  /** Powertools' replacer: Errors as its formatter shows them, BigInts as text, a cycle's repeat left out. */
  #replacer(): (this: unknown, key: string, value: unknown) => unknown {
    const ancestors: unknown[] = [];
    const formatter = this.#formatter;
    return function (this: unknown, _key: string, value: unknown) {
      let replaced = value;
      if (replaced instanceof Error) replaced = formatter.formatError(replaced);
      if (typeof replaced === "bigint") return replaced.toString();
      if (typeof replaced === "object" && replaced !== null) {
        while (ancestors.length > 0 && ancestors.at(-1) !== this) ancestors.pop();
        if (ancestors.includes(replaced)) return undefined;
        ancestors.push(replaced);
      }
      return replaced;
    };
  }
}

const randomPercent = (): number => process.getBuiltinModule("node:crypto").randomInt(0, 100);

/**
 * The structured JSON logger, which satisfies core's `Logger`: Powertools' JSON lines (see
 * {@link PowertoolsJsonLogger}), to stdout (DEBUG, INFO) and stderr (WARN, ERROR). The level comes from
 * `POWERTOOLS_LOG_LEVEL` (or `LOG_LEVEL`), default INFO, unless Lambda's advanced logging controls set
 * `AWS_LAMBDA_LOG_LEVEL`; the service name from `POWERTOOLS_SERVICE_NAME`, default `alma-webhooks`.
 * Lambda's context (cold start flag, request id) is added per invocation.
 *
 * @example
 * ```ts
 * const logger = createLogger(process.env);
 * logger.info("webhook decision", { outcome: "handled" });
 * ```
 */
export function createLogger(
  env: Environment,
  write: LogLineWriter = writeLogLine,
): LambdaLogger & { readonly levelName: string } {
  return new PowertoolsJsonLogger(
    env.POWERTOOLS_SERVICE_NAME || "alma-webhooks",
    env.POWERTOOLS_LOG_LEVEL || env.LOG_LEVEL || "INFO",
    write,
  );
}
