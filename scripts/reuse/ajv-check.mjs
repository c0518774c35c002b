// Plain ajv, strict mode, no option or keyword added: each published schema compiles alone and validates a
// sample of its kind (scripts/check-reuse.mjs runs it in a fresh project with the packed core).
import { createRequire } from "node:module";
import { Ajv2020 } from "ajv/dist/2020.js";

const require = createRequire(import.meta.url);
const samples = {
  "webhook.schema.json": { action: "SOMETHING_NEW" },
  "loan.schema.json": {
    action: "LOAN",
    event: { value: "LOAN_CREATED" },
    item_loan: { loan_id: "7332811490004761" },
  },
  "request.schema.json": {
    action: "REQUEST",
    event: { value: "REQUEST_CREATED" },
    user_request: { request_id: "1" },
  },
  "user.schema.json": {
    action: "USER",
    event: { value: "USER_UPDATED" },
    webhook_user: { user: { primary_id: "u1" } },
  },
  "bib.schema.json": { action: "BIB", event: { value: "BIB_UPDATED" }, bib: { mms_id: "99123" } },
  "item.schema.json": {
    action: "ITEM",
    event: { value: "ITEM_CREATED" },
    item: { item_data: { barcode: "39015" } },
  },
  "notification.schema.json": { action: "NOTIFICATION", notification: { description: "notice" } },
  "job-end.schema.json": {
    action: "JOB_END",
    job_instance: {
      name: "MARC Export to Dev1",
      status: { value: "COMPLETED_SUCCESS" },
      counter: [{ type: "c", value: "1" }],
    },
  },
};
let failed = false;
for (const [file, sample] of Object.entries(samples)) {
  const schema = require(`@alma-webhooks/core/schemas/${file}`);
  const validate = new Ajv2020({ strict: true }).compile(schema);
  const valid = validate(sample);
  const wrong = validate({ ...sample, action: 7 });
  console.log(
    `${file}: compiled alone in strict mode; sample ${valid ? "valid" : "INVALID"}; action 7 ${wrong ? "VALID" : "invalid"}`,
  );
  if (!valid || wrong) failed = true;
}
process.exitCode = failed ? 1 : 0;
