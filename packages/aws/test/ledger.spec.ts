import type {
  ExecutionDispatcher as BudgetedDispatcher,
  DispatchResult,
  ExecutionRequest,
} from "@alma-webhooks/core";
import { silentLogger } from "@alma-webhooks/core";
import { expect } from "chai";
import type { Clock } from "../src/deadline.js";
import { refusedBeforeArrival, retryRefused } from "../src/deadline.js";
import { DeliveryHistory, LedgerDispatcher, LedgerTable } from "../src/ledger.js";
import { deliverySize, TARGET_LIMITS } from "../src/limits.js";
import { TargetDispatcher } from "../src/target-dispatcher.js";

type Item = Record<string, { S?: string; N?: string; BOOL?: boolean }>;

/** An in-memory table that answers the four calls the ledger makes, as DynamoDB would. */
class FakeTable extends LedgerTable {
  readonly items = new Map<string, Item>();
  readonly calls: string[] = [];
  failing = false;

  override async load() {
    const sdk = await import("../src/dynamodb-sdk.js");
    const client = {
      send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
        const name = command.constructor.name.replace("Command", "");
        this.calls.push(name);
        if (this.failing) throw Object.assign(new Error("down"), { name: "InternalServerError" });
        const input = command.input as {
          Item?: Item;
          Key?: { id: { S: string } };
          ExpressionAttributeValues?: Item;
          ConditionExpression?: string;
        };
        const conditionFailed = () =>
          Object.assign(new Error("condition"), { name: "ConditionalCheckFailedException" });
        if (name === "PutItem") {
          const id = String(input.Item?.id?.S);
          const existing = this.items.get(id);
          const now = Number(input.ExpressionAttributeValues?.[":now"]?.N ?? 0);
          if (input.ConditionExpression && existing && Number(existing.expiration?.N) >= now)
            throw conditionFailed();
          this.items.set(id, input.Item as Item);
          return {};
        }
        const id = String(input.Key?.id.S);
        if (name === "GetItem") return { Item: this.items.get(id) };
        if (name === "DeleteItem") {
          if (this.items.get(id)?.owner?.S !== input.ExpressionAttributeValues?.[":owner"]?.S)
            throw conditionFailed();
          this.items.delete(id);
          return {};
        }
        // UpdateItem: the completion.
        const values = input.ExpressionAttributeValues ?? {};
        this.items.set(id, {
          ...this.items.get(id),
          state: values[":state"] ?? {},
          forwarded: values[":forwarded"] ?? {},
          executionArn: values[":arn"] ?? {},
          expiration: values[":exp"] ?? {},
        });
        return {};
      },
    };
    return { client: client as never, sdk };
  }
}

class Inner implements BudgetedDispatcher {
  readonly requests: ExecutionRequest[] = [];
  constructor(public result: DispatchResult) {}
  async start(request: ExecutionRequest): Promise<DispatchResult> {
    this.requests.push(request);
    return this.result;
  }
}

const clock: Clock = { now: () => Date.now() };
const request: ExecutionRequest = {
  plugin: "LOANS",
  target: "arn:aws:sqs:us-east-1:123456789012:loans",
  name: "loans-loan-20241106T150000-abc",
  input: "{}",
  action: "LOAN",
};
const sent: DispatchResult = {
  status: "started",
  deliveredTo: request.target,
  messageId: "m-1",
  forwarded: true,
};

describe("LedgerDispatcher", () => {
  it("sends once: a repeat after a success is a duplicate, nothing sent", async () => {
    const table = new FakeTable("t", clock);
    const inner = new Inner(sent);
    const ledger = new LedgerDispatcher(inner, table, silentLogger);
    expect(await ledger.start(request)).to.deep.equal(sent);
    expect(await ledger.start(request)).to.deep.equal({
      status: "duplicate",
      deliveredTo: request.target,
      forwarded: true,
    });
    expect(inner.requests).to.have.length(1);
    expect(table.items.get(`${request.name}#LOANS`)?.state?.S).to.equal("completed");
  });

  it("answers 503 while another delivery of the same webhook is in flight", async () => {
    const table = new FakeTable("t", clock);
    const inner = new Inner(sent);
    table.items.set(`${request.name}#LOANS`, {
      state: { S: "in-progress" },
      owner: { S: "someone else" },
      expiration: { N: String(Math.floor(Date.now() / 1000) + 60) },
    });
    const result = await new LedgerDispatcher(inner, table, silentLogger).start(request);
    expect(result).to.deep.include({ status: "failed", transient: true });
    expect(inner.requests).to.deep.equal([]);
  });

  it("releases the claim after a permanent failure, so the retry sends; keeps it after a transient one", async () => {
    const table = new FakeTable("t", clock);
    const inner = new Inner({ status: "failed", transient: false, error: "gone" });
    const ledger = new LedgerDispatcher(inner, table, silentLogger);
    await ledger.start(request);
    expect(table.items.size).to.equal(0);
    inner.result = { status: "failed", transient: true, error: "TimeoutError" };
    await ledger.start(request);
    expect(table.items.get(`${request.name}#LOANS`)?.state?.S).to.equal("in-progress");
  });

  it("answers 503 and sends nothing when the ledger cannot be reached", async () => {
    const table = new FakeTable("t", clock);
    table.failing = true;
    const inner = new Inner(sent);
    const result = await new LedgerDispatcher(inner, table, silentLogger).start(request);
    expect(result).to.deep.include({ status: "failed", transient: true });
    expect(inner.requests).to.deep.equal([]);
  });
});

describe("DeliveryHistory", () => {
  it("writes one record per verified webhook, none for a challenge or a bad signature, and never throws", async () => {
    const table = new FakeTable("t", clock);
    const history = new DeliveryHistory(table, silentLogger);
    history.record({ outcome: "challenge", statusCode: 200 });
    history.record({ outcome: "unauthorized", statusCode: 401 });
    history.record({
      requestId: "r-1",
      action: "LOAN",
      event: "LOAN_CREATED",
      identity: "20241106T150000-abc",
      outcome: "handled",
      statusCode: 413,
      plugins: [{ plugin: "LOANS", decision: "too-large", size: 2, limit: 1, error: "too large" }],
    });
    await history.settle();
    const [item] = [...table.items.values()];
    expect(table.items.size).to.equal(1);
    expect(item).to.deep.include({ kind: { S: "webhook" }, failed: { BOOL: true }, status: { N: "413" } });
    table.failing = true;
    history.record({ action: "BIB", outcome: "handled", statusCode: 200 });
    await history.settle();
  });
});

describe("size limits", () => {
  it("counts an SQS message with its identity attribute, and refuses a body too large without a bucket", async () => {
    const big = { ...request, input: "x".repeat(TARGET_LIMITS.sqs) };
    expect(deliverySize("sqs", big)).to.be.above(TARGET_LIMITS.sqs);
    const result = await new TargetDispatcher(silentLogger, clock).start(big);
    expect(result).to.deep.include({ status: "too-large", limit: 1_048_576 });
    const input = "y".repeat(TARGET_LIMITS["step-functions"] + 1);
    expect(deliverySize("step-functions", { ...request, input })).to.equal(262_145);
  });
});

describe("retryRefused", () => {
  const throttled = Object.assign(new Error("slow down"), {
    name: "ThrottlingException",
    $metadata: { httpStatusCode: 400 },
  });

  it("tries a throttled send again, never one that timed out", async () => {
    expect(refusedBeforeArrival(throttled)).to.equal(true);
    expect(refusedBeforeArrival({ name: "TimeoutError" })).to.equal(false);
    expect(
      refusedBeforeArrival({ name: "ThrottlingException", $metadata: { httpStatusCode: 503 } }),
    ).to.equal(false);
    let calls = 0;
    const value = await retryRefused(clock, "Send", Date.now() + 3000, async () => {
      calls += 1;
      if (calls < 3) throw throttled;
      return "sent";
    });
    expect([value, calls]).to.deep.equal(["sent", 3]);
    calls = 0;
    const timeout = Object.assign(new Error("late"), { name: "TimeoutError" });
    const attempt = retryRefused(clock, "Send", Date.now() + 3000, async () => {
      calls += 1;
      throw timeout;
    });
    await attempt.then(
      () => expect.fail("resolved"),
      (error: unknown) => expect(error).to.equal(timeout),
    );
    expect(calls).to.equal(1);
  });
});
