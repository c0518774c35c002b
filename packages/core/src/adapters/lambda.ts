// The Lambda adapter's entry point (`@alma-webhooks/core/lambda`): how a Lambda HTTP event (Function URL,
// API Gateway v1 and v2, ALB) becomes the router's request. `router.handle(event)` uses it; a shell that
// wants the request itself (a local emulator, a test) imports it here, as the node and Fetch adapters hold
// their own types.
export {
  decodeQueryComponent,
  type LambdaFront,
  type NormaliseResult,
  normaliseEvent,
} from "../http/request.js";
