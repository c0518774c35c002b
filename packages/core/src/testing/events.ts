import type { LambdaFront } from "../adapters/lambda.js";
import { signBody } from "../signature.js";

/**
 * What an HTTP event factory takes; every field has a sensible default.
 *
 * @example
 * ```ts
 * const init: HttpEventInit = { method: "POST", body: "{}", base64: true, headers: { "X-Exl-Signature": sig } };
 * ```
 */
export interface HttpEventInit {
  readonly method?: string;
  /** Sent with the case given: Function URLs lowercase them, API Gateway v1 does not. */
  readonly headers?: Readonly<Record<string, string>>;
  /** `null` sends the front's "no query" value, as Lambda does. */
  readonly query?: Readonly<Record<string, string>> | null;
  readonly body?: string | Buffer;
  /** Base64-encode the body and set `isBase64Encoded`, as fronts do for binary content. */
  readonly base64?: boolean;
  readonly requestId?: string;
}

function encodedBody(init: HttpEventInit): { body: string | null; isBase64Encoded: boolean } {
  if (init.body === undefined) return { body: null, isBase64Encoded: false };
  const bytes = typeof init.body === "string" ? Buffer.from(init.body, "utf8") : init.body;
  if (init.base64 === true || typeof init.body !== "string") {
    return { body: bytes.toString("base64"), isBase64Encoded: true };
  }
  return { body: init.body, isBase64Encoded: false };
}

const rawQuery = (query: Readonly<Record<string, string>> | null | undefined): string =>
  new URLSearchParams(query ?? {}).toString();

/**
 * A Lambda Function URL (payload 2.0) event; API Gateway HTTP APIs send the same shape.
 *
 * @example
 * ```ts
 * const event = functionUrlEvent({ method: "GET", query: { challenge: "abc" } });
 * ```
 */
export function functionUrlEvent(init: HttpEventInit = {}) {
  const method = init.method ?? "POST";
  const headers = Object.fromEntries(
    Object.entries(init.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
  );
  const { body, isBase64Encoded } = encodedBody(init);
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: "/",
    rawQueryString: rawQuery(init.query),
    headers: { host: "abc.lambda-url.us-east-1.on.aws", "user-agent": "Alma", ...headers },
    ...(init.query ? { queryStringParameters: { ...init.query } } : {}),
    requestContext: {
      accountId: "anonymous",
      apiId: "abc",
      domainName: "abc.lambda-url.us-east-1.on.aws",
      domainPrefix: "abc",
      http: { method, path: "/", protocol: "HTTP/1.1", sourceIp: "192.0.2.10", userAgent: "Alma" },
      requestId: init.requestId ?? "req-function-url",
      routeKey: "$default",
      stage: "$default",
      time: "06/Nov/2024:14:43:11 +0000",
      timeEpoch: 1730904191000,
    },
    ...(body === null ? {} : { body }),
    isBase64Encoded,
  };
}

/**
 * An API Gateway REST API (payload 1.0) event: header names keep the sender's case.
 *
 * @example
 * ```ts
 * const event = apiGatewayV1Event({ method: "POST", headers: { "X-Exl-Signature": sig }, body });
 * ```
 */
export function apiGatewayV1Event(init: HttpEventInit = {}) {
  const method = init.method ?? "POST";
  const headers = { Host: "abc.execute-api.us-east-1.amazonaws.com", ...init.headers };
  const { body, isBase64Encoded } = encodedBody(init);
  const query = init.query ? { ...init.query } : null;
  return {
    resource: "/webhook",
    path: "/webhook",
    httpMethod: method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: query,
    multiValueQueryStringParameters: query
      ? Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v]]))
      : null,
    pathParameters: null,
    stageVariables: null,
    requestContext: {
      accountId: "123456789012",
      apiId: "abc",
      authorizer: {},
      protocol: "HTTP/1.1",
      httpMethod: method,
      // The caller's identity is no part of a webhook: empty, as core's types need none of it.
      identity: {} as never,
      path: "/prod/webhook",
      stage: "prod",
      requestId: init.requestId ?? "req-api-gateway-v1",
      requestTimeEpoch: 1730904191000,
      resourceId: "abc123",
      resourcePath: "/webhook",
    },
    body,
    isBase64Encoded,
  };
}

/**
 * An Application Load Balancer event. ALB passes query values URL-encoded; this factory encodes them.
 *
 * @example
 * ```ts
 * const event = albEvent({ method: "GET", query: { challenge: "a b" } });
 * ```
 */
export function albEvent(init: HttpEventInit = {}) {
  const { body, isBase64Encoded } = encodedBody(init);
  const query = Object.fromEntries(
    Object.entries(init.query ?? {}).map(([k, v]) => [encodeURIComponent(k), encodeURIComponent(v)]),
  );
  return {
    requestContext: {
      elb: { targetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/alma/1" },
    },
    httpMethod: init.method ?? "POST",
    path: "/",
    queryStringParameters: query,
    headers: {
      "x-amzn-trace-id": init.requestId ?? "Root=1-67890abc-alb",
      ...Object.fromEntries(Object.entries(init.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    },
    body: body ?? "",
    isBase64Encoded,
  };
}

const factories = { "function-url": functionUrlEvent, "api-gateway-v1": apiGatewayV1Event, alb: albEvent };

/**
 * An event of the given front.
 *
 * @example
 * ```ts
 * for (const front of LAMBDA_FRONTS) await handleLambdaEvent(router, httpEvent(front, { method: "GET" }));
 * ```
 */
export function httpEvent(
  front: LambdaFront,
  init: HttpEventInit = {},
): ReturnType<(typeof factories)[LambdaFront]> {
  return factories[front](init);
}

/**
 * Every front core understands, for tests that loop over them.
 *
 * @example
 * ```ts
 * for (const front of LAMBDA_FRONTS) await handleLambdaEvent(router, challengeEvent("x", front));
 * ```
 */
export const LAMBDA_FRONTS: readonly LambdaFront[] = ["function-url", "api-gateway-v1", "alb"];

/**
 * Options of {@link signedPost}.
 *
 * @example
 * ```ts
 * signedPost(payload, secret, { front: "alb", base64: true, requestId: "r-1" });
 * ```
 */
export interface SignedPostOptions extends Omit<HttpEventInit, "body" | "method"> {
  readonly front?: LambdaFront;
}

/**
 * A POST carrying `payload` (an object is serialised to JSON), signed with `secret` the way Alma signs.
 *
 * @example
 * ```ts
 * const event = signedPost(jobEndPayload(), "itsasecret", { front: "api-gateway-v1" });
 * ```
 */
export function signedPost(payload: unknown, secret: string, options: SignedPostOptions = {}) {
  const body = typeof payload === "string" || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload);
  const { front = "function-url", headers, ...rest } = options;
  return httpEvent(front, {
    ...rest,
    method: "POST",
    body,
    headers: { "Content-Type": "application/json", "X-Exl-Signature": signBody(body, secret), ...headers },
  });
}

/**
 * A GET challenge, as Alma sends when the webhook is saved.
 *
 * @example
 * ```ts
 * await handleLambdaEvent(router, challengeEvent("abc")); // 200 "abc"
 * ```
 */
export function challengeEvent(challenge: string, front: LambdaFront = "function-url") {
  return httpEvent(front, { method: "GET", query: { challenge } });
}
