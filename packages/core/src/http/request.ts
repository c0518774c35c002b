import type { BodyBytes } from "../bytes.js";

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
  /** The adapter's front (`node`, `fetch`, a Lambda front such as `function-url`), or what a caller named. */
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
 * What an adapter passes instead of a request when its input is not an HTTP request at all (a Lambda event of
 * another kind): why. The router answers it 400 and logs it as `not-http`.
 *
 * @example
 * ```ts
 * const answer = await router.handleRequest({ unreadable: "the event is not an HTTP event" });
 * ```
 */
export interface UnreadableRequest {
  readonly unreadable: string;
}

/**
 * A request, or why the input is not one: what the router decides on, and what `normaliseEvent` of
 * `@alma-webhooks/core/lambda` returns.
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

/** The router's view of what an adapter passed: a request, or why there is none. Never throws. */
export function readRequest(input: HttpRequest | UnreadableRequest): NormaliseResult {
  return "unreadable" in input
    ? { ok: false, reason: input.unreadable }
    : { ok: true, request: fromHttpRequest(input) };
}
