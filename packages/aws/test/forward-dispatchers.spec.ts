import { silentLogger } from "@alma-webhooks/core";
import type { LocalStepFunctions } from "@alma-webhooks/local-aws/endpoint";
import { expect } from "chai";
import { EVENT_SOURCE, EventBusDispatcher, identityResource } from "../src/event-bus-dispatcher.js";
import { systemClock } from "../src/index.js";
import { IDENTITY_ATTRIBUTE, SqsDispatcher } from "../src/sqs-dispatcher.js";
import { BUS, FIFO_QUEUE, localEndpoint, STANDARD_QUEUE } from "./support/local-endpoint.js";

const forward = (target: string, name: string, input = '{"action":"LOAN"}') => ({
  plugin: "LOANS",
  target,
  name,
  input,
  action: "LOAN",
});

describe("SqsDispatcher and EventBusDispatcher, through the real SDK to the embedded endpoint", function () {
  this.timeout(15_000);
  let endpoint: LocalStepFunctions;
  let stop: () => Promise<void>;

  beforeEach(async () => ({ endpoint, stop } = await localEndpoint()));
  afterEach(() => stop());

  it("sends to a FIFO queue: the input as body, the plugin as group, the name as deduplication id and identity", async () => {
    const result = await new SqsDispatcher(silentLogger, systemClock).start(forward(FIFO_QUEUE, "loans-1"));
    expect(result).to.deep.include({ status: "started", deliveredTo: FIFO_QUEUE, forwarded: true });
    const [message] = endpoint.messages();
    expect(message).to.deep.include({
      service: "sqs",
      targetArn: FIFO_QUEUE,
      name: "loans-1",
      group: "LOANS",
      input: '{"action":"LOAN"}',
    });
    const [send] = endpoint.requests().filter((request) => request.operation === "SendMessage");
    expect((send?.body as Record<string, unknown> | undefined)?.MessageAttributes).to.deep.equal({
      [IDENTITY_ATTRIBUTE]: { DataType: "String", StringValue: "loans-1" },
    });
  });

  it("sends to a standard queue without a group or deduplication id, and never repeats a send that failed", async () => {
    const dispatcher = new SqsDispatcher(silentLogger, systemClock);
    expect(await dispatcher.start(forward(STANDARD_QUEUE, "loans-2"))).to.deep.include({ status: "started" });
    expect(endpoint.messages()[0]).to.not.have.property("group");
    endpoint.injectFault({ kind: "server-error", times: 1, operation: "SendMessage" });
    expect(await dispatcher.start(forward(STANDARD_QUEUE, "loans-3"))).to.deep.include({
      status: "failed",
      transient: true,
    });
    expect(endpoint.requests().filter((request) => request.operation === "SendMessage")).to.have.length(2);
  });

  it("refuses a target that is no queue ARN as a permanent failure, sending nothing", async () => {
    const result = await new SqsDispatcher(silentLogger, systemClock).start(forward(BUS, "loans-4"));
    expect(result).to.deep.equal({
      status: "failed",
      transient: false,
      error: `InvalidTarget: ${BUS} is not an SQS queue ARN`,
    });
    expect(endpoint.requests()).to.deep.equal([]);
  });

  it("puts one event on the bus: its source, the action as detail type, the identity as resource", async () => {
    const result = await new EventBusDispatcher(silentLogger, systemClock).start(forward(BUS, "bibs-1"));
    expect(result).to.deep.include({ status: "started", deliveredTo: BUS, forwarded: true });
    const [put] = endpoint.requests().filter((request) => request.operation === "PutEvents");
    expect((put?.body as { Entries: unknown[] } | undefined)?.Entries).to.deep.equal([
      {
        EventBusName: BUS,
        Source: EVENT_SOURCE,
        DetailType: "LOAN",
        Detail: '{"action":"LOAN"}',
        Resources: [identityResource("bibs-1")],
      },
    ]);
  });

  it("classifies an entry the bus refuses by its error code: throttling transient, the rest permanent", async () => {
    const dispatcher = new EventBusDispatcher(silentLogger, systemClock);
    endpoint.injectFault({ kind: "failed-entry", times: 1, errorCode: "ThrottlingException" });
    expect(await dispatcher.start(forward(BUS, "bibs-2"))).to.deep.include({
      status: "failed",
      transient: true,
    });
    endpoint.injectFault({ kind: "failed-entry", times: 1, errorCode: "AccessDeniedException" });
    expect(await dispatcher.start(forward(BUS, "bibs-3"))).to.deep.include({
      status: "failed",
      transient: false,
    });
  });

  it("reports a bus that cannot be reached as a transient failure", async () => {
    await endpoint.close();
    const result = await new EventBusDispatcher(silentLogger, systemClock).start(forward(BUS, "bibs-4"));
    expect(result).to.deep.include({ status: "failed", transient: true });
  });
});
