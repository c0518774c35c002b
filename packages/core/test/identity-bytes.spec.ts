// Issue 31, item 7: no two distinct bodies share an identity, whatever their numbers or bytes, and a
// forwarded JSON body is the bytes received.
import { expect } from "chai";
import { handleLambdaEvent } from "../src/adapters/lambda.js";
import { contentHash, webhookIdentity } from "../src/execution-name.js";
import { activatePlugin, createWebhookRouter, forwardPlugin, type SettingSpec } from "../src/index.js";
import type { WebhookPayload } from "../src/payload/types.js";
import { almaEventPayload, RecordingDispatcher, signedPost, toAlmaXml } from "../src/testing/index.js";
import { SECRET } from "./fixtures/plugins.js";

const FIFO = "arn:aws:sqs:us-east-1:123456789012:alma-events.fifo";
const loans = forwardPlugin({
  name: "LOANS",
  events: ["LOAN"],
  target: { env: "LOANS_TARGET", description: "where it forwards" } satisfies SettingSpec,
});

/** A LOAN body whose `id` is written unquoted, exactly as given. */
const loanWithId = (id: string): string =>
  JSON.stringify(almaEventPayload("LOAN", { id: 0 })).replace('"id":0', `"id":${id}`);

describe("webhook identity from the bytes received (issue 31)", () => {
  let dispatcher: RecordingDispatcher;
  const router = () =>
    createWebhookRouter({
      secrets: [SECRET],
      workspace: "dev",
      plugins: [activatePlugin(loans, { target: FIFO })],
      dispatcher,
    });
  beforeEach(() => {
    dispatcher = new RecordingDispatcher({ forwardTargets: [FIFO] });
  });

  it("gives two unquoted ids past 2^53 (…891 and …892) two identities, and forwards each as written", async () => {
    const bodies = [loanWithId("12345678901234567891"), loanWithId("12345678901234567892")];
    expect(JSON.parse(bodies[0] as string).id).to.equal(JSON.parse(bodies[1] as string).id);
    for (const body of bodies)
      expect((await handleLambdaEvent(router(), signedPost(body, SECRET))).statusCode).to.equal(200);
    const [first, second] = dispatcher.requests;
    expect(first?.name).not.to.equal(second?.name);
    expect(first?.input).to.equal(bodies[0]);
    expect(second?.input).to.equal(bodies[1]);
    expect(first?.input).to.include('"id":12345678901234567891');
  });

  it("gives two bodies that differ only in invalid UTF-8 bytes two identities", async () => {
    const text = JSON.stringify(almaEventPayload("LOAN", { note: "XX" }));
    const at = text.indexOf("XX");
    const body = (a: number, b: number) =>
      Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from([a, b]), Buffer.from(text.slice(at + 2))]);
    const one = body(0xff, 0xfe);
    const other = body(0xfe, 0xff);
    // Both decode to the same text: the parsed payloads are equal.
    expect(one.toString("utf8")).to.equal(other.toString("utf8"));
    for (const raw of [one, other])
      expect((await handleLambdaEvent(router(), signedPost(raw, SECRET))).statusCode).to.equal(200);
    const [first, second] = dispatcher.requests;
    expect(first?.name).not.to.equal(second?.name);
    // Queues and buses take Unicode text only: such a body goes as its JSON form.
    expect(() => JSON.parse(first?.input ?? "")).not.to.throw();
  });

  it("keeps every other identity as it was: the same content hash for JSON and XML, with or without the bytes", () => {
    const loan = almaEventPayload("LOAN") as WebhookPayload;
    const json = Buffer.from(JSON.stringify(loan));
    const xml = Buffer.from(toAlmaXml(loan));
    expect(contentHash(loan, json)).to.equal(contentHash(loan));
    expect(contentHash(loan, xml)).to.equal(contentHash(loan));
    expect(webhookIdentity(loan)).to.match(/^20241106T150000-[0-9A-Za-z_-]{22}$/);
  });

  it("forwards an XML body as its JSON form, and a pretty-printed JSON body as it was written", async () => {
    const loan = almaEventPayload("LOAN");
    const pretty = JSON.stringify(loan, null, 2);
    await handleLambdaEvent(router(), signedPost(pretty, SECRET));
    await handleLambdaEvent(
      router(),
      signedPost(toAlmaXml(loan), SECRET, { headers: { "Content-Type": "application/xml" } }),
    );
    const [asJson, asXml] = dispatcher.requests;
    expect(asJson?.input).to.equal(pretty);
    expect(JSON.parse(asXml?.input ?? "")).to.have.property("action", "LOAN");
    expect(asJson?.name).to.equal(asXml?.name);
  });
});
