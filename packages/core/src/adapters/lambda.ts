// The Lambda adapter (`@alma-webhooks/core/lambda`), as hono's `adapter/aws-lambda`: how a Lambda HTTP event
// (Function URL, API Gateway v1 and v2, ALB) becomes the router's request, and the handler that answers one.
// The router itself knows HTTP requests only (`handleRequest`); nothing here needs Lambda's types.
import {
  fromHttpRequest,
  type HttpRequest,
  type NormaliseResult,
  type UnreadableRequest,
} from "../http/request.js";
import type { HttpResponse } from "../http/response.js";
import type { Outcome } from "../outcome.js";
import type { WebhookRouter } from "../router.js";

export type { NormaliseResult } from "../http/request.js";

/**
 * The Lambda front an event came through.
 *
 * @example
 * ```ts
 * const front: LambdaFront = result.ok ? (result.request.front as LambdaFront) : "function-url";
 * ```
 */
export type LambdaFront = "function-url" | "api-gateway-v1" | "alb";

type Dict = Record<string, unknown>;

const isDict = (value: unknown): value is Dict =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const stringOf = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

function lowercaseHeaders(single: unknown, multi: unknown): Record<string, string> {
  const headers: Record<string, string> = {};
  const add = (name: string, value: string): void => {
    const key = name.toLowerCase();
    const existing = Object.hasOwn(headers, key) ? headers[key] : undefined;
    headers[key] = existing === undefined ? value : `${existing}, ${value}`;
  };
  if (isDict(multi)) {
    for (const [name, values] of Object.entries(multi)) {
      if (Array.isArray(values)) {
        for (const value of values) if (typeof value === "string") add(name, value);
      }
    }
    return headers;
  }
  if (isDict(single)) {
    for (const [name, value] of Object.entries(single)) if (typeof value === "string") add(name, value);
  }
  return headers;
}

/**
 * Decodes one name or value of a URL query string as HTTP fronts do: `+` is a space and percent-escapes are
 * decoded; a malformed escape is kept as sent rather than failing the request. The one query decoding of
 * the project: core's ALB events and the lambda's local server both use it.
 *
 * @example
 * ```ts
 * decodeQueryComponent("a%20b+c"); // "a b c"
 * decodeQueryComponent("100%"); // "100%"
 * ```
 */
export function decodeQueryComponent(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, " "));
  } catch {
    return value;
  }
}

function queryOf(single: unknown, multi: unknown, encoded: boolean): Record<string, string> {
  const query: Record<string, string> = {};
  const decode = encoded ? decodeQueryComponent : (value: string) => value;
  const add = (name: string, value: string): void => {
    const key = decode(name);
    if (!Object.hasOwn(query, key)) query[key] = decode(value);
  };
  if (isDict(multi)) {
    for (const [name, values] of Object.entries(multi)) {
      if (Array.isArray(values) && typeof values[0] === "string") add(name, values[0]);
    }
  }
  if (isDict(single)) {
    for (const [name, value] of Object.entries(single)) if (typeof value === "string") add(name, value);
  }
  return query;
}

/** The body as the router takes it: the text as sent (kept, so parsing need not decode it), or the bytes. */
function bodyOf(event: Dict): Buffer | string | { readonly unreadable: string } {
  const { body, isBase64Encoded } = event;
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body !== "string") return { unreadable: "the event's body is not a string" };
  return isBase64Encoded === true ? Buffer.from(body, "base64") : body;
}

function frontOf(event: Dict): { front: LambdaFront; method: string } | undefined {
  const context = isDict(event.requestContext) ? event.requestContext : undefined;
  const v2Method = context && isDict(context.http) ? stringOf(context.http.method) : undefined;
  if (v2Method !== undefined) return { front: "function-url", method: v2Method };
  const v1Method = stringOf(event.httpMethod);
  if (v1Method === undefined) return undefined;
  return { front: context && isDict(context.elb) ? "alb" : "api-gateway-v1", method: v1Method };
}

/**
 * The router's request of a Lambda HTTP event (Function URL and API Gateway HTTP API, payload 2.0; API
 * Gateway REST, 1.0; Application Load Balancer), or why the event is not one. Never throws.
 */
function lambdaRequestOf(event: unknown): HttpRequest | UnreadableRequest {
  if (!isDict(event)) return { unreadable: "the event is not an object" };
  const front = frontOf(event);
  if (front === undefined) return { unreadable: "the event is not an HTTP event (no HTTP method found)" };
  const body = bodyOf(event);
  if (typeof body === "object" && "unreadable" in body) return body;
  const context = isDict(event.requestContext) ? event.requestContext : {};
  const headers = lowercaseHeaders(event.headers, event.multiValueHeaders);
  const requestId =
    stringOf(context.requestId) ?? headers["x-amzn-trace-id"] ?? headers["x-amzn-requestid"] ?? "unknown";
  return {
    method: front.method,
    headers,
    query: queryOf(event.queryStringParameters, event.multiValueQueryStringParameters, front.front === "alb"),
    body,
    requestId,
    front: front.front,
  };
}

/**
 * Turns any Lambda HTTP event into a request as core sees it: Function URL and API Gateway HTTP API
 * (payload 2.0), API Gateway REST (1.0) and Application Load Balancer events. Anything else, or a field of
 * the wrong type, yields `{ ok: false, reason }` instead of throwing.
 *
 * @example
 * ```ts
 * const result = normaliseEvent({ version: "2.0", requestContext: { http: { method: "GET" } },
 *   queryStringParameters: { challenge: "abc" } });
 * // result.ok === true, result.request.query.challenge === "abc"
 * ```
 */
export function normaliseEvent(event: unknown): NormaliseResult {
  const request = lambdaRequestOf(event);
  return "unreadable" in request
    ? { ok: false, reason: request.unreadable }
    : { ok: true, request: fromHttpRequest(request) };
}

/**
 * Decides and answers a Lambda HTTP event with `router` (any front; another event is answered 400 and logged
 * as `not-http`). Never throws.
 *
 * @example
 * ```ts
 * export const handler = (event: unknown) => handleLambdaEvent(router, event);
 * ```
 */
export function handleLambdaEvent(router: WebhookRouter, event: unknown): Promise<HttpResponse> {
  return router.handleRequest(lambdaRequestOf(event));
}

/**
 * The typed outcome `router` gives a Lambda HTTP event, without its answer: for tests and other shells.
 *
 * @example
 * ```ts
 * const outcome = await lambdaOutcomeOf(router, challengeEvent("abc")); // { kind: "challenge", ... }
 * ```
 */
export function lambdaOutcomeOf(router: WebhookRouter, event: unknown): Promise<Outcome> {
  return router.outcomeOf(lambdaRequestOf(event));
}

/**
 * A Lambda handler of `router`: `export const handler = createLambdaHandler(router)`.
 *
 * @example
 * ```ts
 * export const handler = createLambdaHandler(createWebhookRouter(options));
 * ```
 */
export function createLambdaHandler(router: WebhookRouter): (event: unknown) => Promise<HttpResponse> {
  return (event) => handleLambdaEvent(router, event);
}
