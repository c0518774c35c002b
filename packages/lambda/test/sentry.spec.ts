import { challengeEvent, jobEndPayload, signedPost } from "@alma-webhooks/core/testing";
import { expect } from "chai";
import { runChild } from "./support/child.js";
import { SECRET } from "./support/environment.js";
import { EXPLODING_JOB } from "./support/exploding-plugin.js";
import { startHttpSink } from "./support/http-sink.js";

const ENV = { WORKSPACE: "dev", ALMA_CHALLENGE_SECRET: SECRET, EXPLODING_JOB_NAME: EXPLODING_JOB };
const explode = signedPost(jobEndPayload({ job_instance: { name: EXPLODING_JOB } }), SECRET);
const loadedSentry = (urls: string[]) => urls.filter((url) => /@sentry|sentry-sdk/.test(url));

describe("Sentry error reporting", function () {
  this.timeout(60_000);

  it("sends an induced unexpected error to SENTRY_DSN before answering 500", async () => {
    const sink = await startHttpSink();
    try {
      const dsn = `${sink.url.replace("http://", "http://publickey@")}/1`;
      const { responses, stdout, resolved } = await runChild("--exploding", [explode], {
        ...ENV,
        SENTRY_DSN: dsn,
      });
      expect(responses.map((response) => response.statusCode)).to.deep.equal([500]);
      expect(stdout).to.contain("Sentry error reporting is on");
      expect(loadedSentry(resolved)).not.to.deep.equal([]);
      const envelope = sink.bodies.join("\n");
      expect(envelope).to.contain("induced failure for the error-tracker test");
      expect(envelope).to.contain('"environment":"dev"');
    } finally {
      await sink.close();
    }
  });

  it("with SENTRY_DSN set, imports nothing of Sentry at start-up nor for a request that reports nothing", async () => {
    const sink = await startHttpSink();
    try {
      const dsn = `${sink.url.replace("http://", "http://publickey@")}/1`;
      const { responses, stdout, resolved } = await runChild("--exploding", [challengeEvent("ok")], {
        ...ENV,
        SENTRY_DSN: dsn,
      });
      expect(responses.map((response) => response.statusCode)).to.deep.equal([200]);
      expect(stdout).to.contain("Sentry error reporting is on");
      expect(resolved.length).to.be.above(10);
      expect(loadedSentry(resolved)).to.deep.equal([]);
      expect(sink.bodies).to.deep.equal([]);
    } finally {
      await sink.close();
    }
  });

  it("loads Sentry once for several reports, and sends each", async () => {
    const sink = await startHttpSink();
    try {
      const dsn = `${sink.url.replace("http://", "http://publickey@")}/1`;
      const { responses } = await runChild("--exploding", [challengeEvent("ok"), explode, explode], {
        ...ENV,
        SENTRY_DSN: dsn,
      });
      expect(responses.map((response) => response.statusCode)).to.deep.equal([200, 500, 500]);
      const events = sink.bodies.filter((body) =>
        body.includes("induced failure for the error-tracker test"),
      );
      expect(events).to.have.length(2);
    } finally {
      await sink.close();
    }
  });

  it("never imports Sentry when SENTRY_DSN is unset, and still answers 500", async () => {
    const { responses, stdout, resolved } = await runChild(
      "--exploding",
      [explode, challengeEvent("ok")],
      ENV,
    );
    expect(responses.map((response) => response.statusCode)).to.deep.equal([500, 200]);
    expect(stdout).to.contain("Sentry error reporting is off");
    expect(resolved.length).to.be.above(10);
    expect(loadedSentry(resolved)).to.deep.equal([]);
  });
});
