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
 * An HTTP request as core sees it, whichever Lambda front delivered it.
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
  readonly body: Buffer;
  /**
   * The body as the front delivered it when that was text (not base64): the same content as `body`,
   * kept so that parsing need not decode the bytes again.
   */
  readonly text?: string;
  /** The front's request id, or "unknown". */
  readonly requestId: string;
  readonly front: LambdaFront;
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
