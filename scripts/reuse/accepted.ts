// Must compile with no error, the library's own type files included (skipLibCheck false, no @types/node).
import {
  type AlmaEventName,
  createWebhooks,
  type JobEndPayload,
  readField,
  validatePayload,
} from "@alma-webhooks/core";
import { createFetchHandler } from "@alma-webhooks/core/fetch";
import { normaliseEvent } from "@alma-webhooks/core/lambda";

const webhooks = createWebhooks({ secret: "itsasecret" });
webhooks
  .on("LOAN.LOAN_CREATED", ({ payload, rawBody, id }) => {
    const loanId: string | undefined = payload.item_loan?.loan_id;
    const text: string = new TextDecoder().decode(rawBody);
    return [id, loanId, text];
  })
  .on("JOB_END", ({ payload }) => {
    const status: string | undefined = payload.job_instance.status?.value;
    const job: string | undefined = payload.job_instance.job_info?.name;
    return [status, job];
  })
  .onJobEnd(
    "MARC Export to Dev1",
    ({ payload }: { payload: JobEndPayload }) => payload.job_instance.counter?.length,
  )
  .onUnchecked("LOAN.LOAN_RECALLED", ({ payload }) => readField(payload, "item_loan.loan_id"));

const name: AlmaEventName = "REQUEST.REQUEST_CREATED";
export const fetchHandler = createFetchHandler(webhooks);
export const lambdaRequest = normaliseEvent({});
export const validation = validatePayload({ action: "LOAN" });
export { name };
