import { raceDeadline } from "../deadline.js";

/** A body read up to a limit: all of it, how much was seen when it went past, or that it stalled. */
export type LimitedBody =
  | { readonly complete: true; readonly body: Uint8Array }
  | {
      readonly complete: false;
      readonly body: Uint8Array;
      readonly bodyBytes: number;
      readonly timedOut?: true;
    };

/**
 * How an adapter reads a body before the router sees it. Both bound what an unauthenticated client can make
 * the server hold: 40 clients stalling with a body just under the limit hold 40 × `maxBodyBytes`, and only
 * for `bodyTimeoutMs`.
 *
 * @example
 * ```ts
 * createNodeMiddleware(router, { maxBodyBytes: 256 * 1024, bodyTimeoutMs: 3000 });
 * ```
 */
export interface BodyReadOptions {
  /** Larger bodies are answered 413 without being read; default 1 MiB (Alma's bodies are a few KiB), or the router's limit if lower. */
  readonly maxBodyBytes?: number;
  /** A body not received whole within this many milliseconds is answered 408 and the connection closed; default 5000. */
  readonly bodyTimeoutMs?: number;
}

/** The adapters' defaults: a body limit that fits Alma, and a read that gives up on a stalled client. */
export const BODY_READ_DEFAULTS = Object.freeze({ maxBodyBytes: 1024 * 1024, bodyTimeoutMs: 5000 });

/** The limit and time an adapter reads with: its options, never above the router's own limit. */
export const bodyReadOf = (options: BodyReadOptions, routerLimit: number) => ({
  limit: Math.min(options.maxBodyBytes ?? BODY_READ_DEFAULTS.maxBodyBytes, routerLimit),
  timeoutMs: options.bodyTimeoutMs ?? BODY_READ_DEFAULTS.bodyTimeoutMs,
});

/** The answer to a body that stalled: the client sent too slowly, or stopped. */
export const BODY_TIMEOUT = (ms: number) => ({
  statusCode: 408,
  headers: { "content-type": "text/plain; charset=utf-8", connection: "close" },
  body: `The request body was not received within ${ms} ms.`,
});

/** A declared `content-length`, when it is a plain decimal number. */
export function declaredLength(value: string | readonly string[] | null | undefined): number | undefined {
  const text = typeof value === "string" ? value.trim() : undefined;
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;
}

/**
 * Reads chunks until the end, or stops as soon as they pass `limit` or `timeoutMs` passes: never holds more
 * than `limit` bytes plus one chunk, nor for longer. The caller answers 413 from `bodyBytes`, or 408 when
 * `timedOut`, without reading the rest, and closes the connection.
 */
export async function readLimited(
  chunks: AsyncIterable<Uint8Array>,
  limit: number,
  timeoutMs = Number.POSITIVE_INFINITY,
): Promise<LimitedBody> {
  const parts: Uint8Array[] = [];
  let size = 0;
  const iterator = chunks[Symbol.asyncIterator]();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const next =
      timeoutMs === Number.POSITIVE_INFINITY
        ? await iterator.next()
        : await raceDeadline(iterator.next(), deadline - Date.now(), () => undefined);
    if (next === undefined) {
      parts.length = 0;
      return { complete: false, body: new Uint8Array(0), bodyBytes: size, timedOut: true };
    }
    if (next.done) break;
    size += next.value.byteLength;
    if (size > limit) {
      parts.length = 0;
      return { complete: false, body: new Uint8Array(0), bodyBytes: size };
    }
    parts.push(next.value);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    body.set(part, offset);
    offset += part.byteLength;
  }
  return { complete: true, body };
}
