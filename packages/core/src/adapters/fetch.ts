import type { WebhookRouter } from "../router.js";
import { declaredLength, type LimitedBody, readLimited } from "./limited-body.js";

/** A stream's chunks, through its reader (not every runtime makes ReadableStream async-iterable). */
async function* chunksOf(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    // Stopping early (the limit) cancels the rest rather than reading it.
    await reader.cancel().catch(() => undefined);
  }
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
export function createFetchHandler(router: WebhookRouter): (request: Request) => Promise<Response> {
  return async (request) => {
    const limit = router.maxBodyBytes;
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
            : await readLimited(chunksOf(request.body), limit);
    } catch {
      return new Response("The request body could not be read.", { status: 400 });
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
