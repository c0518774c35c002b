import type { IncomingMessage, ServerResponse } from "node:http";
import type { HttpRequest } from "../http/request.js";
import type { WebhookRouter } from "../router.js";
import { declaredLength, readLimited } from "./limited-body.js";

/**
 * Options of {@link createNodeMiddleware}.
 *
 * @example
 * ```ts
 * const options: NodeMiddlewareOptions = { path: "/alma/webhook" };
 * ```
 */
export interface NodeMiddlewareOptions {
  /**
   * Answer only requests to this path (the query aside); others go to `next` when there is one, else 404.
   * Unset: every request is a webhook request.
   */
  readonly path?: string;
}

/**
 * A `node:http` request listener, and Express or Connect middleware, for the router: it reads the raw body
 * itself (mount it before any body parser), stops reading at the router's body limit (a declared
 * `content-length` over it is answered 413 before a byte is read) and writes the router's answer.
 * It never rejects: a client that goes away mid-body loses only its own request.
 *
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import { createNodeMiddleware } from "@alma-webhooks/core/node";
 *
 * createServer(createNodeMiddleware(router, { path: "/webhook" })).listen(3000);
 * // Express: app.use(createNodeMiddleware(router, { path: "/webhook" }));
 * ```
 */
export function createNodeMiddleware(
  router: WebhookRouter,
  options: NodeMiddlewareOptions = {},
): (request: IncomingMessage, response: ServerResponse, next?: (error?: unknown) => void) => Promise<void> {
  return async (request, response, next) => {
    const url = URL.canParse(request.url ?? "", "http://localhost")
      ? new URL(request.url ?? "", "http://localhost")
      : new URL("http://localhost/");
    if (options.path !== undefined && url.pathname !== options.path) {
      if (next) return next();
      response.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("Not found.");
      return;
    }
    try {
      const limit = router.maxBodyBytes;
      const declared = declaredLength(request.headers["content-length"]);
      const read =
        declared !== undefined && declared > limit
          ? { complete: false as const, body: new Uint8Array(0), bodyBytes: declared }
          : await readLimited(request, limit);
      const input: HttpRequest = {
        method: request.method ?? "GET",
        headers: request.headers,
        query: url.searchParams,
        body: read.body,
        ...(read.complete ? {} : { bodyBytes: read.bodyBytes }),
        front: "node",
      };
      const answer = await router.handleRequest(input);
      // The unread rest of a refused body is not drained: the connection closes after the answer.
      if (!read.complete) response.setHeader("connection", "close");
      response.writeHead(answer.statusCode, answer.headers).end(answer.body);
    } catch {
      // Only the connection failed (the client went away mid-body): nobody is left to answer.
      response.destroy();
    }
  };
}
