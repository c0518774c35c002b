import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { expect } from "chai";
import type { LocalFunction, LocalInvokeContext, LocalStepFunctions } from "../src/endpoint.js";
import { startLocalStepFunctions } from "../src/endpoint.js";

describe("local endpoint: Lambda Invoke", () => {
  let endpoint: LocalStepFunctions;
  let client: LambdaClient;
  const seen: { event: unknown; context: LocalInvokeContext }[] = [];
  const echo: LocalFunction = async (event, context) => {
    seen.push({ event, context });
    return { echoed: event, remaining: context.getRemainingTimeInMillis() };
  };

  before(async () => {
    endpoint = await startLocalStepFunctions({
      functions: {
        "alma-webhooks": echo,
        "alma-webhooks:live": async (event) => ({ alias: "live", event }),
        broken: async () => {
          throw new TypeError("handler bug");
        },
        nothing: async () => undefined,
      },
      functionTimeoutMs: 3000,
    });
    client = new LambdaClient({
      endpoint: endpoint.url,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 1,
    });
  });
  after(async () => {
    client.destroy();
    await endpoint.close();
  });
  beforeEach(() => {
    endpoint.reset();
    seen.length = 0;
  });

  const invoke = (FunctionName: string, payload: unknown, extra: Record<string, unknown> = {}) =>
    client.send(
      new InvokeCommand({
        FunctionName,
        InvocationType: "RequestResponse",
        Payload: Buffer.from(typeof payload === "string" ? payload : JSON.stringify(payload)),
        ...extra,
      }),
    );
  const json = (bytes: Uint8Array | undefined): unknown =>
    JSON.parse(Buffer.from(bytes ?? []).toString("utf8"));

  it("runs the named function with the event and answers its result, as the SDK sends it", async () => {
    const output = await invoke("alma-webhooks", { redeliver: { ids: ["a"] } });
    expect(output.StatusCode).to.equal(200);
    expect(output.FunctionError).to.equal(undefined);
    const answer = json(output.Payload) as { echoed: unknown; remaining: number };
    expect(answer.echoed).to.deep.equal({ redeliver: { ids: ["a"] } });
    expect(answer.remaining).to.be.within(1, 3000);
    expect(seen[0]?.context).to.include({
      functionName: "alma-webhooks",
      functionVersion: "$LATEST",
      invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:alma-webhooks",
    });
    expect(endpoint.invocations()).to.deep.equal([
      {
        functionName: "alma-webhooks",
        invocationType: "RequestResponse",
        event: { redeliver: { ids: ["a"] } },
      },
    ]);
    expect(endpoint.requests().map((request) => request.operation)).to.deep.equal(["Invoke"]);
  });

  it("tells a qualifier apart, in the name or as Qualifier, and falls back to the unqualified function", async () => {
    expect(json((await invoke("alma-webhooks:live", { n: 1 })).Payload)).to.deep.equal({
      alias: "live",
      event: { n: 1 },
    });
    expect(json((await invoke("alma-webhooks", { n: 2 }, { Qualifier: "live" })).Payload)).to.deep.equal({
      alias: "live",
      event: { n: 2 },
    });
    await invoke("arn:aws:lambda:eu-west-1:210987654321:function:alma-webhooks:7", { n: 3 });
    expect(seen[0]?.context.invokedFunctionArn).to.equal(
      "arn:aws:lambda:eu-west-1:210987654321:function:alma-webhooks:7",
    );
    expect(seen[0]?.context.functionVersion).to.equal("7");
    expect(endpoint.invocations().map((call) => call.qualifier)).to.deep.equal(["live", "live", "7"]);
  });

  it("answers a function that throws as Lambda does: 200 with FunctionError Unhandled", async () => {
    const output = await invoke("broken", {});
    expect(output.StatusCode).to.equal(200);
    expect(output.FunctionError).to.equal("Unhandled");
    expect(json(output.Payload)).to.deep.equal({ errorType: "TypeError", errorMessage: "handler bug" });
    expect(json((await invoke("nothing", {})).Payload)).to.equal(null);
  });

  it("refuses an unknown function, a payload that is not JSON and two different qualifiers", async () => {
    const failure = async (promise: Promise<unknown>) => {
      try {
        await promise;
      } catch (error) {
        return error as Error & { $metadata: { httpStatusCode: number } };
      }
      throw new Error("expected a rejection");
    };
    const missing = await failure(invoke("nobody", {}));
    expect(missing.name).to.equal("ResourceNotFoundException");
    expect(missing.$metadata.httpStatusCode).to.equal(404);
    expect(missing.message).to.include("function:nobody");
    expect((await failure(invoke("alma-webhooks", "{not json"))).name).to.equal(
      "InvalidRequestContentException",
    );
    expect((await failure(invoke("alma-webhooks:live", {}, { Qualifier: "7" }))).name).to.equal(
      "InvalidParameterValueException",
    );
    expect(endpoint.invocations()).to.deep.equal([]);
  });

  it("answers DryRun 204 without running, Event 202 and runs it", async () => {
    const dry = await invoke("alma-webhooks", { n: 1 }, { InvocationType: "DryRun" });
    expect(dry.StatusCode).to.equal(204);
    expect(seen).to.deep.equal([]);
    const event = await invoke("alma-webhooks", { n: 2 }, { InvocationType: "Event" });
    expect(event.StatusCode).to.equal(202);
    expect(seen.map((call) => call.event)).to.deep.equal([{ n: 2 }]);
  });

  it("consumes an injected fault like any other operation", async () => {
    endpoint.injectFault({ kind: "server-error", operation: "Invoke" });
    try {
      await invoke("alma-webhooks", {});
      expect.fail("expected the injected 500");
    } catch (error) {
      expect((error as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).to.equal(500);
    }
    expect(seen).to.deep.equal([]);
  });
});
