import {
  almaEventPayload,
  failedJobEndPayload,
  jobEndPayload,
  signedPost,
  toAlmaXml,
} from "@alma-webhooks/core/testing";
import type { LocalStepFunctions } from "@alma-webhooks/local-aws/endpoint";
import { expect } from "chai";
import { loadConfiguration } from "../src/config.js";
import { deployedPlugins } from "../src/plugins.js";
import { JOBS, localStepFunctions, SECRET, VALID_ENV } from "./support/environment.js";
import { handlerWithFakes } from "./support/handler.js";

const VALIDATED = "Webhook POST request received and validated";
const QUEUE = "arn:aws:sqs:us-east-1:123456789012:alma-events.fifo";
const QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/alma-events.fifo";
const BUS = "arn:aws:events:us-east-1:123456789012:event-bus/alma";
/** Alma gives up after 5 s; every answer must leave well before. */
const ANSWER_BUDGET_MS = 4_500;

/** Princeton-style (loans and requests to a FIFO queue, one job's ends too) and UPenn-style (BIB to a bus). */
const ROUTES = {
  ALMA_FORWARD_CIRCULATION_TARGET: QUEUE,
  ALMA_FORWARD_CIRCULATION_EVENTS: `LOAN:LOAN_CREATED, REQUEST, JOB_END:${JOBS.PPOD}`,
  ALMA_FORWARD_BIBS_TARGET: BUS,
  ALMA_FORWARD_BIBS_EVENTS: "BIB",
};

const body = (request: { body: unknown }) => request.body as Record<string, unknown>;

describe("forward routes (ALMA_FORWARD_<ROUTE>_*), through the real SDK to the local endpoint", function () {
  this.timeout(60_000);
  let endpoint: LocalStepFunctions;
  let stop: () => Promise<void>;

  beforeEach(async () => ({ endpoint, stop } = await localStepFunctions()));
  afterEach(() => stop());

  const handlerWith = (env: Record<string, string> = {}) =>
    handlerWithFakes({ env: { ...VALID_ENV, ...ROUTES, ...env } });
  const sent = (operation: string) => endpoint.requests().filter((r) => r.operation === operation);

  it("sends a LOAN_CREATED and a REQUEST to the FIFO queue: the payload as received, the route as group, a deduplication id", async () => {
    const { handler } = handlerWith();
    const loan = almaEventPayload("LOAN");
    const request = almaEventPayload("REQUEST");
    expect((await handler(signedPost(loan, SECRET))).body).to.equal(`${VALIDATED}, CIRCULATION forwarded.`);
    expect((await handler(signedPost(request, SECRET))).body).to.equal(
      `${VALIDATED}, CIRCULATION forwarded.`,
    );
    const [first, second] = sent("SendMessage").map(body);
    const id = String(first?.MessageDeduplicationId);
    expect(id).to.match(/^circulation-loan-20241106T150000-[0-9A-Za-z_-]{22}$/);
    expect(first).to.deep.equal({
      QueueUrl: QUEUE_URL,
      MessageBody: JSON.stringify(loan),
      MessageAttributes: { "alma-webhook-id": { DataType: "String", StringValue: id } },
      MessageGroupId: "CIRCULATION",
      MessageDeduplicationId: id,
    });
    expect(JSON.parse(String(second?.MessageBody))).to.deep.equal(request);
    expect(endpoint.messages().map((m) => [m.service, m.targetArn])).to.deep.equal([
      ["sqs", QUEUE],
      ["sqs", QUEUE],
    ]);
    expect(endpoint.executions()).to.deep.equal([]);
  });

  it("puts a BIB on the bus: one entry, source alma-webhooks, the action as detail type, the payload as detail, the identity as resource", async () => {
    const { handler } = handlerWith();
    const bib = almaEventPayload("BIB");
    expect((await handler(signedPost(bib, SECRET))).body).to.equal(`${VALIDATED}, BIBS forwarded.`);
    const [put] = sent("PutEvents").map(body);
    const [entry] = (put?.Entries ?? []) as { Resources?: string[] }[];
    const [resource] = entry?.Resources ?? [];
    expect(resource).to.match(/^alma-webhook-id:bibs-bib-20241106T150000-[0-9A-Za-z_-]{22}$/);
    expect(put).to.deep.equal({
      Entries: [
        {
          EventBusName: BUS,
          Source: "alma-webhooks",
          DetailType: "BIB",
          Detail: JSON.stringify(bib),
          Resources: [resource],
        },
      ],
    });
  });

  it("gives four events of one loan sharing an id and a time four identities: four FIFO messages", async () => {
    const { handler } = handlerWith({ ALMA_FORWARD_CIRCULATION_EVENTS: "LOAN" });
    const values = ["LOAN_CREATED", "LOAN_RENEWED", "LOAN_DUE_DATE", "LOAN_RETURNED"];
    for (const value of values) {
      const response = await handler(signedPost(almaEventPayload("LOAN", { event: { value } }), SECRET));
      expect(response.body).to.equal(`${VALIDATED}, CIRCULATION forwarded.`);
    }
    expect(endpoint.messages()).to.have.length(4);
    expect(new Set(endpoint.messages().map((m) => m.name)).size).to.equal(4);
  });

  it("never repeats a send to a standard queue that may have arrived, and repeats one refused by throttling", async () => {
    const standard = "arn:aws:sqs:us-east-1:123456789012:alma-events";
    const { handler } = handlerWith({ ALMA_FORWARD_CIRCULATION_TARGET: standard });
    endpoint.injectFault({ kind: "delay", delayMs: 1_500, operation: "SendMessage", times: 1 });
    const timedOut = await handler(signedPost(almaEventPayload("LOAN"), SECRET));
    expect(timedOut.statusCode).to.equal(503);
    expect(sent("SendMessage")).to.have.length(1);
    endpoint.injectFault({ kind: "throttle", operation: "SendMessage", times: 1 });
    const throttled = await handler(signedPost(almaEventPayload("REQUEST"), SECRET));
    expect(throttled.statusCode).to.equal(200);
    expect(sent("SendMessage")).to.have.length(3);
  });

  it("answers 413 naming the route and the sizes for a body too large for the queue, and sends nothing", async () => {
    const { handler, logger } = handlerWith();
    const loan = almaEventPayload("LOAN", { note: "x".repeat(1_048_576) });
    const response = await handler(signedPost(loan, SECRET));
    expect(response.statusCode).to.equal(413);
    expect(response.body).to.match(
      /^Webhook POST request received and validated, but the webhook is too large to deliver \(CIRCULATION: \d+ bytes, over its limit of 1048576 bytes\); it was not delivered\.$/,
    );
    expect(sent("SendMessage")).to.deep.equal([]);
    const decision = logger.lines.find((line) => line.message === "webhook decision");
    expect(decision?.level).to.equal("error");
  });

  it("forwards an XML body as the JSON of the same payload", async () => {
    const { handler } = handlerWith();
    const bib = almaEventPayload("BIB");
    const xml = signedPost(toAlmaXml(bib), SECRET, { headers: { "Content-Type": "application/xml" } });
    expect((await handler(xml)).body).to.equal(`${VALIDATED}, BIBS forwarded.`);
    const [put] = sent("PutEvents").map(body);
    const entries = (put?.Entries ?? []) as { Detail: string }[];
    const detail = JSON.parse(String(entries[0]?.Detail));
    expect(detail).to.deep.include({ action: "BIB", id: bib.id, time: bib.time });
  });

  it("gives a redelivery the same deduplication id: SQS keeps the second copy out", async () => {
    const { handler } = handlerWith();
    const loan = signedPost(almaEventPayload("LOAN"), SECRET);
    await handler(loan);
    expect((await handler(loan)).body).to.equal(`${VALIDATED}, CIRCULATION forwarded.`);
    const ids = sent("SendMessage").map((r) => body(r).MessageDeduplicationId);
    expect(ids).to.have.length(2);
    expect(ids[1]).to.equal(ids[0]);
    expect(endpoint.messages()).to.have.length(1);
  });

  it("forwards a named job's end beside the plugin that starts its pipeline, and a failed end alone", async () => {
    const { handler } = handlerWith();
    const pod = await handler(signedPost(jobEndPayload({ job_instance: { name: JOBS.PPOD } }), SECRET));
    expect(pod.body).to.equal(`${VALIDATED}, PPOD pipeline initiated, CIRCULATION forwarded.`);
    expect(endpoint.executions()).to.have.length(1);
    const failed = await handler(
      signedPost(failedJobEndPayload({ job_instance: { name: JOBS.PPOD, id: "7019873450009999" } }), SECRET),
    );
    expect(failed.body).to.equal(`${VALIDATED}, CIRCULATION forwarded.`);
    expect(endpoint.messages()).to.have.length(2);
  });

  it("leaves what no route claims alone: another LOAN event, another action", async () => {
    const { handler } = handlerWith();
    const returned = almaEventPayload("LOAN", { event: { value: "LOAN_RETURNED" } });
    expect((await handler(signedPost(returned, SECRET))).body).to.equal(`${VALIDATED}, no action taken.`);
    expect((await handler(signedPost(almaEventPayload("USER"), SECRET))).body).to.equal(
      `${VALIDATED}, not a JOB_END webhook so no action was taken.`,
    );
    expect(endpoint.requests()).to.deep.equal([]);
  });

  const faults = [
    {
      label: "SendMessage throttled",
      fault: { kind: "throttle", operation: "SendMessage" },
      payload: "LOAN",
      status: 503,
    },
    {
      label: "SendMessage 5xx",
      fault: { kind: "server-error", operation: "SendMessage" },
      payload: "LOAN",
      status: 503,
    },
    {
      label: "SendMessage hanging",
      fault: { kind: "delay", delayMs: 8_000, operation: "SendMessage" },
      payload: "LOAN",
      status: 503,
    },
    {
      label: "PutEvents throttled",
      fault: { kind: "throttle", operation: "PutEvents" },
      payload: "BIB",
      status: 503,
    },
    {
      label: "PutEvents 5xx",
      fault: { kind: "server-error", operation: "PutEvents" },
      payload: "BIB",
      status: 503,
    },
    {
      label: "PutEvents hanging",
      fault: { kind: "delay", delayMs: 8_000, operation: "PutEvents" },
      payload: "BIB",
      status: 503,
    },
    {
      label: "FailedEntryCount 1 (ThrottlingException)",
      fault: { kind: "failed-entry", errorCode: "ThrottlingException" },
      payload: "BIB",
      status: 503,
    },
    {
      label: "FailedEntryCount 1 (InternalFailure)",
      fault: { kind: "failed-entry", errorCode: "InternalFailure" },
      payload: "BIB",
      status: 503,
    },
    {
      label: "FailedEntryCount 1 (AccessDeniedException)",
      fault: { kind: "failed-entry", errorCode: "AccessDeniedException" },
      payload: "BIB",
      status: 500,
    },
  ] as const;
  for (const { label, fault, payload, status } of faults) {
    it(`answers ${status} inside Alma's 5 s when ${label}`, async () => {
      const { handler, logger } = handlerWith();
      endpoint.injectFault({ ...fault, times: Number.POSITIVE_INFINITY });
      const started = performance.now();
      const response = await handler(signedPost(almaEventPayload(payload), SECRET));
      const ms = performance.now() - started;
      expect(response.statusCode).to.equal(status);
      expect(ms).to.be.below(ANSWER_BUDGET_MS);
      const route = payload === "LOAN" ? "CIRCULATION" : "BIBS";
      expect(response.body).to.include(route);
      expect(
        logger.lines.some((line) => line.level === "error" && /not (sent|put)/.test(line.message)),
      ).to.equal(true);
    });
  }

  it("keeps a failing route from touching the plugin beside it: the pipeline starts, the answer asks for a retry", async () => {
    const { handler } = handlerWith();
    endpoint.injectFault({ kind: "throttle", operation: "SendMessage", times: Number.POSITIVE_INFINITY });
    const pod = await handler(signedPost(jobEndPayload({ job_instance: { name: JOBS.PPOD } }), SECRET));
    expect(pod.statusCode).to.equal(503);
    expect(endpoint.executions()).to.have.length(1);
    endpoint.clearFaults();
    const retry = await handler(signedPost(jobEndPayload({ job_instance: { name: JOBS.PPOD } }), SECRET));
    expect(retry.body).to.equal(`${VALIDATED}, PPOD pipeline initiated, CIRCULATION forwarded.`);
    expect(endpoint.executions()).to.have.length(1);
  });

  it("forwards a job whose name holds a comma, written in double quotes; unquoted, its ends are answered 500, never lost", async () => {
    const name = "Export, daily to Dev1";
    const job = failedJobEndPayload({ job_instance: { name } });
    const quoted = handlerWith({
      ALMA_FORWARD_JOBS_TARGET: BUS,
      ALMA_FORWARD_JOBS_EVENTS: `BIB, JOB_END:"${name}"`,
    });
    expect((await quoted.handler(signedPost(job, SECRET))).body).to.equal(`${VALIDATED}, JOBS forwarded.`);
    const unquoted = handlerWith({
      ALMA_FORWARD_JOBS_TARGET: BUS,
      ALMA_FORWARD_JOBS_EVENTS: `BIB, JOB_END:${name}`,
    });
    expect((await unquoted.handler(signedPost(job, SECRET))).statusCode).to.equal(500);
    const other = jobEndPayload({ job_instance: { name: "Another export to Dev1" } });
    expect((await unquoted.handler(signedPost(other, SECRET))).statusCode).to.equal(500);
    expect((await unquoted.handler(signedPost(almaEventPayload("LOAN"), SECRET))).statusCode).to.equal(200);
  });

  it("contains a route with an invalid target: its events 500, everything else as usual", async () => {
    const { handler } = handlerWith({ ALMA_FORWARD_BIBS_TARGET: "arn:aws:sns:us-east-1:123456789012:alma" });
    expect((await handler(signedPost(almaEventPayload("BIB"), SECRET))).statusCode).to.equal(500);
    expect((await handler(signedPost(almaEventPayload("LOAN"), SECRET))).body).to.equal(
      `${VALIDATED}, CIRCULATION forwarded.`,
    );
    expect(sent("PutEvents")).to.deep.equal([]);
  });
});

describe("forward route configuration", () => {
  const load = (env: Record<string, string>) => loadConfiguration({ ...VALID_ENV, ...env }, deployedPlugins);
  const names = (env: Record<string, string>) => load(env).plugins.map((plugin) => plugin.name);

  it("adds a route per ALMA_FORWARD_<ROUTE>_TARGET and _EVENTS pair, after the plugins", () => {
    expect(names(ROUTES)).to.deep.equal([
      ...deployedPlugins.map((plugin) => plugin.name),
      "BIBS",
      "CIRCULATION",
    ]);
    expect(load(ROUTES).problems).to.deep.equal([]);
  });

  it("lists every route problem at once and registers the route broken, or leaves it out when it claims nothing", () => {
    const configuration = load({
      ALMA_FORWARD_A_TARGET: QUEUE,
      ALMA_FORWARD_A_EVENTS: "LOAN:created, BIB",
      ALMA_FORWARD_B_EVENTS: "LOAN",
      ALMA_FORWARD_C_TARGET: BUS,
      ALMA_FORWARD_D_TARGET: BUS,
      ALMA_FORWARD_D_EVENTS: "BIB",
      ALMA_FORWARD_D_INSTITUTIONS: "01MIT INST",
      ALMA_FORWARD_PPOD_TARGET: BUS,
      ALMA_FORWARD_PPOD_EVENTS: "BIB",
      ALMA_FORWARD_loans_TARGET: BUS,
    });
    const problems = configuration.problems.join("\n");
    expect(problems).to.include(
      "ALMA_FORWARD_A_EVENTS: 'LOAN:created': the event 'created' is not an upper-case event value",
    );
    expect(problems).to.include("ALMA_FORWARD_B_TARGET is not set, but the B route needs it");
    expect(problems).to.include("ALMA_FORWARD_C_EVENTS is not set, but the C route needs it");
    expect(problems).to.include(
      "ALMA_FORWARD_D_INSTITUTIONS is not a comma-separated list of institution codes",
    );
    expect(problems).to.include("ALMA_FORWARD_PPOD_TARGET: the route PPOD has the name of a plugin");
    expect(problems).to.include("ALMA_FORWARD_loans_TARGET: a route name is 1-32 upper-case letters");
    const broken = configuration.plugins.filter((plugin) => plugin.problems).map((plugin) => plugin.name);
    expect(broken).to.deep.equal(["A", "B", "D"]);
  });

  it("warns about a standard queue (no deduplication) and an unknown ALMA_FORWARD_ variable", () => {
    const { warnings } = load({
      ALMA_FORWARD_Q_TARGET: "arn:aws:sqs:us-east-1:123456789012:alma-events",
      ALMA_FORWARD_Q_EVENTS: "LOAN",
      ALMA_FORWARD_Q_TARGETS: QUEUE,
    });
    expect(warnings.join("\n")).to.include("The Q route forwards to a standard queue");
    expect(warnings.join("\n")).to.include("ALMA_FORWARD_Q_TARGETS is not a forward route variable");
  });

  it("warns about an entry that names no documented action or event, with the nearest name, and keeps it", () => {
    const { warnings, problems, plugins } = load({
      ALMA_FORWARD_Q_TARGET: QUEUE,
      ALMA_FORWARD_Q_EVENTS: "LOANS, LOAN:LOAN_CREATD, BIB:BIB_UPDATED, JOB_END:Any job Dev1",
    });
    expect(warnings.filter((warning) => warning.startsWith("ALMA_FORWARD_Q_EVENTS"))).to.deep.equal([
      "ALMA_FORWARD_Q_EVENTS: 'LOANS': the action 'LOANS' is not one that Alma documents; did you mean 'LOAN'? (Q route).",
      "ALMA_FORWARD_Q_EVENTS: 'LOAN:LOAN_CREATD': the event 'LOAN_CREATD' of LOAN is not one that Alma documents; did you mean 'LOAN:LOAN_CREATED'? (Q route).",
    ]);
    expect(problems).to.deep.equal([]);
    expect(plugins.find((plugin) => plugin.name === "Q")?.plugin.actions).to.include.members([
      "LOANS",
      "LOAN",
    ]);
  });
});
