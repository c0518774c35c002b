// Type tests for the handlers' event names and payloads: compiled by `tsc -p packages/core/test-types` (make
// lint), never run. Each `@ts-expect-error` must stay needed (see plugin-contract.test-d.ts).
import { type AlmaEventName, createWebhooks, type JobEndPayload, type LoanPayload } from "../src/index.js";

const webhooks = createWebhooks({ secret: "itsasecret" });

// A misspelled event or action is refused, as octokit's "issues.opend" is (TS2345).
// @ts-expect-error: LOAN_CRATED is no LOAN event
webhooks.on("LOAN.LOAN_CRATED", () => {});
// @ts-expect-error: LAON is no action
webhooks.on("LAON.LOAN_CREATED", () => {});
// @ts-expect-error: a job end has no event
webhooks.on("JOB_END.MARC", () => {});
// A name Alma adds later: onUnchecked, its payload still typed by the action.
webhooks.onUnchecked("LOAN.LOAN_RECALLED", ({ payload }) => payload.item_loan?.loan_id);

webhooks.on("LOAN.LOAN_CREATED", ({ payload }) => {
  const loan: LoanPayload = payload;
  const id: string | undefined = loan.item_loan?.loan_id;
  // @ts-expect-error: the payload types are exact: a misspelled field does not compile
  loan.item_lona;
  // @ts-expect-error: nested objects too
  loan.item_loan?.loan_idd;
  return id;
});

webhooks.on("JOB_END", ({ payload }) => {
  const job: JobEndPayload = payload;
  const status: string | undefined = job.job_instance.status?.value;
  const category: string | undefined = job.job_instance.job_info?.category?.value;
  const counted: readonly (string | number)[] | undefined = job.job_instance.counter?.map((c) => c.value);
  // @ts-expect-error: no such field of a job instance
  job.job_instance.stauts;
  return [status, category, counted];
});

// Every documented name is one; nothing else is.
const names: AlmaEventName[] = ["LOAN", "JOB_END", "REQUEST.REQUEST_PLACED_ON_SHELF", "ITEM.ITEM_DELETED"];
// @ts-expect-error: not an Alma name
const notAName: AlmaEventName = "LOAN.CREATED";

export { names, notAName };
