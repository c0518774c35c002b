import type { DispatchResult, ExecutionRequest } from "@alma-webhooks/core";
import { silentLogger } from "@alma-webhooks/core";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { expect } from "chai";
import sinon from "sinon";
import { DeliveryLedger } from "../src/index.js";

const clock = { now: () => 1_700_000_000_000 };
const request: ExecutionRequest = {
  plugin: "PPOD",
  target: "arn:aws:states:us-east-1:123456789012:stateMachine:ppod",
  name: "ppod-1",
  input: "{}",
};

describe("DeliveryLedger: the ledger and the history as the shell wires them, loaded on first need", () => {
  let send: sinon.SinonStub;
  const operations = () =>
    send.getCalls().map((call) => (call.args[0] as object).constructor.name.replace("Command", ""));
  beforeEach(() => {
    send = sinon.stub(DynamoDBClient.prototype, "send").resolves({});
  });
  afterEach(() => sinon.restore());

  it("writes no history for a request that was never a verified webhook, and calls nothing", async () => {
    const ledger = new DeliveryLedger("deliveries", clock, silentLogger);
    for (const outcome of ["challenge", "unauthorized", "not-http"] as const) {
      ledger.begin();
      ledger.record({ outcome, statusCode: 200 });
    }
    await ledger.settle();
    expect(send.called).to.equal(false);
  });

  it("claims a delivery in the table before the dispatcher sends it, and records the completion", async () => {
    const ledger = new DeliveryLedger("deliveries", clock, silentLogger);
    const started: DispatchResult = { status: "started", deliveredTo: "arn:…:execution:ppod:ppod-1" };
    const inner = { start: sinon.stub().resolves(started) };
    expect(await ledger.around(inner).start(request)).to.deep.equal(started);
    expect(inner.start.calledOnce).to.equal(true);
    expect(operations()[0]).to.equal("PutItem");
    expect(operations()).to.include("UpdateItem");
  });

  it("writes one history record per verified webhook, awaited by settle", async () => {
    const ledger = new DeliveryLedger("deliveries", clock, silentLogger);
    ledger.begin();
    ledger.record({ outcome: "handled", statusCode: 200, identity: "ppod-1", requestId: "r1" });
    await ledger.settle();
    expect(operations()).to.deep.equal(["PutItem"]);
  });

  it("answers a delivery as transient when the ledger's code cannot load, and tries again on the next", async () => {
    const ledger = new DeliveryLedger("deliveries", clock, silentLogger);
    const failing = sinon.stub(ledger as unknown as { load(): Promise<unknown> }, "load");
    failing.rejects(new Error("chunk missing"));
    const inner = { start: sinon.stub().resolves({ status: "started", deliveredTo: "x" }) };
    const result = await ledger.around(inner).start(request);
    expect(result).to.deep.include({ status: "failed", transient: true });
    expect(result.status === "failed" && result.error).to.match(/^LedgerUnavailable: .*chunk missing/);
    expect(inner.start.called).to.equal(false);
    const warnings: unknown[] = [];
    const logged = new DeliveryLedger("deliveries", clock, {
      ...silentLogger,
      warn: (...args) => warnings.push(args),
    });
    sinon.stub(logged as unknown as { load(): Promise<unknown> }, "load").rejects(new Error("chunk missing"));
    logged.record({ outcome: "handled", statusCode: 200 });
    await logged.settle();
    expect(warnings).to.have.length(1);
  });
});
