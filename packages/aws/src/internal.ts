// `@alma-webhooks/aws/internal`: the tuning and the parts behind the root's classes, for this repository's
// shell, tools and tests. Not a stable API: any release may change it.

export {
  BUDGETED_CLIENT,
  refusedBeforeArrival,
  SINGLE_ATTEMPT_CLIENT,
} from "./deadline.js";
export { LARGE_PAYLOAD_KEY, largePayloadKey } from "./large-payloads.js";
export {
  DeliveryHistory,
  deliveryKey,
  HISTORY_WAIT_MS,
  LEDGER_TTL,
  LedgerDispatcher,
  LedgerTable,
} from "./ledger.js";
export { deliverySize, TARGET_LIMITS } from "./limits.js";
export { SECRET_CLIENT, SECRET_READS } from "./stored-secrets.js";
