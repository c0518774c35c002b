// The public API of @alma-webhooks/aws: every ARN and every AWS call of alma-webhooks. The SDK clients are
// loaded by the dispatchers on first use; each service's dispatcher is also its own subpath
// (`@alma-webhooks/aws/step-functions`, `/sqs`, `/event-bus`).

export {
  EVENT_BUS_ARN_PATTERN,
  EXECUTION_ARN_PATTERN,
  executionArnFor,
  isForwardTarget,
  KMS_KEY_ARN_PATTERN,
  QUEUE_ARN_PATTERN,
  STATE_MACHINE_ARN_PATTERN,
  serviceOf,
  stateMachineArnSetting,
  type TargetKind,
  targetArnSetting,
  targetKindOf,
} from "./arn.js";
export {
  BUDGETED_CLIENT,
  type Clock,
  DISPATCH_BUDGET,
  isTransient,
  refusedBeforeArrival,
  SINGLE_ATTEMPT_CLIENT,
  systemClock,
} from "./deadline.js";
export { DeliveryLedger } from "./delivery-ledger.js";
export { DispatchTimeoutError, SecretFetchTimeoutError, UnusableSecretError } from "./errors.js";
export {
  type ForwardRoutes,
  loadForwardRoutes,
  ROUTE_VARIABLES,
  routeVariableSuggestion,
  routeVariables,
} from "./forward-routes.js";
export { EVENT_SOURCE, IDENTITY_ATTRIBUTE, identityResource } from "./identity.js";
export {
  LARGE_PAYLOAD_KEY,
  type LargePayloadPointer,
  LargePayloadStore,
  largePayloadKey,
} from "./large-payloads.js";
export {
  DeliveryHistory,
  deliveryKey,
  HISTORY_WAIT_MS,
  LEDGER_TTL,
  LedgerDispatcher,
  LedgerTable,
} from "./ledger.js";
export { deliverySize, TARGET_LIMITS } from "./limits.js";
export {
  type StepFunctionsJobPluginDefinition,
  type StepFunctionsSettingKeys,
  stepFunctionsJobPlugin,
} from "./step-functions-job.js";
export {
  createStoredSecrets,
  type ReadSecret,
  readWithPowertools,
  SECRET_CLIENT,
  SECRET_READS,
  type SecretSettings,
  type StoredSecret,
  splitSecrets,
} from "./stored-secrets.js";
export {
  TargetDispatcher,
  type TargetDispatcherOptions,
} from "./target-dispatcher.js";
export {
  KEPT_ID,
  type KeptWebhook,
  UndeliveredStore,
  type UndeliveredWebhook,
  undeliveredKey,
} from "./undelivered.js";
