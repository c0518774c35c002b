import { loadPlugins } from "@alma-webhooks/core";
import {
  counter,
  createPluginHarness,
  deliverSamples,
  failedJobEndPayload,
  jobEndPayload,
  legacyJobEndPayload,
} from "@alma-webhooks/core/testing";
import { expect } from "chai";
import { timdexPlugin } from "../src/index.js";

const PREFIX = "Publishing Platform Job TIMDEX EXPORT to Dev1";
const ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:timdex-ingest-dev";
const ENV = { ALMA_TIMDEX_EXPORT_JOB_NAME_PREFIX: PREFIX, TIMDEX_STATE_MACHINE_ARN: ARN };
const OK = "Webhook POST request received and validated, TIMDEX pipeline initiated.";

const timdex = (runType: string, job: Record<string, unknown> = {}) =>
  jobEndPayload({ job_instance: { name: `${PREFIX} ${runType}`, ...job } });

describe("timdexPlugin", () => {
  it("starts its pipeline for each of its sample payloads under its example settings", async () => {
    const deliveries = await deliverSamples(timdexPlugin);
    expect(deliveries).to.have.length((await timdexPlugin.samplePayloads?.())?.length ?? 0).and.not.be.empty;
    for (const { response, request } of deliveries) {
      expect(response.body).to.equal(
        "Webhook POST request received and validated, TIMDEX pipeline initiated.",
      );
      expect(request).not.to.equal(undefined);
    }
  });

  const harness = () => createPluginHarness(timdexPlugin, ENV);

  for (const [runType, expected] of [
    ["DAILY", "daily"],
    ["Full", "full"],
  ] as const) {
    it(`claims the ${runType} export and builds the ${expected} ingest`, async () => {
      const { response, request, input } = await harness().deliver(timdex(runType));
      expect(response.body).to.equal(OK);
      expect(input).to.deep.equal({
        "next-step": "transform",
        "run-date": "2024-11-06",
        "run-type": expected,
        source: "alma",
        verbose: "true",
      });
      expect(request).to.deep.include({
        plugin: "TIMDEX",
        target: ARN,
        name: `alma-${expected}-ingest-20241106T144310-6219373120004761`,
      });
    });
  }

  it("claims the prefix in any case, and the older payload shape", async () => {
    expect(
      (await harness().deliver(timdex("daily", { name: `${PREFIX.toLowerCase()} daily` }))).response.body,
    ).to.equal(OK);
    const legacy = legacyJobEndPayload({ job_instance: { name: `${PREFIX} Daily` } });
    expect((await harness().deliver(legacy)).response.body).to.equal(OK);
  });

  for (const name of [
    "Publishing Platform Job TIMDEX EXPORT to Dev",
    `Other ${PREFIX} Daily`,
    "TIMDEX EXPORT to Dev1 Daily",
  ]) {
    it(`does not claim '${name}'`, async () => {
      expect((await harness().deliver(jobEndPayload({ job_instance: { name } }))).request).to.equal(
        undefined,
      );
    });
  }

  it("ignores another environment's TIMDEX job", async () => {
    const { response } = await harness().deliver(
      jobEndPayload({ job_instance: { name: `${PREFIX.replace("Dev1", "Prod")} Daily` } }),
    );
    expect(response.body).to.contain("validated in dev env for job");
  });

  for (const name of [`${PREFIX} \u212Aeep`, `${PREFIX}\u00A0Daily`, `${PREFIX}\tDaily`]) {
    it(`declines ${JSON.stringify(name.slice(PREFIX.length))}: the word is checked as sent, ASCII spaces only`, async () => {
      const { response, request } = await harness().deliver(jobEndPayload({ job_instance: { name } }));
      expect(request).to.equal(undefined);
      expect(response.body).to.contain("TIMDEX declined");
    });
  }

  describe("ALMA_TIMDEX_RUN_TYPES", () => {
    const restricted = () =>
      createPluginHarness(timdexPlugin, { ...ENV, ALMA_TIMDEX_RUN_TYPES: "Daily, full" });

    it("starts the run types it lists, in any case", async () => {
      expect((await restricted().deliver(timdex("DAILY"))).response.body).to.equal(OK);
      expect((await restricted().deliver(timdex("Full"))).response.body).to.equal(OK);
    });

    it("declines the others, naming the setting", async () => {
      const { response, request } = await restricted().deliver(timdex("Weekly"));
      expect(request).to.equal(undefined);
      expect(response.body).to.contain("run type 'weekly' is not one of ALMA_TIMDEX_RUN_TYPES (daily, full)");
    });

    it("is a configuration problem when it is not a list of plain words", () => {
      const { problems } = loadPlugins([timdexPlugin], { ...ENV, ALMA_TIMDEX_RUN_TYPES: "daily;full" });
      expect(problems).to.have.length(1);
      expect(problems[0]).to.contain("ALMA_TIMDEX_RUN_TYPES is not a comma-separated list of plain words");
    });
  });

  for (const runType of ["Täglich", "daily!", "x".repeat(21)]) {
    it(`declines a run type that is not a plain word: '${runType}'`, async () => {
      const { response, request } = await harness().deliver(timdex(runType));
      expect(request).to.equal(undefined);
      expect(response.statusCode).to.equal(200);
      expect(response.body).to.contain(
        `TIMDEX declined Alma job '${PREFIX} ${runType}' (run type '${runType.toLowerCase()}'`,
      );
    });
  }

  for (const name of [PREFIX, `${PREFIX}0 Daily`, `${PREFIX} Daily Extra`]) {
    it(`declines '${name}': no single run-type word after the prefix`, async () => {
      const { response, request } = await harness().deliver(jobEndPayload({ job_instance: { name } }));
      expect(request).to.equal(undefined);
      expect(response.statusCode).to.equal(200);
      expect(response.body).to.contain(`TIMDEX declined Alma job '${name}'`);
    });
  }

  it("starts nothing for zero records or a failed run", async () => {
    const zero = timdex("Daily", {
      counter: [counter("label.new.records", 0), counter("c.jobs.publishing.total_records", 9)],
    });
    expect((await harness().deliver(zero)).response.body).to.contain("exported zero records");
    const failed = failedJobEndPayload({ job_instance: { name: `${PREFIX} Daily` } });
    expect((await harness().deliver(failed)).response.body).to.contain("failed so no action was taken");
  });

  it("names executions by job: same job same name, other job other name, within 80 characters", async () => {
    const h = harness();
    const a = await h.deliver(timdex("Daily"));
    const b = await h.deliver(timdex("Daily"));
    const c = await h.deliver(timdex("Daily", { id: "6219373120009999" }));
    const long = await h.deliver(timdex("abcdefghijklmnopqrst", { id: "9".repeat(60) }));
    expect(a.request?.name).to.equal(b.request?.name);
    expect(c.request?.name).not.to.equal(a.request?.name);
    expect(long.request?.name).to.match(/^alma-abcdefghijklmnopqrst-ingest-[0-9A-Za-z_-]+$/);
    expect(long.request?.name.length).to.be.at.most(80);
  });

  it("is inactive without its prefix, and an error naming both variables without its ARN", () => {
    expect(loadPlugins([timdexPlugin], {}).warnings).to.deep.equal([
      "TIMDEX plugin is inactive: ALMA_TIMDEX_EXPORT_JOB_NAME_PREFIX is not set.",
    ]);
    const { problems } = loadPlugins([timdexPlugin], { ALMA_TIMDEX_EXPORT_JOB_NAME_PREFIX: PREFIX });
    expect(problems).to.deep.equal([
      "TIMDEX_STATE_MACHINE_ARN is not set, but the TIMDEX plugin needs it because ALMA_TIMDEX_EXPORT_JOB_NAME_PREFIX is set.",
    ]);
  });
});
