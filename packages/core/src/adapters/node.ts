import type { IncomingMessage, ServerResponse } from "node:http";
import type { HttpRequest } from "../http/request.js";
import type { WebhookRouter } from "../router.js";
import {
  BODY_TIMEOUT,
  type BodyReadOptions,
  bodyReadOf,
  declaredLength,
  readLimited,
} from "./limited-body.js";

/**
 * Options of {@link createNodeMiddleware}.
 *
 * @example
 * ```ts
 * const options: NodeMiddlewareOptions = { path: "/alma/webhook" };
 * ```
 */
export interface NodeMiddlewareOptions extends BodyReadOptions {
  /**
   * Answer only requests to this path (the query aside); others go to `next` when there is one, else 404.
   * Unset: every request is a webhook request.
   */
  readonly path?: string;
}

/** Where the body came from: read here, given by a raw body parser, or gone (and why). */
type BodySource =
  | { readonly kind: "stream" }
  | { readonly kind: "given"; readonly body: Uint8Array | string }
  | { readonly kind: "gone"; readonly cause: string };

const MOUNT =
  "mount the Alma webhook handler before any body parser, or give its route the raw bytes " +
  '(Express: express.raw({ type: "*/*" }); fastify: @alma-webhooks/core/fastify). ' +
  "The signature covers the exact bytes Alma sent, so a parsed body cannot be checked.";

/**
 * What a framework left of the body. A parser that kept the bytes (express.raw) is as good as the stream;
 * a parsed object (express.json) or a stream already read (fastify, another middleware) is a mounting
 * mistake, answered with its cause: never a 401 blaming the secret.
 */
function bodySourceOf(request: IncomingMessage): BodySource {
  const parsed = (request as { body?: unknown }).body;
  if (parsed instanceof Uint8Array || typeof parsed === "string") return { kind: "given", body: parsed };
  // Express 4's parsers set `{}` on every request, even one whose content type they skip unread.
  const untouched =
    !request.readableEnded &&
    typeof parsed === "object" &&
    parsed !== null &&
    Object.getPrototypeOf(parsed) === Object.prototype &&
    Object.keys(parsed).length === 0;
  if (parsed !== undefined && parsed !== null && !untouched) {
    return {
      kind: "gone",
      cause: `a body parser (such as express.json()) ran before the Alma webhook handler and parsed the body into ${Array.isArray(parsed) ? "an array" : typeof parsed === "object" ? "an object" : `a ${typeof parsed}`}: ${MOUNT}`,
    };
  }
  if (request.readableEnded) {
    return {
      kind: "gone",
      cause: `the request stream was already read by something that ran before the Alma webhook handler (a body parser or a framework's own parsing): ${MOUNT}`,
    };
  }
  return { kind: "stream" };
}

/**
 * A `node:http` request listener, and Express or Connect middleware, for the router (or the handlers of
 * `createWebhooks`): it reads the raw body itself (mount it before any body parser), stops reading at the
 * router's body limit (a declared `content-length` over it is answered 413 before a byte is read) and
 * writes the router's answer. A body already kept as bytes by `express.raw()` is used as it is; a POST whose
 * body a parser consumed first (`express.json()`) is answered 500 with a message naming the cause and how
 * to mount the handler, logged as a configuration error (a GET challenge still works). It never rejects: a
 * client that goes away mid-body loses only its own request.
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
      const { limit, timeoutMs } = bodyReadOf(options, router.maxBodyBytes);
      const method = request.method ?? "GET";
      const source = bodySourceOf(request);
      const declared = declaredLength(request.headers["content-length"]);
      const read =
        source.kind === "given"
          ? { complete: true as const, body: source.body }
          : source.kind === "gone"
            ? { complete: true as const, body: new Uint8Array(0) }
            : declared !== undefined && declared > limit
              ? { complete: false as const, body: new Uint8Array(0), bodyBytes: declared }
              : await readLimited(request, limit, timeoutMs);
      if ("timedOut" in read) {
        const answer = BODY_TIMEOUT(timeoutMs);
        response.writeHead(answer.statusCode, answer.headers).end(answer.body, () => request.destroy());
        return;
      }
      const input: HttpRequest = {
        method,
        headers: request.headers,
        query: url.searchParams,
        body: read.body,
        ...(read.complete ? {} : { bodyBytes: read.bodyBytes }),
        bodyLimit: limit,
        ...(source.kind === "gone" ? { bodyAlreadyRead: source.cause } : {}),
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
export type { BodyReadOptions } from "./limited-body.js";
