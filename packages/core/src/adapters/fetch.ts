import type { WebhookRouter } from "../router.js";
import {
  BODY_TIMEOUT,
  type BodyReadOptions,
  bodyReadOf,
  declaredLength,
  type LimitedBody,
  readLimited,
} from "./limited-body.js";

/**
 * Reads a stream through its reader (not every runtime makes ReadableStream async-iterable) up to the limit
 * and the time; stopping early (the limit, a stalled client) cancels the rest rather than reading it.
 */
async function readStream(stream: ReadableStream<Uint8Array>, limit: number, timeoutMs: number) {
  const reader = stream.getReader();
  const chunks: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]: () => ({
      next: async () => {
        const { done, value } = await reader.read();
        return done ? { done: true, value: undefined } : { done: false, value };
      },
    }),
  };
  const read = await readLimited(chunks, limit, timeoutMs);
  if (!read.complete) reader.cancel().catch(() => undefined);
  return read;
}

/**
 * A Fetch API handler for the router, `(request: Request) => Promise<Response>`: Hono, Cloudflare Workers,
 * Deno, Bun and Node's own `Request`. It reads the raw body as a stream and stops at the router's body
 * limit (a declared `content-length` over it is answered 413 before a byte is read). It never rejects.
 *
 * @example
 * ```ts
 * import { createFetchHandler } from "@alma-webhooks/core/fetch";
 *
 * const handleWebhook = createFetchHandler(router);
 * export default { fetch: handleWebhook }; // Workers, Bun; Deno: Deno.serve(handleWebhook)
 * // Hono: app.all("/webhook", (c) => handleWebhook(c.req.raw));
 * ```
 */
export function createFetchHandler(
  router: WebhookRouter,
  options: BodyReadOptions = {},
): (request: Request) => Promise<Response> {
  return async (request) => {
    const { limit, timeoutMs } = bodyReadOf(options, router.maxBodyBytes);
    const declared = declaredLength(request.headers.get("content-length"));
    let read: LimitedBody;
    // Something read the body before (a framework's `await c.req.json()`): say so, not 401.
    const used = request.bodyUsed;
    try {
      read = used
        ? { complete: true, body: new Uint8Array(0) }
        : declared !== undefined && declared > limit
          ? { complete: false, body: new Uint8Array(0), bodyBytes: declared }
          : request.body === null
            ? { complete: true, body: new Uint8Array(0) }
            : await readStream(request.body, limit, timeoutMs);
    } catch {
      return new Response("The request body could not be read.", { status: 400 });
    }
    if ("timedOut" in read) {
      const answer = BODY_TIMEOUT(timeoutMs);
      return new Response(answer.body, { status: answer.statusCode, headers: answer.headers });
    }
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const answer = await router.handleRequest({
      method: request.method,
      headers,
      query: new URL(request.url).searchParams,
      body: read.body,
      ...(read.complete ? {} : { bodyBytes: read.bodyBytes }),
      bodyLimit: limit,
      ...(used
        ? {
            bodyAlreadyRead:
              "the request body was already read before the Alma webhook handler got it: hand the handler the request untouched (Hono: c.req.raw, before any c.req.json() or body validator).",
          }
        : {}),
      front: "fetch",
    });
    return new Response(answer.body, { status: answer.statusCode, headers: answer.headers });
  };
}
export type { BodyReadOptions } from "./limited-body.js";
