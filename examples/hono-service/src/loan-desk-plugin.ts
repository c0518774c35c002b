import { definePlugin, readField } from "@alma-webhooks/core";

/**
 * The circulation desk's feed: every loan created or returned becomes one entry in the desk's outbox.
 * Active when LOAN_DESK_OUTBOX names the outbox (the dispatcher's target).
 */
export const loanDeskPlugin = definePlugin({
  name: "LOAN_DESK",
  settings: {
    outbox: {
      env: "LOAN_DESK_OUTBOX",
      description: "Name of the outbox that receives one entry per loan created or returned",
      example: "circulation-desk",
    },
  },
  activatedBy: "outbox",
  actions: ["LOAN"],
  events: ["LOAN_CREATED", "LOAN_RETURNED"],
  target: ({ outbox }) => outbox,
  buildExecution: (payload, { executionName }) => ({
    input: {
      event: readField(payload, "event.value"),
      loanId: readField(payload, "item_loan.loan_id"),
      userId: readField(payload, "item_loan.user_id"),
    },
    name: executionName("loan-desk"),
  }),
});
