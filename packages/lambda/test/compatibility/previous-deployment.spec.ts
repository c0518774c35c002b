// The previous deployment's behaviour, row by row, through the built bundle: every valid webhook it answered
// is answered the same here (status and body), and starts exactly the executions it started. The fixtures are
// modelled on real Alma bodies: failed publishing jobs whose errors are counters with free-text types and
// values and 16- to 20-digit MMS IDs, bodies of other actions, and the minimal bodies the previous
// deployment's own integration tests send.
import { signedPost } from "@alma-webhooks/core/testing";
import { type LocalStepFunctions, startLocalStepFunctions } from "@alma-webhooks/local-aws/endpoint";
import { expect } from "chai";
import { BUNDLE, requireBundle, runChild } from "../support/child.js";
import { ARNS, JOBS, SECRET, VALID_ENV } from "../support/environment.js";

const VALIDATED = "Webhook POST request received and validated";
const NOT_JOB_END = `${VALIDATED}, not a JOB_END webhook so no action was taken.`;
const NO_ACTION = `${VALIDATED}, no action taken.`;
const otherEnv = (name: string) => `${VALIDATED} in dev env for job '${name}', no action taken.`;
const failed = (name: string) => `${VALIDATED}, Alma job '${name}' failed so no action was taken.`;
const zero = (name: string) =>
  `${VALIDATED}, Alma job '${name}' exported zero records so no action was taken.`;
const initiated = (plugin: string) => `${VALIDATED}, ${plugin} pipeline initiated.`;

const c = (type: string, value: string, desc = "") => ({ type: { value: type, desc }, value });

/** The errors a failed publishing job lists as counters: free text, MMS IDs of 16 to 20 digits. */
const ERROR_COUNTERS = [
  c("FTP has failed.", "Download zip file for manual FTP."),
  c("Publishing error", "Failed to parse marc record9979472923703681"),
  c("Failed to process record", "9979472923703681"),
  c("Failed to process record", "99794729237036810001"),
  c("c.jobs.publishing.failed.publishing", "3", "Unpublished failed records"),
];
const RECORDS = (created: string, updated = "0", deleted = "0") => [
  c("label.new.records", created, "New Records"),
  c("label.updated.records", updated, "Updated Records"),
  c("label.deleted.records", deleted, "Deleted Records"),
];

/** A JOB_END body in the shape Alma sends today (Princeton's and MIT's bodies alike). */
function almaJobEnd(job: Record<string, unknown>, top: Record<string, unknown> = {}) {
  return {
    id: "38205463100006421",
    action: "JOB_END",
    institution: { value: "01MIT_INST", desc: "Massachusetts Institute of Technology" },
    time: "2024-06-11T18:27:10.961Z",
    job_instance: {
      id: "38205463100006421",
      progress: 101.3,
      external_id: "38205728880006421",
      submitted_by: { value: "System" },
      submit_time: "2024-06-11T17:00:11.594Z",
      start_time: "2024-06-11T17:20:13.584Z",
      end_time: "2024-06-11T18:27:10.961Z",
      status_date: "2024-06-11Z",
      alert: [{ value: "alert_general_success", desc: "The job completed successfully." }],
      job_info: { id: "S32986800410006421", name: job.name, description: "Publishing Platform Job" },
      link: "/almaws/v1/conf/jobs/S32986800410006421/instances/38205463100006421",
      ...job,
    },
    ...top,
  };
}
const SUCCESS = { value: "COMPLETED_SUCCESS", desc: "Completed Successfully" };
const FAILED = { value: "COMPLETED_FAILED", desc: "Completed with Errors" };

type Start = { readonly arn: string; readonly input: Record<string, unknown> };
type Row = readonly [title: string, body: unknown, status: number, answer: string, starts?: readonly Start[]];

const POD_INPUT = (date: string) => ({ "filename-prefix": `exlibris/pod/POD_ALMA_EXPORT_${date}` });
const TIMDEX_INPUT = (date: string, runType: string) => ({
  "next-step": "transform",
  "run-date": date,
  "run-type": runType,
  source: "alma",
  verbose: "true",
});

export const ROWS: readonly Row[] = [
  // Not JOB_END: whatever else the body holds.
  ...["BIB", "USER", "LOAN", "REQUEST", "ITEM", "NOTIFICATION"].map(
    (action): Row => [
      `a ${action} webhook`,
      {
        id: "7307218030006421",
        action,
        institution: { value: "01PRI_INST", desc: "Princeton University Library" },
        time: "2024-06-11T18:27:10.961Z",
        event: { value: `${action}_UPDATED`, desc: `${action} updated` },
        ...(action === "BIB"
          ? { bib: { mms_id: "9979472923703681", title: "A title", anies: ["<record/>"] } }
          : {}),
        ...(action === "USER"
          ? { webhook_user: { user: { primary_id: "p1", user_group: { value: "GR" } } } }
          : {}),
        ...(action === "LOAN" ? { item_loan: { loan_id: "1", due_date: "2024-07-01T00:00:00Z" } } : {}),
        ...(action === "REQUEST" ? { user_request: { request_id: "2", request_type: "HOLD" } } : {}),
      },
      200,
      NOT_JOB_END,
    ],
  ),
  [
    "a JOB_END body with nothing but an action and a job name of another environment",
    { action: "JOB_END", job_instance: { name: "Publishing Platform Job PPOD EXPORT to Prod" } },
    200,
    otherEnv("Publishing Platform Job PPOD EXPORT to Prod"),
  ],
  [
    "an unknown job of this environment with nothing but a name",
    { action: "JOB_END", job_instance: { name: "Some Other Job to Dev1" } },
    200,
    NO_ACTION,
  ],
  [
    "a failed publishing job of another environment, with free-text and 16-20 digit counters",
    almaJobEnd({
      name: "Publishing Platform Job Incremental Publishing",
      status: FAILED,
      counter: [...RECORDS("66", "3453"), ...ERROR_COUNTERS],
    }),
    200,
    otherEnv("Publishing Platform Job Incremental Publishing"),
  ],
  [
    "a failed POD job with free-text counters and records",
    almaJobEnd({ name: JOBS.PPOD, status: FAILED, counter: [...RECORDS("66", "3453"), ...ERROR_COUNTERS] }),
    200,
    failed(JOBS.PPOD),
  ],
  [
    "a failed POD job without counter, end_time or id",
    { action: "JOB_END", job_instance: { name: JOBS.PPOD, status: FAILED } },
    200,
    failed(JOBS.PPOD),
  ],
  [
    "a failed Bursar job without id",
    { action: "JOB_END", job_instance: { name: JOBS.BURSAR, status: FAILED } },
    200,
    failed(JOBS.BURSAR),
  ],
  [
    "a successful TIMDEX job that exported zero records, with error counters",
    almaJobEnd({
      name: `${JOBS.TIMDEX_PREFIX} Daily`,
      status: SUCCESS,
      counter: [...RECORDS("0"), ...ERROR_COUNTERS],
    }),
    200,
    zero(`${JOBS.TIMDEX_PREFIX} Daily`),
  ],
  [
    "a successful POD job whose only counts are in other counters",
    almaJobEnd({ name: JOBS.PPOD, status: SUCCESS, counter: [c("c.jobs.publishing.total_records", "15")] }),
    200,
    zero(JOBS.PPOD),
  ],
  [
    "the previous deployment's own POD integration body: date-only end_time, no id",
    {
      action: "JOB_END",
      job_instance: {
        name: JOBS.PPOD,
        end_time: "2023-08-15",
        status: { value: "COMPLETED_SUCCESS" },
        counter: RECORDS("1"),
      },
    },
    200,
    initiated("PPOD"),
    [{ arn: ARNS.PPOD, input: POD_INPUT("20230815") }],
  ],
  [
    "a successful POD job with error counters and 20-digit record counts",
    almaJobEnd({
      name: JOBS.PPOD.toUpperCase(),
      status: SUCCESS,
      counter: [...RECORDS("99794729237036810001"), ...ERROR_COUNTERS],
    }),
    200,
    initiated("PPOD"),
    [{ arn: ARNS.PPOD, input: POD_INPUT("20240611") }],
  ],
  [
    "a successful TIMDEX full job, end_time with an offset and no fractions",
    almaJobEnd({
      name: `${JOBS.TIMDEX_PREFIX} Full`,
      status: SUCCESS,
      end_time: "2024-06-11T23:10:00+02:00",
      counter: RECORDS("0", "25"),
    }),
    200,
    initiated("TIMDEX"),
    [{ arn: ARNS.TIMDEX, input: TIMDEX_INPUT("2024-06-11", "full") }],
  ],
  [
    "a minimal TIMDEX daily body without id",
    {
      action: "JOB_END",
      job_instance: {
        name: `${JOBS.TIMDEX_PREFIX} Daily`,
        end_time: "2023-08-15",
        status: { value: "COMPLETED_SUCCESS" },
        counter: RECORDS("5"),
      },
    },
    200,
    initiated("TIMDEX"),
    [{ arn: ARNS.TIMDEX, input: TIMDEX_INPUT("2023-08-15", "daily") }],
  ],
  [
    "a successful Bursar job without end_time",
    {
      action: "JOB_END",
      job_instance: {
        id: "7019873450004761",
        name: JOBS.BURSAR,
        status: { value: "COMPLETED_SUCCESS" },
        counter: [c("com.exlibris.external.bursar.report.fines_fees_count", "4")],
      },
    },
    200,
    initiated("BURSAR"),
    [{ arn: ARNS.BURSAR, input: { job_id: "7019873450004761" } }],
  ],
  [
    "an older body with null bib, holding, item, portfolio, representation and event",
    almaJobEnd(
      {
        name: JOBS.BURSAR,
        status: SUCCESS,
        id: "7019873450004762",
        counter: [c("com.exlibris.external.bursar.report.fines_fees_count", "12")],
      },
      { bib: null, holding: null, item: null, portfolio: null, representation: null, event: null },
    ),
    200,
    initiated("BURSAR"),
    [{ arn: ARNS.BURSAR, input: { job_id: "7019873450004762" } }],
  ],
  ["a JOB_END with an empty job name", { action: "JOB_END", job_instance: { name: "" } }, 200, otherEnv("")],
  ["a webhook whose action is not text", { action: 5, job_instance: { name: JOBS.PPOD } }, 200, NOT_JOB_END],
  [
    "a successful POD job that ended at 24:00:00, ISO 8601's end of day",
    {
      action: "JOB_END",
      job_instance: {
        name: JOBS.PPOD,
        end_time: "2024-06-11T24:00:00Z",
        status: SUCCESS,
        counter: RECORDS("2"),
      },
    },
    200,
    initiated("PPOD"),
    [{ arn: ARNS.PPOD, input: POD_INPUT("20240611") }],
  ],
  // Where the previous deployment crashed, a 400 naming the field.
  [
    "a successful Bursar job without id",
    {
      action: "JOB_END",
      job_instance: {
        name: JOBS.BURSAR,
        status: SUCCESS,
        counter: [c("com.exlibris.external.bursar.report.fines_fees_count", "4")],
      },
    },
    400,
    "Malformed webhook body. job_instance.id is required.",
  ],
  [
    "a successful POD job whose end_time is not a real date",
    {
      action: "JOB_END",
      job_instance: { name: JOBS.PPOD, status: SUCCESS, end_time: "9999-99-99T99:99", counter: RECORDS("3") },
    },
    400,
    "Malformed webhook body. job_instance.end_time is not a real calendar date: must be a date (2024-11-06) or an ISO 8601 date-time (2024-11-06T14:43:10.585Z).",
  ],
  [
    "a successful POD job whose record counter is free text",
    almaJobEnd({ name: JOBS.PPOD, status: SUCCESS, counter: [c("label.new.records", "lots")] }),
    400,
    'Malformed webhook body. job_instance.counter[0].value (label.new.records) must be a whole number written as a string, like "12".',
  ],
  [
    "a claimed job without status",
    { action: "JOB_END", job_instance: { name: JOBS.PPOD } },
    400,
    "Malformed webhook body. job_instance.status is required.",
  ],
  [
    "a JOB_END without job_instance",
    { action: "JOB_END" },
    400,
    "Malformed webhook body. job_instance is required.",
  ],
];

describe("compatibility with the previous deployment (the bundle)", function () {
  this.timeout(120_000);
  let endpoint: LocalStepFunctions;

  before(requireBundle);
  beforeEach(async () => {
    endpoint = await startLocalStepFunctions({ stateMachineArns: Object.values(ARNS) });
  });
  afterEach(() => endpoint.close());

  const env = (extra: Record<string, string> = {}) => ({
    ...VALID_ENV,
    AWS_ENDPOINT_URL_SFN: endpoint.url,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    ...extra,
  });

  it(`answers each of the ${ROWS.length} rows as the previous deployment did, and starts what it started`, async () => {
    const { responses } = await runChild(
      BUNDLE,
      ROWS.map(([, body]) => signedPost(body, SECRET)),
      env(),
    );
    const answered = ROWS.map(([title], index) => [
      title,
      responses[index]?.statusCode,
      responses[index]?.body,
    ]);
    expect(answered).to.deep.equal(ROWS.map(([title, , status, answer]) => [title, status, answer]));
    const started = endpoint.executions().map((execution) => ({
      arn: execution.stateMachineArn,
      input: JSON.parse(execution.input),
    }));
    expect(started).to.deep.equal(ROWS.flatMap(([, , , , starts = []]) => starts));
  });

  it("starts nothing twice when the same bytes are delivered again, even without a job id", async () => {
    const minimal = ROWS.find(([title]) => title.startsWith("the previous deployment's own POD"))?.[1];
    const delivery = signedPost(minimal, SECRET);
    const { responses } = await runChild(BUNDLE, [delivery, delivery], env());
    expect(responses.map((response) => response.statusCode)).to.deep.equal([200, 200]);
    expect(endpoint.executions()).to.have.length(1);
    expect(endpoint.executions()[0]?.name).to.match(/^ppod-upload-20230815T000000-[0-9A-Za-z_-]{22}$/);
  });

  it("contains one plugin's invalid setting: its jobs 500, everything else as usual", async () => {
    const broken = env({ BURSAR_STATE_MACHINE_ARN: "arn:aws:states:us-east-1:1234:stateMachine:bursar" });
    const bursar = ROWS.find(([title]) => title.startsWith("a successful Bursar job without end_time"))?.[1];
    const pod = ROWS.find(([title]) => title.startsWith("the previous deployment's own POD"))?.[1];
    const { responses } = await runChild(
      BUNDLE,
      [
        {
          version: "2.0",
          requestContext: { http: { method: "GET" } },
          queryStringParameters: { challenge: "c" },
        },
        signedPost(bursar, SECRET),
        signedPost(pod, SECRET),
        signedPost({ action: "JOB_END", job_instance: { name: "Other to Dev1" } }, SECRET),
      ],
      broken,
    );
    expect(responses.map((response) => response.statusCode)).to.deep.equal([200, 500, 200, 200]);
    expect(responses[1]?.body).to.equal(
      `${VALIDATED}, but the BURSAR pipeline is misconfigured; the event was not processed and may be retried.`,
    );
    expect(endpoint.executions().map((execution) => execution.stateMachineArn)).to.deep.equal([ARNS.PPOD]);
  });
});
