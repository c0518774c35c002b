import type { HttpRequest } from "../http/request.js";
import type { WebhookRouter } from "../router.js";
import { bodyReadOf } from "./limited-body.js";

// Structural types of the few fastify members used: core has no dependency on fastify, not even for types.
// A fastify 4 or 5 instance, request and reply fit them as they are.

/**
 * The part of a fastify request the plugin reads.
 *
 * @example
 * ```ts
 * const request: FastifyRequestLike = { method: "GET", url: "/alma/webhook?challenge=x", headers: {}, body: undefined };
 * ```
 */
export interface FastifyRequestLike {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly body?: unknown;
}

/**
 * The part of a fastify reply the plugin writes.
 *
 * @example
 * ```ts
 * const reply: FastifyReplyLike = { code: () => reply, headers: () => reply, send: () => reply };
 * ```
 */
export interface FastifyReplyLike {
  /** Sets the status code. */
  code(statusCode: number): FastifyReplyLike;
  /** Sets the answer's headers. */
  headers(values: Record<string, string>): FastifyReplyLike;
  /** Sends the answer's body. */
  send(payload: string): FastifyReplyLike;
}

/**
 * The part of a fastify instance the plugin uses: content-type parsers and one route.
 *
 * @example
 * ```ts
 * const plugin: (instance: FastifyLike) => Promise<void> = createFastifyPlugin(webhooks);
 * ```
 */
export interface FastifyLike {
  /** Drops the parsers this context inherited (fastify's JSON parser among them). */
  removeAllContentTypeParsers(): unknown;
  /** Adds a parser; the plugin's keeps every body as bytes. */
  addContentTypeParser(
    contentType: string,
    options: { parseAs: "buffer"; bodyLimit?: number },
    parser: (request: unknown, body: Buffer, done: (error: null, body: Buffer) => void) => void,
  ): unknown;
  /** Adds the webhook's route. */
  route(options: {
    method: ("GET" | "POST" | "PUT" | "DELETE" | "PATCH")[];
    url: string;
    bodyLimit?: number;
    handler: (request: FastifyRequestLike, reply: FastifyReplyLike) => Promise<FastifyReplyLike>;
    /** The route's error handler: fastify's own 413 (a body over the limit) is answered by the router. */
    errorHandler?: (
      error: { readonly statusCode?: number },
      request: FastifyRequestLike,
      reply: FastifyReplyLike,
    ) => Promise<FastifyReplyLike>;
  }): unknown;
}

/**
 * Options of {@link createFastifyPlugin}.
 *
 * @example
 * ```ts
 * const options: FastifyPluginOptions = { path: "/alma/webhook" };
 * ```
 */
export interface FastifyPluginOptions {
  /** The webhook's path, within the prefix it is registered under; default `/`. */
  readonly path?: string;
  /** Larger bodies are answered 413 (by the router, logged at ERROR); default 1 MiB (Alma's bodies are a few KiB), or the router's limit if lower. */
  readonly maxBodyBytes?: number;
}

/**
 * A fastify plugin that serves the router (or the handlers of `createWebhooks`) at one path: GET answers
 * the challenge, POST the webhooks, other methods 405. Register it with `app.register(...)`: fastify
 * encapsulates it, so the raw-bytes parser it installs (every content type, JSON included, as a `Buffer`:
 * the signature covers the exact bytes) applies to its route only, and the rest of the app keeps fastify's
 * JSON parsing. The body limit is 1 MiB unless `maxBodyBytes` says otherwise; larger bodies are answered 413 by the router (an ERROR line, as every adapter's 413).
 * A stalled upload is cut by the server's own `requestTimeout` (set it: `Fastify({ requestTimeout: 10_000 })`).
 *
 * @example
 * ```ts
 * import Fastify from "fastify";
 * import { createFastifyPlugin } from "@alma-webhooks/core/fastify";
 *
 * const app = Fastify();
 * await app.register(createFastifyPlugin(webhooks, { path: "/alma/webhook" }));
 * await app.listen({ port: 3000 });
 * ```
 */
export function createFastifyPlugin(
  router: WebhookRouter,
  options: FastifyPluginOptions = {},
): (instance: FastifyLike) => Promise<void> {
  const bodyLimit = bodyReadOf(options, router.maxBodyBytes).limit;
  const answer = async (reply: FastifyReplyLike, request: HttpRequest) => {
    const response = await router.handleRequest(request);
    return reply
      .code(response.statusCode)
      .headers({ ...response.headers })
      .send(response.body);
  };
  return async (instance) => {
    // Scoped to this plugin: fastify's own JSON parser would consume the bytes the signature covers.
    instance.removeAllContentTypeParsers();
    instance.addContentTypeParser("*", { parseAs: "buffer", bodyLimit }, (_request, body, done) =>
      done(null, body),
    );
    instance.route({
      method: ["GET", "POST", "PUT", "DELETE", "PATCH"],
      url: options.path ?? "/",
      bodyLimit,
      handler: async (request, reply) => {
        const { body } = request;
        return answer(reply, {
          method: request.method,
          headers: request.headers,
          query: new URL(request.url, "http://localhost").searchParams,
          body: body instanceof Uint8Array || typeof body === "string" ? body : new Uint8Array(0),
          front: "fastify",
        });
      },
      // fastify refuses a body over the limit before the handler runs; the router answers it instead, so
      // that it is logged through the router's logger as every adapter's 413 is (ERROR, not delivered).
      errorHandler: async (error, request, reply) => {
        if (error.statusCode !== 413) throw error;
        const declared = Number(request.headers["content-length"]);
        return answer(reply, {
          method: request.method,
          headers: request.headers,
          query: new URL(request.url, "http://localhost").searchParams,
          body: new Uint8Array(0),
          bodyBytes: Number.isFinite(declared) && declared > bodyLimit ? declared : bodyLimit + 1,
          bodyLimit,
          front: "fastify",
        });
      },
    });
  };
}
