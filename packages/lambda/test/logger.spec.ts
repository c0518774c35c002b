import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { InvokeStore } from "@aws/lambda-invoke-store";
import { InvokeStoreBase } from "@aws/lambda-invoke-store";
import { Logger } from "@aws-lambda-powertools/logger";
import type { Context } from "aws-lambda";
import { expect } from "chai";
import sinon from "sinon";
import { createLogger, type LogLineWriter } from "../src/logger.js";

// Every setting either logger reads from the environment.
const SETTINGS = [
  "POWERTOOLS_SERVICE_NAME",
  "POWERTOOLS_LOG_LEVEL",
  "LOG_LEVEL",
  "AWS_LAMBDA_LOG_LEVEL",
  "POWERTOOLS_LOGGER_SAMPLE_RATE",
  "POWERTOOLS_LOGGER_LOG_EVENT",
  "POWERTOOLS_DEV",
  "TZ",
  "_X_AMZN_TRACE_ID",
  "AWS_LAMBDA_INITIALIZATION_TYPE",
  "AWS_LAMBDA_MAX_CONCURRENCY",
] as const;
type Settings = Partial<Record<(typeof SETTINGS)[number], string>>;

const CONTEXT = {
  awsRequestId: "req-1",
  functionName: "alma-webhook",
  functionVersion: "$LATEST",
  invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:alma-webhook",
  memoryLimitInMB: "256",
} as Context;

// The inputs, made once, so that both loggers see the same objects (and the same stacks).
const cause = new TypeError("the cause");
const failure = Object.assign(new Error("failed to start", { cause }), { code: "E_START", $fault: "server" });
const aggregate = new AggregateError([cause], "many");
const asInput = new RangeError("as input");
const cyclic: Record<string, unknown> = { big: 10n, name: "cyclic" };
cyclic.self = cyclic;
cyclic.list = [cyclic, 1];
const cyclicList: unknown[] = [1];
cyclicList.push(cyclicList, { back: cyclicList });
const shared = { value: 1 };
class Point {
  constructor(
    readonly x = 1,
    readonly y = 2,
  ) {}
}
// biome-ignore lint/suspicious/noSparseArray: a hole is one of the inputs.
const sparse = [1, , 3];

/** Everything the function logs, and the odd things a field may hold. */
function script(logger: Pick<Logger, "debug" | "info" | "warn" | "error" | "addContext">): void {
  logger.debug("debug line", { a: 1 });
  logger.info("webhook decision", {
    outcome: "handled",
    statusCode: 200,
    nested: { list: [1, "two", null, undefined, { deep: true }], empty: "" },
  });
  logger.warn("100%s %d %j", { empty: "", nothing: null, missing: undefined, zero: 0, no: false });
  logger.error("Unexpected error in the webhook handler", { error: failure });
  logger.error("aggregate", { error: aggregate });
  logger.info("reserved", {
    level: "x",
    message: "y",
    service: "z",
    timestamp: 1,
    sampling_rate: 2,
    cold_start: 3,
  });
  logger.info("odd fields", {
    cyclic,
    date: new Date(0),
    map: new Map([[1, 2]]),
    buffer: Buffer.from("hi"),
    fn: () => 1,
    symbol: Symbol("s"),
    nan: Number.NaN,
    negativeZero: -0,
    infinity: Number.NEGATIVE_INFINITY,
    point: new Point(),
    withToJSON: { toJSON: () => "json!" },
    nullProto: Object.assign(Object.create(null), { a: 1 }),
  });
  logger.info("prototype keys", JSON.parse('{"__proto__": {"x": 1}, "constructor": "c", "ok": 1}'));
  logger.info("arrays", { cyclicList, sparse, twice: [shared, shared] });
  logger.info("several field objects", { a: 1, b: { c: 1 } }, { b: { d: 2 }, e: 3 });
  logger.info('unicode ✓ \u2028 "quoted" \\ </script>');
  logger.addContext(CONTEXT);
  logger.info("with context", { function_request_id: "overridden?", function_name: undefined });
  logger.addContext({ ...CONTEXT, awsRequestId: "req-2", tenantId: "tenant-7" } as Context);
  logger.warn("second invocation");
  // Not what core's Logger type allows, but what a plugin in JavaScript might pass.
  (logger.error as (...args: unknown[]) => void)("loose inputs", asInput, "extra text", null, 7);
}

/** Runs `run` with exactly `settings` among the settings, the clock fixed, the streams and console captured. */
/** Each line printed, as `stream: line` (so that a failed comparison shows the lines that differ). */
function capture(
  settings: Settings,
  run: (write: LogLineWriter) => void,
  now = Date.UTC(2026, 11, 7, 20, 30, 45, 678),
): string[] | string {
  const saved = Object.fromEntries(SETTINGS.map((key) => [key, process.env[key]]));
  const savedTrace = console.trace;
  for (const key of SETTINGS) delete process.env[key];
  for (const [key, value] of Object.entries(settings)) if (value !== undefined) process.env[key] = value;
  const printed: string[] = [];
  const keep = (stream: string) => (line: unknown) => {
    printed.push(`${stream}: ${String(line).replace(/\n$/, "")}`);
    return true;
  };
  const clock = sinon.useFakeTimers({ now, toFake: ["Date"] });
  sinon.stub(process.stdout, "write").callsFake(keep("stdout"));
  sinon.stub(process.stderr, "write").callsFake(keep("stderr"));
  for (const method of ["log", "debug", "info", "warn", "error"] as const) {
    sinon.stub(console, method).callsFake(keep(`console.${method}`));
  }
  try {
    run((stream, line) => printed.push(`${stream}: ${line}`));
    return printed;
  } catch (error) {
    return `threw ${String(error)}`;
  } finally {
    sinon.restore();
    clock.restore();
    console.trace = savedTrace;
    for (const key of SETTINGS) delete process.env[key];
    for (const [key, value] of Object.entries(saved)) if (value !== undefined) process.env[key] = value;
  }
}

/** What Powertools' own Logger prints, configured as this function configured it until now. */
const powertools = (settings: Settings, run = script, now?: number) =>
  capture(
    settings,
    () => {
      const logger = new Logger({
        serviceName: settings.POWERTOOLS_SERVICE_NAME || "alma-webhooks",
        logLevel: (settings.POWERTOOLS_LOG_LEVEL || settings.LOG_LEVEL || "INFO").toUpperCase() as never,
      });
      run(logger);
    },
    now,
  );

const ours = (settings: Settings, run = script, now?: number) =>
  capture(settings, (write) => run(createLogger(settings, write) as unknown as Logger), now);

const cases: Settings[] = [{}, { POWERTOOLS_SERVICE_NAME: "alma-test" }];
for (const POWERTOOLS_LOG_LEVEL of [
  undefined,
  "debug",
  "WARN",
  "silent",
  "verbose",
  " info ",
  "TRACE",
  "critical",
]) {
  for (const LOG_LEVEL of [undefined, "DEBUG", "warn", "nonsense"])
    cases.push({ POWERTOOLS_LOG_LEVEL, LOG_LEVEL });
}
for (const AWS_LAMBDA_LOG_LEVEL of ["DEBUG", "INFO", "WARN", "ERROR", "FATAL", "bogus", " WARN ", "warn"]) {
  for (const POWERTOOLS_LOG_LEVEL of [undefined, "DEBUG", "ERROR", "verbose"]) {
    cases.push({ AWS_LAMBDA_LOG_LEVEL, POWERTOOLS_LOG_LEVEL });
  }
}
for (const POWERTOOLS_LOGGER_SAMPLE_RATE of ["1", "0", "2", "-1", "", " 1 ", "0.0", "abc"]) {
  for (const [POWERTOOLS_LOG_LEVEL, AWS_LAMBDA_LOG_LEVEL] of [
    [undefined, undefined],
    ["ERROR", undefined],
    ["TRACE", undefined],
    [undefined, "WARN"],
    [undefined, "DEBUG"],
  ]) {
    cases.push({ POWERTOOLS_LOGGER_SAMPLE_RATE, POWERTOOLS_LOG_LEVEL, AWS_LAMBDA_LOG_LEVEL });
  }
}
for (const TZ of ["UTC", ":UTC", "America/New_York", "Asia/Kolkata", "Not/AZone", ""]) cases.push({ TZ });
for (const trace of [
  "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
  "1-plain",
  "",
]) {
  cases.push({ _X_AMZN_TRACE_ID: trace });
}
for (const type of ["on-demand", "provisioned-concurrency", " on-demand ", "snap-start"]) {
  cases.push({ AWS_LAMBDA_INITIALIZATION_TYPE: type });
}
for (const dev of ["true", "1", "false", "maybe"]) {
  cases.push(
    { POWERTOOLS_DEV: dev },
    { POWERTOOLS_DEV: dev, POWERTOOLS_LOG_LEVEL: "DEBUG", TZ: "Asia/Kolkata" },
  );
}
for (const logEvent of ["true", "TRUE", "false", "yes", ""])
  cases.push({ POWERTOOLS_LOGGER_LOG_EVENT: logEvent });

describe("createLogger (Powertools' JSON lines without Powertools' Logger class)", () => {
  afterEach(() => sinon.restore());

  describe("prints exactly what Powertools' Logger printed, line for line and stream for stream", () => {
    for (const settings of cases) {
      const name = JSON.stringify(
        Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)),
      );
      it(name, () => {
        const expected = powertools(settings);
        expect(ours(settings)).to.deep.equal(expected);
      });
    }
  });

  it("takes a message that is not a string as Powertools does (from JavaScript: core's type allows none)", () => {
    const loose = (logger: Pick<Logger, "info" | "error">) => {
      for (const input of [{ message: "m", level: "x", k: 1 }, { k: 2 }, 42, true, "", undefined, null]) {
        try {
          (logger.info as (input: unknown, ...rest: unknown[]) => void)(input, { after: 1 });
        } catch (error) {
          logger.error("refused", { refused: String(error) });
        }
      }
    };
    const expected = powertools({}, loose);
    expect(ours({}, loose)).to.deep.equal(expected);
    expect(String(expected)).to.include("refused");
  });

  describe("keeps the level and the Lambda context per invocation where Lambda runs several at once", () => {
    // Lambda's runtime installs one store for the process, `globalThis.awslambda.InvokeStore`, which the loggers
    // read. Here one may be installed already (the SDK's middleware asks the package for it), made before
    // AWS_LAMBDA_MAX_CONCURRENCY was set: such a store keeps no invocation apart. So this block loads a fresh
    // copy of the package and asks it for a store for concurrent invocations, installs that store for each
    // test, and puts the other back after.
    type Store = Awaited<ReturnType<typeof InvokeStore.getInstanceAsync>>;
    const global = globalThis as { awslambda?: { InvokeStore?: Store } };
    let before: Store | undefined;
    let store: Store;
    const install = async () => {
      const require = createRequire(import.meta.url);
      const path = require.resolve("@aws/lambda-invoke-store");
      delete require.cache[path];
      const fresh = require(path) as { InvokeStore: typeof InvokeStore };
      const saved = global.awslambda?.InvokeStore;
      if (global.awslambda) delete global.awslambda.InvokeStore;
      else global.awslambda = {};
      store = await fresh.InvokeStore.getInstanceAsync(true);
      global.awslambda.InvokeStore = saved;
    };
    beforeEach(async () => {
      if (!store) await install();
      before = global.awslambda?.InvokeStore;
      global.awslambda ??= {};
      global.awslambda.InvokeStore = store;
    });
    afterEach(() => {
      if (global.awslambda) global.awslambda.InvokeStore = before;
    });
    const run = (id: string, work: () => Promise<void>) =>
      store.run({ [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: id }, work);
    /** Runs `scenario` with `settings` and Managed Instances' variable set, capturing what is printed. */
    async function concurrent(
      settings: Settings,
      scenario: (make: () => Pick<Logger, "info" | "debug" | "addContext">) => Promise<void>,
    ) {
      const results: (string[] | string)[] = [];
      for (const side of ["powertools", "ours"] as const) {
        const printed: string[] = [];
        const saved = Object.fromEntries(SETTINGS.map((key) => [key, process.env[key]]));
        for (const [key, value] of Object.entries({ ...settings, AWS_LAMBDA_MAX_CONCURRENCY: "4" })) {
          if (value !== undefined) process.env[key] = value;
        }
        const clock = sinon.useFakeTimers({ now: Date.UTC(2026, 11, 7), toFake: ["Date"] });
        sinon
          .stub(process.stdout, "write")
          .callsFake((line) => printed.push(`stdout: ${String(line).trimEnd()}`) > 0);
        sinon
          .stub(process.stderr, "write")
          .callsFake((line) => printed.push(`stderr: ${String(line).trimEnd()}`) > 0);
        try {
          await scenario(() =>
            side === "powertools"
              ? new Logger({ serviceName: "alma-webhooks", logLevel: "INFO" })
              : (createLogger(process.env, (stream, line) =>
                  printed.push(`${stream}: ${line}`),
                ) as unknown as Logger),
          );
          results.push(printed);
        } catch (error) {
          results.push(`threw ${String(error)}`);
        } finally {
          sinon.restore();
          clock.restore();
          for (const key of SETTINGS) delete process.env[key];
          for (const [key, value] of Object.entries(saved)) if (value !== undefined) process.env[key] = value;
        }
      }
      return results;
    }
    const context = (awsRequestId: string) => ({ ...CONTEXT, awsRequestId }) as Context;

    it("each invocation's lines carry its own context, and a line outside any carries none", async () => {
      const [expected, actual] = await concurrent(
        { AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand" },
        async (make) => {
          const logger = make();
          const invoke = (id: string, wait: number) =>
            run(id, async () => {
              logger.addContext(context(id));
              await new Promise((resolve) => setTimeout(resolve, wait));
              logger.info("webhook decision", { expected: id });
            });
          await Promise.all([invoke("req-A", 30), invoke("req-B", 5)]);
          logger.info("outside any invocation");
        },
      );
      expect(actual).to.deep.equal(expected);
      expect(String(expected)).to.include('"function_request_id":"req-A"').and.include('"expected":"req-A"');
    });

    it("a sampled DEBUG level lasts for the invocation that built the logger only", async () => {
      const [expected, actual] = await concurrent({ POWERTOOLS_LOGGER_SAMPLE_RATE: "1" }, async (make) => {
        let logger: ReturnType<typeof make> | undefined;
        await run("req-1", async () => {
          logger = make();
          logger.debug("debug in invocation 1");
        });
        await run("req-2", async () => logger?.debug("debug in invocation 2"));
      });
      expect(actual).to.deep.equal(expected);
      expect(String(expected)).to.include("debug in invocation 1").and.not.include("debug in invocation 2");
    });

    it("without the runtime's store, every line is refused as Powertools refuses it", async () => {
      if (global.awslambda) delete global.awslambda.InvokeStore;
      const [expected, actual] = await concurrent({}, async (make) => make().info("hello"));
      expect(actual).to.deep.equal(expected);
      expect(expected).to.match(/^threw Error: InvokeStore is not available/);
    });
  });

  describe("writes the same timestamps at any instant, in UTC and in a time zone", () => {
    const instants = [
      Date.UTC(2026, 0, 1, 0, 0, 0, 0),
      Date.UTC(2026, 11, 31, 23, 59, 59, 999),
      Date.UTC(2024, 1, 29, 9, 5, 7, 5),
      Date.UTC(2027, 6, 4, 12, 30, 0, 50),
      0,
      -1,
      Date.UTC(999, 4, 6, 7, 8, 9, 10),
      Date.UTC(9999, 11, 31, 23, 59, 59, 999),
      Date.UTC(10000, 0, 1),
      Date.UTC(-1, 0, 1),
      8.64e15,
    ];
    const oneLine = (logger: Pick<Logger, "info">) => logger.info("now");
    for (const now of instants) {
      for (const TZ of [undefined, ":UTC", "Asia/Kolkata"]) {
        it(`${new Date(now).toISOString()}, TZ ${TZ ?? "unset"}`, () => {
          const expected = powertools({ TZ }, oneLine, now);
          expect(ours({ TZ }, oneLine, now)).to.deep.equal(expected);
          expect(expected).to.have.length(1);
        });
      }
    }
  });

  it("the comparison has something to compare: the default settings print every level from INFO up", () => {
    const printed = powertools({});
    expect(printed).to.be.an("array");
    const levels = (printed as string[]).map((line) => JSON.parse(line.replace(/^\w+: /, "")).level);
    expect(new Set(levels)).to.deep.equal(new Set(["INFO", "WARN", "ERROR"]));
    expect(powertools({ POWERTOOLS_LOGGER_SAMPLE_RATE: "abc" })).to.match(/^threw TypeError/);
  });

  it("writes one JSON line per call with Powertools' keys, the service name and the fields", () => {
    const lines: [string, string][] = [];
    createLogger({ POWERTOOLS_SERVICE_NAME: "alma-test" }, (stream, line) => lines.push([stream, line])).info(
      "webhook decision",
      { outcome: "challenge", statusCode: 200 },
    );
    expect(lines).to.have.length(1);
    const [stream, line] = lines[0] ?? [];
    expect(stream).to.equal("stdout");
    expect(Object.keys(JSON.parse(String(line)))).to.deep.equal([
      "level",
      "message",
      "timestamp",
      "service",
      "sampling_rate",
      "outcome",
      "statusCode",
    ]);
    expect(JSON.parse(String(line))).to.include({
      level: "INFO",
      service: "alma-test",
      outcome: "challenge",
    });
  });

  it("sends warnings and errors to stderr, and honours the level", () => {
    const lines: [string, string][] = [];
    const logger = createLogger({ POWERTOOLS_LOG_LEVEL: "warn" }, (stream, line) =>
      lines.push([stream, line]),
    );
    logger.info("dropped");
    logger.warn("careful", { plugin: "PPOD" });
    logger.error("broken");
    expect(logger.levelName).to.equal("WARN");
    expect(lines.map(([stream, line]) => [stream, JSON.parse(line).message])).to.deep.equal([
      ["stderr", "careful"],
      ["stderr", "broken"],
    ]);
  });

  describe("writes to the process's own descriptors, without creating process.stdout", () => {
    const child = fileURLToPath(new URL("./support/log-lines-child.js", import.meta.url));
    const run = (mode: string, slowReader = false) =>
      new Promise<{ stdout: string; stderr: string; code: number | null }>((resolve, reject) => {
        const proc = spawn(process.execPath, [child, mode], { stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        proc.stderr.on("data", (chunk: Buffer) => {
          stderr += chunk;
        });
        if (slowReader) {
          // Read nothing for a while: the pipe fills, and the child's writes must wait, not be lost.
          proc.stdout.pause();
          setTimeout(() => proc.stdout.resume(), 300);
        }
        proc.stdout.on("data", (chunk: Buffer) => {
          stdout += chunk;
        });
        proc.on("error", reject);
        proc.on("close", (code) => resolve({ stdout, stderr, code }));
      });

    it("to a pipe: the lines, in order, and no stream module loaded", async () => {
      const { stdout, stderr, code } = await run("plain");
      expect(code, stderr).to.equal(0);
      expect(
        stdout
          .trim()
          .split("\n")
          .map((line) => JSON.parse(line).message),
      ).to.deep.equal(["first", "second"]);
      const [warning, report] = stderr
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line));
      expect(warning.message).to.equal("a warning");
      expect(report.loaded).to.deep.equal([]);
    });

    it("a megabyte line through a full non-blocking pipe arrives whole, after the lines before it", async () => {
      const { stdout, stderr, code } = await run("large", true);
      expect(code, stderr).to.equal(0);
      const lines = stdout.trim().split("\n");
      expect(lines.map((line) => JSON.parse(line).message.length)).to.deep.equal([6, 1024 * 1024, 4]);
      // The check above can fail: this child made process.stdout, and that loaded what a pipe needs.
      expect(JSON.parse(stderr).loaded).to.include("NativeModule net");
    });
  });
});
