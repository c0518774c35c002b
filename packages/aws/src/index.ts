// The public API of @alma-webhooks/aws: what a shell, a plugin or infra builds with. The SDK clients are
// loaded by the dispatchers on first use; each service's dispatcher is also its own subpath
// (`@alma-webhooks/aws/step-functions`, `/sqs`, `/event-bus`), every ARN pattern, parse and builder is
// `@alma-webhooks/aws/arn`, and the tuning (client settings, waits, the ledger's parts) is
// `@alma-webhooks/aws/internal`, which may change in any release.

export {
  STATE_MACHINE_ARN_PATTERN,
  stateMachineArnSetting,
  type TargetKind,
  targetArnSetting,
} from "./arn.js";
export {
  type Clock,
  DISPATCH_BUDGET,
  isTransient,
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
export { type LargePayloadPointer, LargePayloadStore } from "./large-payloads.js";
export {
  type StepFunctionsJobPluginDefinition,
  type StepFunctionsSettingKeys,
  stepFunctionsJobPlugin,
} from "./step-functions-job.js";
export {
  createStoredSecrets,
  type ReadSecret,
  readWithPowertools,
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
