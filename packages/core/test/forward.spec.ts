import { expect } from "chai";
import { handleLambdaEvent } from "../src/adapters/lambda.js";
import {
  activatePlugin,
  checkForwardEvents,
  createWebhookRouter,
  forwardPlugin,
  InvalidPluginError,
  type SettingSpec,
} from "../src/index.js";
import {
  almaEventPayload,
  failedJobEndPayload,
  jobEndPayload,
  RecordingDispatcher,
  signedPost,
  toAlmaXml,
} from "../src/testing/index.js";
import { activeSample, POD_JOB, SECRET } from "./fixtures/plugins.js";

const targetArnSetting = (env: string): SettingSpec => ({ env, description: "where it forwards" });
const VALIDATED = "Webhook POST request received and validated";
const FIFO = "arn:aws:sqs:us-east-1:123456789012:alma-events.fifo";
const BUS = "arn:aws:events:us-east-1:123456789012:event-bus/alma";
const FAILED_JOB = "Publishing Platform Job Incremental Publishing to Dev1";

const loans = forwardPlugin({
  name: "LOANS",
  events: ["LOAN:LOAN_CREATED", "REQUEST", `JOB_END:${FAILED_JOB}`],
  target: targetArnSetting("LOANS_TARGET"),
  institutions: { env: "LOANS_INSTITUTIONS", description: "institutions", optional: true },
});
const bibs = forwardPlugin({ name: "BIBS", events: ["BIB"], target: targetArnSetting("BIBS_TARGET") });

describe("forwardPlugin", () => {
  let dispatcher: RecordingDispatcher;
  beforeEach(() => {
    dispatcher = new RecordingDispatcher({ forwardTargets: [FIFO, BUS] });
  });
  const router = (institutions = "", broken = false) =>
    createWebhookRouter({
      secrets: [SECRET],
      workspace: "dev",
      plugins: [
        activeSample,
        activatePlugin(
          loans,
          { target: FIFO, institutions },
          broken ? ["LOANS_TARGET is not an ARN"] : undefined,
        ),
        activatePlugin(bibs, { target: BUS }),
      ],
      dispatcher,
    });
  const post = async (payload: unknown, institutions?: string, broken?: boolean) =>
    handleLambdaEvent(router(institutions, broken), signedPost(payload, SECRET));

  it("forwards a claimed event's payload as it came, with the action, and answers naming the route", async () => {
    const loan = almaEventPayload("LOAN");
    const response = await post(loan);
    expect(response.statusCode).to.equal(200);
    expect(response.body).to.equal(`${VALIDATED}, LOANS forwarded.`);
    expect(dispatcher.requests).to.have.length(1);
    const [request] = dispatcher.requests;
    expect(request).to.deep.include({ plugin: "LOANS", target: FIFO, action: "LOAN" });
    expect(JSON.parse(request?.input ?? "")).to.deep.equal(loan);
    expect(request?.name).to.match(/^loans-loan-20241106T150000-[0-9A-Za-z_-]{22}$/);
  });

  it("forwards an XML body as the same JSON as its JSON form, under the same name", async () => {
    const bib = almaEventPayload("BIB");
    await post(bib);
    await handleLambdaEvent(
      router(),
      signedPost(toAlmaXml(bib), SECRET, { headers: { "Content-Type": "application/xml" } }),
    );
    const [json, xml] = dispatcher.requests;
    expect(xml?.name).to.equal(json?.name);
    expect(xml?.action).to.equal("BIB");
    expect(JSON.parse(xml?.input ?? "")).to.deep.include({ action: "BIB", id: bib.id });
  });

  it("claims only the events named for an action, and every event of a bare action", async () => {
    const returned = almaEventPayload("LOAN", { event: { value: "LOAN_RETURNED" } });
    expect((await post(returned)).body).to.equal(`${VALIDATED}, no action taken.`);
    const request = almaEventPayload("REQUEST", { event: { value: "REQUEST_CANCELED" } });
    expect((await post(request)).body).to.equal(`${VALIDATED}, LOANS forwarded.`);
    expect((await post(almaEventPayload("USER"))).body).to.equal(
      `${VALIDATED}, not a JOB_END webhook so no action was taken.`,
    );
    expect(dispatcher.requests.map((r) => r.action)).to.deep.equal(["REQUEST"]);
  });

  it("forwards a named job's end whatever its status and counters, and only in this environment", async () => {
    const failed = failedJobEndPayload({ job_instance: { name: FAILED_JOB } });
    expect((await post(failed)).body).to.equal(`${VALIDATED}, LOANS forwarded.`);
    expect(JSON.parse(dispatcher.requests[0]?.input ?? "")).to.deep.equal(failed);
    const noCounters = jobEndPayload({ job_instance: { name: FAILED_JOB.toUpperCase() } });
    delete (noCounters.job_instance as { counter?: unknown }).counter;
    delete (noCounters.job_instance as { status?: unknown }).status;
    expect((await post(noCounters)).body).to.equal(`${VALIDATED}, LOANS forwarded.`);
    const prod = jobEndPayload({ job_instance: { name: "Publishing Platform Job Incremental Publishing" } });
    expect((await post(prod)).body).to.equal(
      `${VALIDATED} in dev env for job 'Publishing Platform Job Incremental Publishing', no action taken.`,
    );
    expect(dispatcher.requests).to.have.length(2);
  });

  it("acts beside a plugin that claims the same job: each acts, both named", async () => {
    const both = forwardPlugin({
      name: "JOBS",
      events: ["JOB_END"],
      target: targetArnSetting("JOBS_TARGET"),
    });
    const routed = createWebhookRouter({
      secrets: [SECRET],
      workspace: "dev",
      plugins: [activeSample, activatePlugin(both, { target: BUS })],
      dispatcher,
    });
    const response = await handleLambdaEvent(
      routed,
      signedPost(jobEndPayload({ job_instance: { name: POD_JOB } }), SECRET),
    );
    expect(response.body).to.equal(`${VALIDATED}, SAMPLE pipeline initiated, JOBS forwarded.`);
    expect(dispatcher.requests.map((r) => [r.plugin, r.target])).to.deep.equal([
      ["SAMPLE", activeSample.target],
      ["JOBS", BUS],
    ]);
    dispatcher.behaveAs("transient-failure");
    expect(
      (
        await handleLambdaEvent(
          routed,
          signedPost(jobEndPayload({ job_instance: { name: "Other job Dev1" } }), SECRET),
        )
      ).statusCode,
    ).to.equal(503);
  });

  it("keeps the institution allow-list as the gate of non-JOB_END kinds", async () => {
    const loan = almaEventPayload("LOAN");
    expect((await post(loan, "01PRI_INST, 01XYZ_INST")).body).to.equal(`${VALIDATED}, no action taken.`);
    expect((await post(loan, "01PRI_INST, 01MIT_INST")).body).to.equal(`${VALIDATED}, LOANS forwarded.`);
  });

  it("gives four events of one loan that share an id and a time four names", async () => {
    const events = ["LOAN_CREATED", "LOAN_RENEWED", "LOAN_DUE_DATE", "LOAN_RETURNED"];
    const routed = createWebhookRouter({
      secrets: [SECRET],
      workspace: "dev",
      plugins: [
        activatePlugin(
          forwardPlugin({ name: "ALL", events: ["LOAN"], target: targetArnSetting("ALL_TARGET") }),
          { target: FIFO },
        ),
      ],
      dispatcher,
    });
    for (const value of events) {
      await handleLambdaEvent(routed, signedPost(almaEventPayload("LOAN", { event: { value } }), SECRET));
    }
    const names = dispatcher.requests.map((r) => r.name);
    expect(new Set(names).size).to.equal(4);
    await handleLambdaEvent(
      routed,
      signedPost(almaEventPayload("LOAN", { event: { value: "LOAN_RENEWED" } }), SECRET),
    );
    expect(dispatcher.requests[4]?.name).to.equal(names[1]);
  });

  it("gives a redelivery of the same webhook the same name (the FIFO deduplication id)", async () => {
    const loan = almaEventPayload("LOAN");
    await post(loan);
    await post(loan);
    const [first, second] = dispatcher.requests;
    expect(second?.name).to.equal(first?.name);
  });

  it("contains a broken forward: its own events and jobs 500, everything else as usual", async () => {
    expect((await post(almaEventPayload("LOAN"), "", true)).statusCode).to.equal(500);
    expect(
      (await post(failedJobEndPayload({ job_instance: { name: FAILED_JOB } }), "", true)).statusCode,
    ).to.equal(500);
    const pod = await post(jobEndPayload({ job_instance: { name: POD_JOB } }), "", true);
    expect(pod.body).to.equal(`${VALIDATED}, SAMPLE pipeline initiated.`);
    expect((await post(almaEventPayload("BIB"), "", true)).body).to.equal(`${VALIDATED}, BIBS forwarded.`);
    const otherJob = jobEndPayload({ job_instance: { name: "Some other job Dev1" } });
    expect((await post(otherJob, "", true)).body).to.equal(`${VALIDATED}, no action taken.`);
  });

  it("tells the entries that name no documented action or event apart, with the nearest name", () => {
    const checked = checkForwardEvents(
      'LOANS, LOAN:LOAN_CREATD, LOAN:LOAN_CREATED, BIB, JOB_END:"A, job", NEW:THING',
    );
    expect(checked.problems).to.deep.equal([]);
    expect(checked.unknown).to.deep.equal([
      "'LOANS': the action 'LOANS' is not one that Alma documents; did you mean 'LOAN'?",
      "'LOAN:LOAN_CREATD': the event 'LOAN_CREATD' of LOAN is not one that Alma documents; did you mean 'LOAN:LOAN_CREATED'?",
      "'NEW:THING': the action 'NEW' is not one that Alma documents; it fires only if Alma sends it",
    ]);
  });

  it("refuses malformed entries and an empty list when defined", () => {
    const define = (events: string[]) => () =>
      forwardPlugin({ name: "X", events, target: targetArnSetting("X_TARGET") });
    expect(define([])).to.throw(InvalidPluginError, "at least one entry");
    expect(define(["loan"])).to.throw(InvalidPluginError, "'loan' is not ACTION");
    expect(define(["LOAN:created"])).to.throw(InvalidPluginError, "upper-case event value");
    expect(define(["JOB_END:"])).to.throw(InvalidPluginError, "JOB_END:<job name>");
  });
});
