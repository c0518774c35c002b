// Must compile with no error under a bare configuration (tsconfig.bare.json: the target's lib only, no DOM,
// `types: []`, as TypeScript 7's `tsc --init`), importing core's main entry only.
import { createWebhooks, readField } from "@alma-webhooks/core";

export const webhooks = createWebhooks({ secret: "itsasecret" })
  .on("LOAN.LOAN_CREATED", ({ payload, rawBody }) => [payload.item_loan?.loan_id, rawBody.byteLength])
  .on("JOB_END", ({ payload }) => payload.job_instance.status?.value)
  .onUnchecked("LOAN.LOAN_RECALLED", ({ payload }) => readField(payload, "item_loan.loan_id"));
