import type { BodyBytes } from "../bytes.js";

/**
 * The Lambda front an event came through.
 *
 * @example
 * ```ts
 * const front: LambdaFront = result.ok ? result.request.front : "function-url";
 * ```
 */
export type LambdaFront = "function-url" | "api-gateway-v1" | "alb";

/**
 * An HTTP request as core sees it, whichever Lambda front or server adapter delivered it.
 *
 * @example
 * ```ts
 * const result = normaliseEvent(event);
 * if (result.ok) console.log(result.request.method, result.request.body.length);
 * ```
 */
export interface WebhookRequest {
  /** Upper-case HTTP method. */
  readonly method: string;
  /** Header names lowercased; repeated headers joined with ", " as HTTP allows. */
  readonly headers: Readonly<Record<string, string>>;
  /** Query parameters, decoded; the first value wins when a name repeats. */
  readonly query: Readonly<Record<string, string>>;
  /** The body exactly as the client sent it (base64-decoded when the front encoded it). */
  readonly body: BodyBytes;
  /**
   * The body as the front delivered it when that was text (not base64): the same content as `body`,
   * kept so that parsing need not decode the bytes again.
   */
  readonly text?: string;
  /** The front's request id, or "unknown". */
  readonly requestId: string;
  /** A {@link LambdaFront}, `node` or `fetch` (the adapters), or what a caller of `handleRequest` named. */
  readonly front: string;
  /** The body's full size when an adapter stopped reading it at the limit; otherwise `body.length`. */
  readonly bodyBytes?: number;
  /** The adapter's own body limit, when lower than the router's. */
  readonly bodyLimit?: number;
  /** Why the body was unavailable: an adapter found it already read by a body parser (see {@link HttpRequest}). */
  readonly bodyAlreadyRead?: string;
}

/**
 * A request from any HTTP server, for the router's `handleRequest`: what a framework already has, with
 * the body's bytes exactly as sent (the signature covers them).
 *
 * @example
 * ```ts
 * const request: HttpRequest = {
 *   method: "POST",
 *   headers: { "content-type": "application/json", "x-exl-signature": signature },
 *   body: rawBytes,
 * };
 * ```
 */
export interface HttpRequest {
  readonly method: string;
  /** Any case; a repeated header as an array (as `node:http` gives it) or already joined with ", ". */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** Decoded query parameters (the first value wins when a name repeats), or the URL's `searchParams`. */
  readonly query?: Readonly<Record<string, string | readonly string[] | undefined>> | URLSearchParams;
  /** The raw body: bytes, or text when the server has only that (UTF-8 is assumed for the signature). */
  readonly body: Uint8Array | string;
  /** Set by a reader that stopped at the limit: the size it saw (declared or read), larger than `body`. */
  readonly bodyBytes?: number;
  /** The reader's own limit, when it is lower than the router's: a larger body is answered 413 with it. */
  readonly bodyLimit?: number;
  /**
   * Set by an adapter that found the body already read or parsed by something mounted before it (a body
   * parser): why, and how to mount the handler. A POST is then answered 500 with it, logged as a
   * configuration error; a GET challenge is answered as usual.
   */
  readonly bodyAlreadyRead?: string;
  /** For the decision log; default the `x-request-id` or `x-amzn-trace-id` header, else "unknown". */
  readonly requestId?: string;
  /** For the decision log: which server or adapter; default `http`. */
  readonly front?: string;
}

/**
 * What {@link normaliseEvent} returns: a request, or why the event is not one.
 *
 * @example
 * ```ts
 * const result: NormaliseResult = normaliseEvent(event);
 * if (!result.ok) console.warn(result.reason);
 * ```
 */
export type NormaliseResult =
  | { readonly ok: true; readonly request: WebhookRequest }
  | { readonly ok: false; readonly reason: string };

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

/**
 * The {@link WebhookRequest} of a {@link HttpRequest}: the one step between any server and the router.
 * Never throws on data a server can produce.
 */
export function fromHttpRequest(input: HttpRequest): WebhookRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.headers)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    const joined = typeof value === "string" ? value : value.join(", ");
    headers[key] = Object.hasOwn(headers, key) ? `${headers[key]}, ${joined}` : joined;
  }
  const query: Record<string, string> = {};
  const entries: Iterable<[string, string | readonly string[] | undefined]> =
    input.query instanceof URLSearchParams ? input.query : Object.entries(input.query ?? {});
  for (const [name, value] of entries) {
    const first = typeof value === "string" ? value : value?.[0];
    if (first !== undefined && !Object.hasOwn(query, name)) query[name] = first;
  }
  const { body } = input;
  const text = typeof body === "string" ? body : undefined;
  return {
    method: input.method.toUpperCase(),
    headers,
    query,
    body:
      typeof body === "string"
        ? Buffer.from(body, "utf8")
        : Buffer.from(body.buffer, body.byteOffset, body.byteLength),
    ...(text === undefined ? {} : { text }),
    ...(input.bodyBytes === undefined ? {} : { bodyBytes: input.bodyBytes }),
    ...(input.bodyLimit === undefined ? {} : { bodyLimit: input.bodyLimit }),
    ...(input.bodyAlreadyRead === undefined ? {} : { bodyAlreadyRead: input.bodyAlreadyRead }),
    requestId: input.requestId ?? headers["x-request-id"] ?? headers["x-amzn-trace-id"] ?? "unknown",
    front: input.front ?? "http",
  };
}

function bodyOf(event: Dict): Buffer | string {
  const { body, isBase64Encoded } = event;
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body !== "string") return "the event's body is not a string";
  return isBase64Encoded === true ? Buffer.from(body, "base64") : Buffer.from(body, "utf8");
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
 * Turns any Lambda HTTP event into a {@link WebhookRequest}: Function URL and API Gateway HTTP API
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
  if (!isDict(event)) return { ok: false, reason: "the event is not an object" };
  const front = frontOf(event);
  if (front === undefined) {
    return { ok: false, reason: "the event is not an HTTP event (no HTTP method found)" };
  }
  const body = bodyOf(event);
  if (typeof body === "string") return { ok: false, reason: body };
  const text = typeof event.body === "string" && event.isBase64Encoded !== true ? event.body : undefined;
  const context = isDict(event.requestContext) ? event.requestContext : {};
  const headers = lowercaseHeaders(event.headers, event.multiValueHeaders);
  const requestId =
    stringOf(context.requestId) ?? headers["x-amzn-trace-id"] ?? headers["x-amzn-requestid"] ?? "unknown";
  return {
    ok: true,
    request: {
      method: front.method.toUpperCase(),
      headers,
      query: queryOf(
        event.queryStringParameters,
        event.multiValueQueryStringParameters,
        front.front === "alb",
      ),
      body,
      ...(text === undefined ? {} : { text }),
      requestId,
      front: front.front,
    },
  };
}
