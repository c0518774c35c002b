// Issue 31, item 3 (the function's side): the redelivery invoke event (contract C3) names ids only; the
// kept bytes are read from the function's own bucket and routed again; anything else is refused.
import type { KeptWebhook, UndeliveredStore } from "@alma-webhooks/aws";
import {
  functionUrlEvent,
  jobEndPayload,
  RecordingDispatcher,
  signedPost,
} from "@alma-webhooks/core/testing";
import { expect } from "chai";
import { eventOfKept, redeliver, redeliveryOf } from "../src/redeliver.js";
import { TOKENS } from "../src/tokens.js";
import { JOBS, SECRET, VALID_ENV } from "./support/environment.js";
import { handlerWithFakes } from "./support/handler.js";

const ID = "20241106T144310-6219373120004761";
const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** A bucket in memory, with the store's read and mark (the S3 calls are tested against moto). */
function memoryStore(objects: Map<string, KeptWebhook>) {
  const marked: string[] = [];
  const store = {
    bucket: "alma-undelivered",
    read: async (id: string) => objects.get(id),
    markRedelivered: async (kept: KeptWebhook) => {
      marked.push(kept.id);
    },
  } as unknown as UndeliveredStore;
  return { store, marked };
}

function keptOf(body: string, secret: string): KeptWebhook {
  const event = signedPost(body, secret) as { headers: Record<string, string> };
  const headers = Object.fromEntries(Object.entries(event.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const bytes = Buffer.from(body);
  return {
    format: 1,
    id: ID,
    reason: "dispatch-failed",
    receivedAt: "2026-12-07T12:00:00.000Z",
    headers,
    body: bytes.toString("base64"),
    isBase64Encoded: true,
    sha256: "",
    size: bytes.length,
  };
}

describe("redelivery by direct invoke (issue 31, contract C3)", () => {
  it("takes an event that names ids only", () => {
    expect(redeliveryOf({ redeliver: { ids: [ID, ID, "body-abc_DEF"] } })).to.deep.equal({
      ids: [ID, "body-abc_DEF"],
    });
  });

  it("refuses an event that carries a body, headers, anything beside ids, or ids that are not ids", () => {
    const refusals = [
      { redeliver: { ids: [ID], body: "eyJhY3Rpb24iOiJKT0JfRU5EIn0=" } },
      { redeliver: { ids: [ID], headers: { "x-exl-signature": "x" } } },
      { redeliver: { ids: [ID] }, body: "{}" },
      { redeliver: { ids: [] } },
      { redeliver: { ids: ["../../etc/passwd"] } },
      { redeliver: { ids: [42] } },
      { redeliver: [ID] },
      { redeliver: { ids: Array.from({ length: 21 }, (_, index) => `id-${index}`) } },
    ];
    for (const event of refusals)
      expect(redeliveryOf(event), JSON.stringify(event)).to.have.property("refused");
    expect(redeliveryOf({ redeliver: { ids: [ID], body: "x" } })).to.deep.equal({
      refused:
        "A redelivery names webhook ids only; it may not carry body: the function redelivers only the bytes it kept itself.",
    });
  });

  it("never takes a Function URL event for one, whatever its body says", () => {
    const body = JSON.stringify({ redeliver: { ids: [ID] } });
    expect(redeliveryOf(functionUrlEvent({ method: "POST", body }))).to.equal(undefined);
    expect(redeliveryOf(signedPost(body, SECRET))).to.equal(undefined);
    expect(redeliveryOf(null)).to.equal(undefined);
    expect(redeliveryOf("redeliver")).to.equal(undefined);
  });

  it("routes a refused event to nothing, and a Function URL post of the same JSON as a webhook (400, no redelivery)", async () => {
    const { handler, container } = handlerWithFakes({
      env: { ...VALID_ENV, ALMA_UNDELIVERED_BUCKET: "b" },
    });
    const objects = new Map<string, KeptWebhook>();
    const { store } = memoryStore(objects);
    let reads = 0;
    container.register(TOKENS.Undelivered, {
      useValue: {
        ...store,
        bucket: "b",
        read: async () => {
          reads += 1;
          return undefined;
        },
      } as unknown as UndeliveredStore,
    });
    const refused = (await handler({ redeliver: { ids: [ID], body: "e30=" } } as never)) as unknown as {
      results: unknown[];
      error: string;
    };
    expect(refused.results).to.deep.equal([]);
    expect(refused.error).to.contain("ids only");
    const viaUrl = await handler(signedPost(JSON.stringify({ redeliver: { ids: [ID] } }), SECRET));
    expect(viaUrl.statusCode).to.equal(400);
    expect(reads).to.equal(0);
  });

  it("routes a kept webhook's bytes again; an unknown id is 404; a rotated secret says so", async () => {
    const body = JSON.stringify(jobEndPayload({ job_instance: { name: JOBS.PPOD } }));
    const objects = new Map([[ID, keptOf(body, SECRET)]]);
    const { store, marked } = memoryStore(objects);
    const served: unknown[] = [];
    const services = {
      store,
      logger: silent,
      beginNext: () => 3_600,
      readBy: () => Date.now() + 2_800,
      markBy: () => Date.now() + 3_600,
      now: () => Date.parse("2026-12-07T13:00:00Z"),
      serve: async (event: Record<string, unknown>) => {
        served.push(event);
        const { handler } = handlerWithFakes({ dispatcher: new RecordingDispatcher() });
        return { response: await handler(event), outcome: "handled" };
      },
    };
    const answer = await redeliver([ID, "20241106T144310-0000000000000000"], services);
    expect(answer.results.map((r) => [r.id, r.statusCode, r.outcome])).to.deep.equal([
      [ID, 200, "handled"],
      ["20241106T144310-0000000000000000", 404, "not-found"],
    ]);
    expect(answer.results[1]?.body).to.equal(
      "No webhook with id 20241106T144310-0000000000000000 is kept in bucket alma-undelivered.",
    );
    expect(marked).to.deep.equal([ID]);
    expect(served[0]).to.deep.equal(eventOfKept(objects.get(ID) as KeptWebhook));

    objects.set(ID, keptOf(body, "the-secret-before-rotation"));
    const rotated = await redeliver([ID], services);
    expect(rotated.results[0]?.statusCode).to.equal(401);
    expect(rotated.results[0]?.body).to.contain("the secret was rotated");
    expect(marked).to.deep.equal([ID]);
  });

  it("answers ids it has no time for 'not tried', and says when the function keeps no webhooks", async () => {
    const { store } = memoryStore(new Map());
    const services = {
      store,
      logger: silent,
      beginNext: () => 1_000,
      readBy: () => 0,
      markBy: () => 0,
      now: () => 0,
      serve: async () => {
        throw new Error("not to be called");
      },
    };
    const late = await redeliver([ID], services);
    expect(late.results).to.deep.equal([
      {
        id: ID,
        statusCode: 503,
        body: "Not tried: the invocation ran out of time. Redeliver this id again.",
        outcome: "not-tried",
      },
    ]);
    const none = await redeliver([ID], { ...services, store: null });
    expect(none.error).to.contain("ALMA_UNDELIVERED_BUCKET is not set");
  });
});
