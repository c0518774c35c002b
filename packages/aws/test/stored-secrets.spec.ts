import { createWebhookRouter, type Logger } from "@alma-webhooks/core";
import { handleLambdaEvent } from "@alma-webhooks/core/lambda";
import { httpEvent, jobEndPayload, RecordingDispatcher, signedPost } from "@alma-webhooks/core/testing";
import { expect } from "chai";
import sinon from "sinon";
import {
  createStoredSecrets,
  type SecretSettings,
  type StoredSecret,
  UnusableSecretError,
} from "../src/index.js";
import { SECRET_READS } from "../src/internal.js";

const CURRENT: StoredSecret = {
  store: "secrets-manager",
  id: "arn:aws:secretsmanager:us-east-1:1:secret:alma",
};
const PREVIOUS: StoredSecret = { store: "ssm", id: "/alma/previous" };
const OLD = "the-secret-before-rotation";
const NEW = "the-secret-after-rotation";
const UNAVAILABLE = "The webhook secret could not be read; the event was not processed and may be retried.";
const payload = jobEndPayload();

describe("createStoredSecrets", () => {
  let clock: sinon.SinonFakeTimers;
  /** What the store holds, by id; a thrown value is a failed read. */
  let store: Map<string, string | Error>;
  let read: sinon.SinonStub<[StoredSecret], Promise<string>>;
  let logger: { [K in keyof Logger]: sinon.SinonSpy };

  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 1_000_000, toFake: ["Date", "setTimeout", "clearTimeout"] });
    store = new Map([[CURRENT.id, OLD]]);
    // Each read takes 50 ms, so that requests arriving meanwhile find it running.
    read = sinon.stub<[StoredSecret], Promise<string>>().callsFake(
      (secret) =>
        new Promise((resolve, reject) =>
          setTimeout(() => {
            const value = store.get(secret.id);
            if (value instanceof Error) reject(value);
            else if (value === undefined) reject(new Error(`ResourceNotFoundException: ${secret.id}`));
            else resolve(value);
          }, 50),
        ),
    );
    logger = { debug: sinon.spy(), info: sinon.spy(), warn: sinon.spy(), error: sinon.spy() };
  });
  afterEach(() => clock.restore());

  function routerOf(settings: Partial<SecretSettings> = {}) {
    const source = createStoredSecrets(
      { current: CURRENT, previous: [], ...settings },
      read,
      { now: () => Date.now() },
      logger,
    );
    const router = createWebhookRouter({
      secrets: source,
      workspace: "dev",
      plugins: [],
      dispatcher: new RecordingDispatcher(),
    });
    /** The status codes of webhooks signed with each secret, sent together, once every read has ended. */
    return async (...secrets: string[]): Promise<number[]> => {
      const answers = Promise.all(
        secrets.map((secret) => handleLambdaEvent(router, signedPost(payload, secret))),
      );
      await clock.tickAsync(SECRET_READS.readMs);
      return (await answers).map((answer) => answer.statusCode);
    };
  }

  it("reads the store on first use and keeps what it read", async () => {
    const send = routerOf();
    expect(await send(OLD, OLD)).to.deep.equal([200, 200]);
    expect(await send(OLD)).to.deep.equal([200]);
    expect(read.callCount).to.equal(1);
  });

  it("reads again after a mismatch once 5 s have passed since the last read: a rotated secret is answered 200", async () => {
    const send = routerOf();
    expect(await send(OLD)).to.deep.equal([200]);
    store.set(CURRENT.id, NEW);
    await clock.tickAsync(SECRET_READS.intervalMs);
    expect(await send(NEW)).to.deep.equal([200]);
    expect(read.callCount).to.equal(2);
    expect(logger.info.calledWith("The webhook secret was read again: a new one is in use")).to.equal(true);
  });

  it("answers 503, not 401, to a mismatch inside the 5 s after a read, and reads nothing then", async () => {
    const send = routerOf();
    expect(await send(OLD)).to.deep.equal([200]);
    store.set(CURRENT.id, NEW);
    expect(await send(NEW)).to.deep.equal([503]);
    expect(read.callCount).to.equal(1);
    await clock.tickAsync(SECRET_READS.intervalMs - SECRET_READS.readMs);
    expect(await send(NEW)).to.deep.equal([200]);
    expect(read.callCount).to.equal(2);
  });

  it("answers 401 when a read made after the mismatch succeeded and still matches none: the store does not hold it", async () => {
    const send = routerOf();
    expect(await send(OLD)).to.deep.equal([200]);
    await clock.tickAsync(SECRET_READS.intervalMs);
    expect(await send("a-secret-never-stored")).to.deep.equal([401]);
    expect(read.callCount).to.equal(2);
    // The next mismatch inside the 5 s cannot read: 503.
    expect(await send("a-secret-never-stored")).to.deep.equal([503]);
    expect(read.callCount).to.equal(2);
  });

  it("shares one read among 50 concurrent mismatches, started before anything is awaited", async () => {
    const send = routerOf();
    expect(await send(OLD)).to.deep.equal([200]);
    store.set(CURRENT.id, NEW);
    await clock.tickAsync(SECRET_READS.intervalMs);
    const rotated = await send(...Array.from({ length: 50 }, () => NEW));
    expect(rotated).to.deep.equal(Array.from({ length: 50 }, () => 200));
    expect(read.callCount).to.equal(2);

    await clock.tickAsync(SECRET_READS.intervalMs);
    const forged = await send(...Array.from({ length: 50 }, () => "forged"));
    expect(forged).to.deep.equal(Array.from({ length: 50 }, () => 401));
    expect(read.callCount).to.equal(3);
  });

  it("answers 401 at once to a webhook without a signature or with an empty one, reading nothing", async () => {
    const source = createStoredSecrets(
      { current: CURRENT, previous: [] },
      read,
      { now: () => Date.now() },
      logger,
    );
    const router = createWebhookRouter({
      secrets: source,
      workspace: "dev",
      plugins: [],
      dispatcher: new RecordingDispatcher(),
    });
    const body = JSON.stringify(payload);
    const unsigned = httpEvent("function-url", {
      method: "POST",
      body,
      headers: { "content-type": "application/json" },
    });
    const empty = signedPost(payload, OLD, { headers: { "X-Exl-Signature": "" } });
    expect((await handleLambdaEvent(router, unsigned)).statusCode).to.equal(401);
    expect((await handleLambdaEvent(router, empty)).statusCode).to.equal(401);
    expect(read.callCount).to.equal(0);
  });

  it("keeps the secrets that work when a read after a mismatch fails (503), and reads again 5 s after it started", async () => {
    const send = routerOf();
    expect(await send(OLD)).to.deep.equal([200]);
    await clock.tickAsync(SECRET_READS.intervalMs);
    store.set(CURRENT.id, new Error("ThrottlingException"));
    expect(await send(NEW, OLD)).to.deep.equal([503, 200]);
    expect(read.callCount).to.equal(2);
    store.set(CURRENT.id, NEW);
    expect(await send(NEW)).to.deep.equal([503]);
    expect(read.callCount).to.equal(2);
    await clock.tickAsync(SECRET_READS.intervalMs);
    expect(await send(NEW)).to.deep.equal([200]);
    expect(read.callCount).to.equal(3);
  });

  it("answers 503 when the first read fails, and tries again only once 5 s have passed", async () => {
    store.set(CURRENT.id, new Error("AccessDeniedException"));
    const send = routerOf();
    expect(await send(OLD, OLD)).to.deep.equal([503, 503]);
    expect(await send(OLD)).to.deep.equal([503]);
    expect(read.callCount).to.equal(1);
    store.set(CURRENT.id, OLD);
    await clock.tickAsync(SECRET_READS.intervalMs);
    expect(await send(OLD)).to.deep.equal([200]);
    expect(read.callCount).to.equal(2);
  });

  for (const [what, value, settings] of [
    ["an empty value", "", {}],
    ["a blank value", "   ", {}],
    ["JSON without the field", JSON.stringify({ other: OLD }), { jsonField: "alma" }],
    ["JSON with an empty field", JSON.stringify({ alma: "" }), { jsonField: "alma" }],
  ] as const) {
    it(`takes ${what} for a failed read: 503, not kept, read again after 5 s`, async () => {
      store.set(CURRENT.id, value);
      const send = routerOf(settings);
      expect(await send(OLD)).to.deep.equal([503]);
      expect(await send(OLD)).to.deep.equal([503]);
      expect(read.callCount).to.equal(1);
      store.set(CURRENT.id, "jsonField" in settings ? JSON.stringify({ alma: OLD }) : OLD);
      await clock.tickAsync(SECRET_READS.intervalMs);
      expect(await send(OLD)).to.deep.equal([200]);
      expect(read.callCount).to.equal(2);
    });
  }

  it("refuses a stored development secret (503, naming the problem) when told which it is", async () => {
    store.set(CURRENT.id, "itsasecret");
    const source = createStoredSecrets(
      { current: CURRENT, previous: [], developmentSecret: "itsasecret" },
      read,
      { now: () => Date.now() },
      logger,
    );
    const reading = Promise.resolve(source.current()).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    await clock.tickAsync(SECRET_READS.readMs);
    const error = await reading;
    expect(error).to.be.instanceOf(UnusableSecretError);
    expect((error as Error).message).to.equal(
      `secrets-manager ${CURRENT.id} holds the published development secret 'itsasecret': store the secret configured in Alma`,
    );
    // Not kept: the store is read again once 5 s have passed.
    store.set(CURRENT.id, OLD);
    await clock.tickAsync(SECRET_READS.intervalMs);
    const next = Promise.resolve(source.current());
    await clock.tickAsync(SECRET_READS.readMs);
    expect(await next).to.deep.equal([OLD]);

    const send = routerOf({ developmentSecret: "itsasecret" });
    store.set(CURRENT.id, "itsasecret");
    expect(await send("itsasecret")).to.deep.equal([503]);
    // Outside Lambda nothing is refused: the local set-up uses it.
    const local = routerOf();
    await clock.tickAsync(SECRET_READS.intervalMs);
    expect(await local("itsasecret")).to.deep.equal([200]);
  });

  it("warns once about a stored secret shorter than minLength, and not about a longer one", async () => {
    store.set(CURRENT.id, "short");
    const send = routerOf({ minLength: 16 });
    expect(await send("short")).to.deep.equal([200]);
    await clock.tickAsync(SECRET_READS.intervalMs);
    expect(await send("forged")).to.deep.equal([401]);
    expect(read.callCount).to.equal(2);
    expect(logger.warn.args.map(([message]) => message)).to.deep.equal([
      `secrets-manager ${CURRENT.id} holds a secret shorter than 16 characters: use a longer secret in Alma.`,
    ]);
    store.set(CURRENT.id, OLD);
    expect(await routerOf({ minLength: 16 })(OLD)).to.deep.equal([200]);
    expect(logger.warn.callCount).to.equal(1);
  });

  it("warns about previous secrets it cannot read or use, and the current secret still works", async () => {
    const send = routerOf({ previous: PREVIOUS });
    expect(await send(OLD)).to.deep.equal([200]);
    expect(logger.warn.callCount).to.equal(1);
    expect(logger.warn.firstCall.args).to.deep.equal([
      "The previous webhook secrets could not be read or used: the current one is still accepted",
      { secret: `ssm ${PREVIOUS.id}`, error: `ResourceNotFoundException: ${PREVIOUS.id}` },
    ]);

    store.set(PREVIOUS.id, "older-one-long-enough,older-two-long-enough");
    await clock.tickAsync(SECRET_READS.intervalMs);
    expect(await send("older-two-long-enough")).to.deep.equal([200]);
    // Denied later: the previous secrets last read stay accepted.
    store.set(PREVIOUS.id, new Error("AccessDeniedException"));
    await clock.tickAsync(SECRET_READS.intervalMs);
    expect(await send("forged", "older-one-long-enough")).to.deep.equal([401, 200]);
    expect(logger.warn.callCount).to.equal(2);

    const refused = routerOf({ previous: PREVIOUS, developmentSecret: "itsasecret" });
    store.set(PREVIOUS.id, "itsasecret");
    expect(await refused(OLD)).to.deep.equal([200]);
    expect(logger.warn.lastCall.args[1]).to.deep.include({
      error: `ssm ${PREVIOUS.id} holds the published development secret 'itsasecret': store the secret configured in Alma`,
    });
  });

  it("answers 503 with the router's body, never 401, when the store cannot be read", async () => {
    store.set(CURRENT.id, new Error("ThrottlingException"));
    const source = createStoredSecrets(
      { current: CURRENT, previous: [] },
      read,
      { now: () => Date.now() },
      logger,
    );
    const router = createWebhookRouter({
      secrets: source,
      workspace: "dev",
      plugins: [],
      dispatcher: new RecordingDispatcher(),
    });
    const answer = handleLambdaEvent(router, signedPost(payload, OLD));
    await clock.tickAsync(SECRET_READS.readMs);
    expect([(await answer).statusCode, (await answer).body]).to.deep.equal([503, UNAVAILABLE]);
  });
});
