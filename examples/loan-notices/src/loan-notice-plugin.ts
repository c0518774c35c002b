import { definePlugin, readField } from "@alma-webhooks/core";

/**
 * Loan notices: every new, renewed or due loan becomes one message on a queue. An optional allow-list
 * keeps the webhooks of other institutions (a shared Alma network, a sandbox) out.
 */
export const loanNoticePlugin = definePlugin({
  name: "LOAN_NOTICES",
  settings: {
    queueUrl: {
      env: "LOAN_NOTICE_QUEUE_URL",
      description: "Queue that receives one message per loan event",
      example: "https://sqs.us-east-1.amazonaws.com/123456789012/loan-notices.fifo",
    },
    institutions: {
      env: "LOAN_NOTICE_INSTITUTIONS",
      description: "Comma-separated institution codes acted on; every institution when unset",
      pattern: "^\\s*[A-Za-z0-9_]+(\\s*,\\s*[A-Za-z0-9_]+)*\\s*$",
      patternHint: "a comma-separated list of institution codes, like 01MIT_INST",
      example: "01MIT_INST",
      optional: true,
    },
  },
  activatedBy: "queueUrl",
  actions: ["LOAN"],
  events: ["LOAN_CREATED", "LOAN_RENEWED", "LOAN_DUE_DATE"],
  institutions: ({ institutions }) => {
    const codes = institutions
      .split(",")
      .map((code) => code.trim())
      .filter((code) => code !== "");
    return codes.length > 0 ? codes : undefined;
  },
  target: ({ queueUrl }) => queueUrl,
  // Read only what the notice needs: a missing field is a 400 naming it, any other field is never checked.
  buildExecution: (payload, { executionName }) => ({
    input: {
      event: readField(payload, "event.value"),
      loanId: readField(payload, "item_loan.loan_id"),
      userId: readField(payload, "item_loan.user_id"),
      dueDate: readField(payload, "item_loan.due_date"),
    },
    name: executionName("loan-notice"),
  }),
});
