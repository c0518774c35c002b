// The public API of @alma-webhooks/core: what plugin authors, shells and other webhook projects use.
// Everything else is internal. The testing kit is the separate entry point @alma-webhooks/core/testing.

export type { BodyBytes } from "./bytes.js";
export { type Clock, raceDeadline, systemClock } from "./deadline.js";
// Routing
export type {
  DispatchedWebhook,
  DispatchResult,
  ExecutionDispatcher,
  ExecutionRequest,
} from "./dispatcher.js";
// Errors
export {
  AlmaWebhooksError,
  ConfigurationError,
  DispatchFailedError,
  DuplicatePluginError,
  InvalidPayloadError,
  InvalidPluginError,
  InvalidRouterOptionsError,
  messageOf,
  NoSecretError,
  TransientError,
  WebhookNotDeliveredError,
} from "./errors.js";
// Plugins
export { checkForwardEvents, type ForwardPluginDefinition, forwardPlugin } from "./forward.js";
export type { HttpRequest, UnreadableRequest, WebhookRequest } from "./http/request.js";
export { type HttpResponse, toHttpResponse } from "./http/response.js";
export { type LogFields, type Logger, silentLogger } from "./logger.js";
export {
  type ChallengeFormat,
  type NotDeliveredReason,
  notDeliveredReason,
  type Outcome,
  type PluginResult,
} from "./outcome.js";
// Payloads
export { jobEndDate, jobId, PUBLISHING_RECORD_COUNTERS } from "./payload/job-end.js";
export {
  type AlmaRecord,
  type BibPayload,
  type ItemPayload,
  type LoanPayload,
  type NotificationPayload,
  type PayloadOf,
  type RequestPayload,
  readField,
  type UserPayload,
} from "./payload/kinds.js";
export type { AlmaCode, JobEndPayload, JobInstance, WebhookPayload } from "./payload/types.js";
export { type PayloadValidation, validatePayload } from "./payload/validate.js";
export {
  type BuildContext,
  type Declined,
  decline,
  type ExecutionPlan,
  type JsonValue,
  type SettingSpec,
  type SettingValues,
  type WebhookPlugin,
} from "./plugin/contract.js";
export { COMPLETED_SUCCESS, definePlugin, type PluginDefinition, pluginProblem } from "./plugin/define.js";
export { exactName, type JobMatcher, namePattern, namePrefix } from "./plugin/matchers.js";
export { type ActivePlugin, activatePlugin, type LoadedPlugins, loadPlugins } from "./plugin/registry.js";
export { closestName, type Environment, misspelledVariables } from "./plugin/settings.js";
export {
  createWebhookRouter,
  DEFAULT_MAX_BODY_BYTES,
  type Decision,
  type DecisionRecord,
  type WebhookRouter,
  type WebhookRouterOptions,
} from "./router.js";
export type { SecretSource, Secrets } from "./secret-source.js";
export { SIGNATURE_HEADER, signBody } from "./signature.js";
export { isTransient, NETWORK_ERROR_CODES, THROTTLING_NAMES } from "./transient.js";
// Handlers
export {
  type ActionOf,
  type AlmaAction,
  type AlmaEventName,
  almaEventNames,
  createWebhooks,
  type ErrorHandler,
  type HandlerContext,
  type HandlerOptions,
  type JobEndHandlerOptions,
  type WebhookHandler,
  type Webhooks,
  type WebhooksOptions,
} from "./webhooks.js";
