import { expect } from "chai";
import { handleLambdaEvent } from "../src/adapters/lambda.js";
import {
  activatePlugin,
  createWebhookRouter,
  definePlugin,
  InvalidPluginError,
  loadPlugins,
  readField,
} from "../src/index.js";
import {
  almaEventPayload,
  jobEndPayload,
  RecordingDispatcher,
  signedPost,
  toAlmaXml,
} from "../src/testing/index.js";
import { activeSample, POD_JOB, SECRET } from "./fixtures/plugins.js";

const VALIDATED = "Webhook POST request received and validated";
const QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/loan-notices";

/** Another library's plugin: loan notices for one institution, to a queue. */
const loanNotices = definePlugin({
  name: "LOAN_NOTICES",
  settings: {
    queueUrl: { env: "LOAN_QUEUE_URL", description: "Queue of loan notices" },
    institution: { env: "LOAN_INSTITUTION", description: "Institution code", optional: true },
  },
  activatedBy: "queueUrl",
  actions: ["LOAN"],
  events: ["LOAN_CREATED", "LOAN_RENEWED"],
  institutions: ({ institution }) => (institution ? [institution] : undefined),
  matches: (payload) => payload.item_loan?.loan_status !== "LOST",
  target: ({ queueUrl }) => queueUrl,
  buildExecution: (payload, { executionName }) => ({
    input: { loanId: readField(payload, "item_loan.loan_id"), user: readField(payload, "item_loan.user_id") },
    name: executionName("loan-notice"),
  }),
});

/** One plugin per other kind, claiming every event of its action. */
const KINDS = {
  REQUEST: "user_request.request_id",
  USER: "webhook_user.user.primary_id",
  BIB: "bib.mms_id",
  ITEM: "item.item_data.barcode",
  NOTIFICATION: "notification.description",
} as const;
const kindPlugins = Object.entries(KINDS).map(([action, field]) =>
  activatePlugin(
    definePlugin({
      name: action,
      settings: { target: { env: `${action}_TARGET`, description: "target" } },
      activatedBy: "target",
      actions: [action],
      target: ({ target }) => target,
      buildExecution: (payload, { executionName }) => ({
        input: { key: readField(payload, field) },
        name: executionName(action.toLowerCase()),
      }),
    }),
    { target: `${action.toLowerCase()}-target` },
  ),
);

describe("event plugins (webhooks other than JOB_END)", () => {
  let dispatcher: RecordingDispatcher;
  beforeEach(() => {
    dispatcher = new RecordingDispatcher();
  });
  const router = (institution?: string) =>
    createWebhookRouter({
      secrets: [SECRET],
      workspace: "dev",
      plugins: [
        activeSample,
        activatePlugin(loanNotices, { queueUrl: QUEUE, institution: institution ?? "" }),
        ...kindPlugins,
      ],
      dispatcher,
    });
  const xmlPost = (payload: Record<string, unknown>) =>
    signedPost(toAlmaXml(payload), SECRET, { headers: { "Content-Type": "application/xml" } });

  it("starts the plugin that claims the action and event, with its typed payload", async () => {
    const response = await handleLambdaEvent(router(), signedPost(almaEventPayload("LOAN"), SECRET));
    expect(response.body).to.equal(`${VALIDATED}, LOAN_NOTICES pipeline initiated.`);
    expect(dispatcher.requests).to.have.length(1);
    expect(dispatcher.requests[0]).to.deep.include({ plugin: "LOAN_NOTICES", target: QUEUE });
    expect(JSON.parse(dispatcher.requests[0]?.input ?? "")).to.deep.equal({
      loanId: "7332811490004761",
      user: "PRIMARY_ID_1",
    });
    expect(dispatcher.requests[0]?.name).to.match(/^loan-notice-20241106T150000-[0-9A-Za-z_-]{22}$/);
  });

  it("answers 'no action taken' to an event of its action that it does not claim, and starts nothing", async () => {
    const returned = almaEventPayload("LOAN", { event: { value: "LOAN_RETURNED" } });
    const lost = almaEventPayload("LOAN");
    (lost.item_loan as Record<string, unknown>).loan_status = "LOST";
    for (const payload of [returned, lost, { ...almaEventPayload("LOAN"), event: undefined }]) {
      expect((await handleLambdaEvent(router(), signedPost(payload, SECRET))).body).to.equal(
        `${VALIDATED}, no action taken.`,
      );
    }
    expect(dispatcher.requests).to.deep.equal([]);
  });

  it("gates on the institution allow-list a plugin declares", async () => {
    const loan = signedPost(almaEventPayload("LOAN"), SECRET);
    expect((await handleLambdaEvent(router("01PRI_INST"), loan)).body).to.equal(
      `${VALIDATED}, no action taken.`,
    );
    expect((await handleLambdaEvent(router("01MIT_INST"), loan)).body).to.equal(
      `${VALIDATED}, LOAN_NOTICES pipeline initiated.`,
    );
  });

  it("answers an action no plugin handles exactly as before: not a JOB_END webhook", async () => {
    const plain = createWebhookRouter({
      secrets: [SECRET],
      workspace: "dev",
      plugins: [activeSample],
      dispatcher,
    });
    for (const action of ["LOAN", "BIB", "USER", "SOMETHING_NEW"]) {
      expect((await handleLambdaEvent(plain, signedPost(almaEventPayload(action), SECRET))).body).to.equal(
        `${VALIDATED}, not a JOB_END webhook so no action was taken.`,
      );
    }
  });

  it("answers 400 naming a field the plugin reads that is missing, and starts nothing", async () => {
    const payload = almaEventPayload("LOAN");
    delete (payload.item_loan as Record<string, unknown>).loan_id;
    const response = await handleLambdaEvent(router(), signedPost(payload, SECRET));
    expect([response.statusCode, response.body]).to.deep.equal([
      400,
      "Malformed webhook body. item_loan.loan_id is required.",
    ]);
    expect(dispatcher.requests).to.deep.equal([]);
  });

  it("names an event without a webhook id by a hash of the body, the same for the same bytes", async () => {
    const { id: _id, ...withoutId } = almaEventPayload("LOAN");
    const delivery = signedPost(withoutId, SECRET);
    await handleLambdaEvent(router(), delivery);
    await handleLambdaEvent(router(), delivery);
    const [first, second] = dispatcher.requests;
    expect(first?.name).to.match(/^loan-notice-20241106T150000-[0-9A-Za-z_-]{22}$/);
    expect(second?.name).to.equal(first?.name);
  });

  describe("both body formats give the same decision", () => {
    const cases: [string, Record<string, unknown>][] = [
      ["JOB_END", jobEndPayload({ job_instance: { name: POD_JOB } })],
      ["JOB_END of another environment", jobEndPayload({ job_instance: { name: "POD to Prod" } })],
      ["LOAN", almaEventPayload("LOAN")],
      ["LOAN not claimed", almaEventPayload("LOAN", { event: { value: "LOAN_LOST", desc: "Lost" } })],
      ...Object.keys(KINDS).map((action): [string, Record<string, unknown>] => [
        action,
        almaEventPayload(action),
      ]),
    ];
    for (const [title, payload] of cases) {
      it(`for ${title}`, async () => {
        const fromJson = await handleLambdaEvent(router(), signedPost(payload, SECRET));
        const fromXml = await handleLambdaEvent(router(), xmlPost(payload));
        expect([fromXml.statusCode, fromXml.body]).to.deep.equal([fromJson.statusCode, fromJson.body]);
        expect(fromJson.statusCode).to.equal(200);
        const [json, xml] = [dispatcher.requests[0], dispatcher.requests[1]];
        expect(xml).to.deep.equal(json);
      });
    }
  });
});

describe("definePlugin", () => {
  const base = {
    name: "LOANS",
    settings: { target: { env: "LOANS_TARGET", description: "target" } },
    activatedBy: "target" as const,
    target: ({ target }: { target: string }) => target,
    buildExecution: () => ({ input: {}, name: "x" }),
  };

  it("refuses no actions, lower-case actions or events", () => {
    expect(() => definePlugin({ ...base, actions: [] })).to.throw(InvalidPluginError, "actions must list");
    expect(() => definePlugin({ ...base, actions: ["loan"] })).to.throw(InvalidPluginError, "upper-case");
    expect(() => definePlugin({ ...base, actions: ["LOAN"], events: ["loan_created"] })).to.throw(
      InvalidPluginError,
      "events must be upper-case",
    );
  });

  it("is loaded from the environment like a job plugin", () => {
    const plugin = definePlugin({ ...base, actions: ["LOAN"] });
    expect(loadPlugins([plugin], { LOANS_TARGET: "q" }).active.map((active) => active.target)).to.deep.equal([
      "q",
    ]);
    expect(loadPlugins([plugin], {}).warnings).to.deep.equal([
      "LOANS plugin is inactive: LOANS_TARGET is not set.",
    ]);
  });
});

describe("readField", () => {
  it("reads strings and numbers by path, and names what is missing or malformed", () => {
    const payload = { action: "LOAN", item_loan: { loan_id: "1", count: 3, empty: "", nested: "x" } };
    expect(readField(payload, "item_loan.loan_id")).to.equal("1");
    expect(readField(payload, "item_loan.count")).to.equal("3");
    expect(() => readField(payload, "item_loan.user_id")).to.throw("item_loan.user_id is required.");
    expect(() => readField(payload, "item_loan.empty")).to.throw(
      "item_loan.empty must be a non-empty string.",
    );
    expect(() => readField(payload, "item_loan.nested.deeper")).to.throw(
      "item_loan.nested must be an object.",
    );
    expect(() => readField(payload, "user_request.request_id")).to.throw(
      "user_request.request_id is required.",
    );
  });
});
