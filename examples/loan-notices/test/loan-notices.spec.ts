import { createWebhookRouter, type Decision, loadPlugins } from "@alma-webhooks/core";
import { handleLambdaEvent } from "@alma-webhooks/core/lambda";
import { almaEventPayload, jobEndPayload, signedPost, toAlmaXml } from "@alma-webhooks/core/testing";
import { expect } from "chai";
import sinon from "sinon";
import { InMemoryQueue, loanNoticePlugin, QueueDispatcher } from "../src/index.js";

const SECRET = "loan-notices-test-secret";
const QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/loan-notices.fifo";
const VALIDATED = "Webhook POST request received and validated";
const INITIATED = `${VALIDATED}, LOAN_NOTICES pipeline initiated.`;
const NO_ACTION = `${VALIDATED}, no action taken.`;

/** The project's router, wired as src/handler.ts wires it, around a queue the test can read. */
function service(env: Record<string, string> = {}, timeoutMs?: number) {
  const queue = new InMemoryQueue();
  const decisions: Decision[] = [];
  const { active } = loadPlugins([loanNoticePlugin], { LOAN_NOTICE_QUEUE_URL: QUEUE_URL, ...env });
  const router = createWebhookRouter({
    secrets: [SECRET],
    workspace: "dev",
    plugins: active,
    dispatcher: new QueueDispatcher(queue, timeoutMs),
    onDecision: (decision) => decisions.push(decision),
  });
  const deliver = (payload: Record<string, unknown>) =>
    handleLambdaEvent(router, signedPost(payload, SECRET));
  const deliverXml = (payload: Record<string, unknown>) =>
    handleLambdaEvent(
      router,
      signedPost(toAlmaXml(payload), SECRET, { headers: { "Content-Type": "application/xml" } }),
    );
  return { queue, decisions, router, deliver, deliverXml };
}

const bodyOf = (message: { body: string } | undefined): unknown => JSON.parse(message?.body ?? "null");

/** A LOAN_RENEWED webhook in the shape Alma sends it (JSON integration profile). */
const ALMA_LOAN_RENEWED = {
  id: "8301592637200121",
  action: "LOAN",
  institution: { value: "01MIT_INST", desc: "Massachusetts Institute of Technology" },
  time: "2025-03-14T09:26:53.401Z",
  event: { value: "LOAN_RENEWED", desc: "Loan renewed" },
  item_loan: {
    loan_id: "22451839870004761",
    user_id: "912345678",
    item_barcode: "39080024681357",
    item_id: "23298765420006761",
    mms_id: "990012345670106761",
    holding_id: "22298765430006761",
    title: "Gödel, Escher, Bach : an eternal golden braid",
    author: "Hofstadter, Douglas R.",
    publication_year: "1979",
    call_number: "QA9.8 .H63 1979",
    circ_desk: { value: "DEFAULT_CIRC_DESK", desc: "Hayden Circulation Desk" },
    library: { value: "HUM", desc: "Hayden Library" },
    location_code: { value: "STACK", name: "Stacks" },
    item_policy: { value: "28DAY", description: "28 day loan" },
    loan_date: "2025-02-14T16:02:11Z",
    due_date: "2025-04-14T03:59:00Z",
    loan_status: "ACTIVE",
    process_status: "RENEW",
    renewable: true,
    last_renew_date: "2025-03-14T09:26:52Z",
    last_renew_status: { value: "SUCCESS", desc: "Renewed successfully" },
  },
};

describe("loan notices (another webhook project built on @alma-webhooks/core)", () => {
  afterEach(() => sinon.restore());

  it("queues one notice for a new loan, named after the webhook, and answers initiated", async () => {
    const { queue, deliver } = service();
    const response = await deliver(almaEventPayload("LOAN"));
    expect([response.statusCode, response.body]).to.deep.equal([200, INITIATED]);
    expect(queue.messages).to.have.length(1);
    expect(queue.messages[0]?.id).to.equal("loan-notice-20241106T150000-Vt8leuCxhdNkPxVGKzYzq6");
    expect(bodyOf(queue.messages[0])).to.deep.equal({
      event: "LOAN_CREATED",
      loanId: "7332811490004761",
      userId: "PRIMARY_ID_1",
      dueDate: "2024-12-06T23:59:00Z",
    });
  });

  it("answers 503, so that Alma retries, when the queue fails", async () => {
    const { queue, deliver } = service();
    sinon.stub(queue, "send").rejects(new Error("ThrottlingException: Rate exceeded"));
    const response = await deliver(almaEventPayload("LOAN"));
    expect([response.statusCode, response.body]).to.deep.equal([
      503,
      `${VALIDATED}, but starting the LOAN_NOTICES pipeline failed for now; retry later.`,
    ]);
    expect(queue.messages).to.deep.equal([]);
  });

  it("queues a notice for a renewal as Alma sends it", async () => {
    const { queue, deliver } = service();
    expect((await deliver(ALMA_LOAN_RENEWED)).body).to.equal(INITIATED);
    expect(queue.messages.map(({ id }) => id)).to.deep.equal([
      "loan-notice-20250314T092653-Zc2rHU6BuyokcnDhnuh_Bi",
    ]);
    expect(bodyOf(queue.messages[0])).to.deep.equal({
      event: "LOAN_RENEWED",
      loanId: "22451839870004761",
      userId: "912345678",
      dueDate: "2025-04-14T03:59:00Z",
    });
  });

  it("claims LOAN_DUE_DATE too", async () => {
    const { queue, deliver } = service();
    const due = almaEventPayload("LOAN", { event: { value: "LOAN_DUE_DATE", desc: "Loan due date" } });
    expect((await deliver(due)).body).to.equal(INITIATED);
    expect(bodyOf(queue.messages[0])).to.have.property("event", "LOAN_DUE_DATE");
  });

  it("sends a redelivery with the same message id, so the queue keeps one message", async () => {
    const { queue, deliver } = service();
    const first = await deliver(ALMA_LOAN_RENEWED);
    const again = await deliver(ALMA_LOAN_RENEWED);
    expect([first.body, again.body]).to.deep.equal([INITIATED, INITIATED]);
    expect(queue.sent).to.have.length(2);
    expect(queue.sent[1]).to.deep.equal(queue.sent[0]);
    expect(queue.messages).to.have.length(1);
  });

  it("reports the message id and where it went in the decision", async () => {
    const { decisions, deliver } = service();
    await deliver(almaEventPayload("LOAN"));
    expect(decisions[0]).to.deep.include({ action: "LOAN", event: "LOAN_CREATED", outcome: "handled" });
    expect(decisions[0]?.plugins?.[0]).to.deep.include({
      plugin: "LOAN_NOTICES",
      decision: "started",
      executionName: "loan-notice-20241106T150000-Vt8leuCxhdNkPxVGKzYzq6",
      executionArn: `${QUEUE_URL}#loan-notice-20241106T150000-Vt8leuCxhdNkPxVGKzYzq6`,
    });
  });

  it("answers 'no action taken' to a loan event it does not claim (LOAN_RETURNED), and queues nothing", async () => {
    const { queue, deliver } = service();
    const returned = almaEventPayload("LOAN", { event: { value: "LOAN_RETURNED", desc: "Loan returned" } });
    const response = await deliver(returned);
    expect([response.statusCode, response.body]).to.deep.equal([200, NO_ACTION]);
    expect(queue.sent).to.deep.equal([]);
  });

  it("queues nothing for an institution outside its allow-list", async () => {
    const { queue, deliver } = service({ LOAN_NOTICE_INSTITUTIONS: "01PRI_INST, 01HVD_INST" });
    expect((await deliver(almaEventPayload("LOAN"))).body).to.equal(NO_ACTION);
    expect(queue.sent).to.deep.equal([]);
    const princeton = { ...ALMA_LOAN_RENEWED, institution: { value: "01PRI_INST", desc: "Princeton" } };
    expect((await deliver(princeton)).body).to.equal(INITIATED);
    expect(queue.messages).to.have.length(1);
  });

  it("answers a JOB_END 'no action taken': it has no job plugin", async () => {
    const { queue, deliver } = service();
    const response = await deliver(jobEndPayload());
    expect([response.statusCode, response.body]).to.deep.equal([200, NO_ACTION]);
    expect(queue.sent).to.deep.equal([]);
  });

  it("answers 'not a JOB_END' to an action no plugin of it claims (USER)", async () => {
    const { queue, deliver } = service();
    expect((await deliver(almaEventPayload("USER"))).body).to.equal(
      `${VALIDATED}, not a JOB_END webhook so no action was taken.`,
    );
    expect(queue.sent).to.deep.equal([]);
  });

  it("answers 503 when the queue does not answer in time", async () => {
    const { queue, decisions, deliver } = service({}, 20);
    sinon.stub(queue, "send").returns(new Promise<void>(() => {}));
    expect((await deliver(almaEventPayload("LOAN"))).statusCode).to.equal(503);
    expect(decisions[0]?.plugins?.[0]).to.deep.include({
      decision: "failed",
      transient: true,
      error: "Error: queue did not answer within 20 ms",
    });
  });

  it("answers 400 naming item_loan.loan_id when it is missing, and queues nothing", async () => {
    const { queue, deliver } = service();
    const { loan_id: _dropped, ...loan } = ALMA_LOAN_RENEWED.item_loan;
    const response = await deliver({ ...ALMA_LOAN_RENEWED, item_loan: loan });
    expect([response.statusCode, response.body]).to.deep.equal([
      400,
      "Malformed webhook body. item_loan.loan_id is required.",
    ]);
    expect(queue.sent).to.deep.equal([]);
  });

  it("answers 401 to a body signed with another secret, and queues nothing", async () => {
    const { queue, router } = service();
    const response = await handleLambdaEvent(router, signedPost(almaEventPayload("LOAN"), "not-the-secret"));
    expect(response.statusCode).to.equal(401);
    expect(queue.sent).to.deep.equal([]);
  });

  describe("an XML body (integration profile set to XML) gets the same answer and message as JSON", () => {
    const cases: [string, Record<string, unknown>][] = [
      ["a built LOAN_CREATED", almaEventPayload("LOAN")],
      ["the LOAN_RENEWED as Alma sends it", ALMA_LOAN_RENEWED],
    ];
    for (const [title, payload] of cases) {
      it(`for ${title}`, async () => {
        const json = service();
        const xml = service();
        const fromJson = await json.deliver(payload);
        const fromXml = await xml.deliverXml(payload);
        expect([fromXml.statusCode, fromXml.body]).to.deep.equal([200, INITIATED]);
        expect(fromJson.body).to.equal(INITIATED);
        expect(xml.queue.messages).to.have.length(1);
        expect(xml.queue.messages).to.deep.equal(json.queue.messages);
      });
    }
  });
});

describe("loanNoticePlugin settings", () => {
  it("is inactive, with a warning, without its queue", () => {
    expect(loadPlugins([loanNoticePlugin], {}).warnings).to.deep.equal([
      "LOAN_NOTICES plugin is inactive: LOAN_NOTICE_QUEUE_URL is not set.",
    ]);
  });

  it("reads the institution allow-list, and refuses one that is not a list of codes", () => {
    const env = { LOAN_NOTICE_QUEUE_URL: QUEUE_URL };
    const listed = loadPlugins([loanNoticePlugin], {
      ...env,
      LOAN_NOTICE_INSTITUTIONS: " 01MIT_INST,01PRI_INST ",
    });
    expect(listed.active[0]?.institutions).to.deep.equal(["01MIT_INST", "01PRI_INST"]);
    expect(loadPlugins([loanNoticePlugin], env).active[0]?.institutions).to.equal(undefined);
    expect(
      loadPlugins([loanNoticePlugin], { ...env, LOAN_NOTICE_INSTITUTIONS: "01MIT_INST;x" }).problems,
    ).to.deep.equal([
      "LOAN_NOTICE_INSTITUTIONS is not a comma-separated list of institution codes, like 01MIT_INST: '01MIT_INST;x' (LOAN_NOTICES plugin, activated by LOAN_NOTICE_QUEUE_URL).",
    ]);
  });
});
