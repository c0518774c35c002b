import { Logger } from "@aws-lambda-powertools/logger";
import { expect } from "chai";
import sinon from "sinon";
import { createLogger } from "../src/logger.js";

describe("createLogger (Powertools' Logger)", () => {
  afterEach(() => sinon.restore());

  const capture = () => {
    const out = sinon.stub(process.stdout, "write").returns(true);
    const err = sinon.stub(process.stderr, "write").returns(true);
    const lines = (stub: sinon.SinonStub) => stub.getCalls().map((call) => JSON.parse(String(call.args[0])));
    return { out: () => lines(out), err: () => lines(err) };
  };

  it("writes one JSON line per call with Powertools' keys, the service name and the fields", () => {
    const streams = capture();
    createLogger({ POWERTOOLS_SERVICE_NAME: "alma-test" }).info("webhook decision", {
      outcome: "challenge",
      statusCode: 200,
    });
    const [line] = streams.out();
    sinon.restore();
    expect(line).to.include({
      level: "INFO",
      message: "webhook decision",
      service: "alma-test",
      outcome: "challenge",
      statusCode: 200,
    });
    expect(line).to.have.property("timestamp");
  });

  it("sends warnings and errors to stderr, and honours the level", () => {
    const streams = capture();
    const logger = createLogger({ POWERTOOLS_LOG_LEVEL: "warn" });
    logger.info("dropped");
    logger.warn("careful", { plugin: "PPOD" });
    logger.error("broken");
    const [out, err] = [streams.out(), streams.err()];
    sinon.restore();
    expect(out).to.deep.equal([]);
    expect(err.map((line) => [line.level, line.message])).to.deep.equal([
      ["WARN", "careful"],
      ["ERROR", "broken"],
    ]);
  });

  it("still writes fields that plain JSON cannot hold (a cycle, a BigInt)", () => {
    const streams = capture();
    const cyclic: Record<string, unknown> = { big: 10n };
    cyclic.self = cyclic;
    createLogger({}).info("odd fields", { cyclic });
    const [line] = streams.out();
    sinon.restore();
    expect(line).to.deep.include({ message: "odd fields", cyclic: { big: "10" } });
  });

  it("serialises Error fields as Powertools does", () => {
    const streams = capture();
    createLogger({}).error("failed", { error: new RangeError("out of range") });
    const [line] = streams.err();
    sinon.restore();
    expect(line.error).to.include({ name: "RangeError", message: "out of range" });
  });

  it("is Powertools' own Logger, configured through its public options only", () => {
    const logger = createLogger({ POWERTOOLS_SERVICE_NAME: "alma-test", LOG_LEVEL: "debug" });
    expect(Object.getPrototypeOf(logger)).to.equal(Logger.prototype);
    expect((logger as Logger).getLevelName()).to.equal("DEBUG");
  });

  it("adds Lambda's request id and cold-start flag once given the invocation context", () => {
    const streams = capture();
    const logger = createLogger({});
    logger.addContext({
      awsRequestId: "req-1",
      functionName: "alma-webhook",
      functionVersion: "$LATEST",
      invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:alma-webhook",
      memoryLimitInMB: "256",
    } as Parameters<typeof logger.addContext>[0]);
    logger.info("with context");
    const [line] = streams.out();
    sinon.restore();
    expect(line).to.include({ message: "with context", function_request_id: "req-1" });
    expect(line).to.have.property("cold_start");
  });
});
