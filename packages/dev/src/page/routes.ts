import { readFile } from "node:fs/promises";
import { CliError } from "../cli/io.js";
import type { HttpAnswer, LocalPageRequest, LocalPages } from "../local/server.js";
import { type DeliveriesSource, filterOf, idsOf } from "./model.js";

/** Where the page is: `http://127.0.0.1:9000/_/deliveries` under `make run`. */
export const DELIVERIES_PATH = "/_/deliveries";

/** Contract C4: the local server's redelivery, `{"ids": [...]}` in, `{"results": [...]}` out. */
export const REDELIVER_PATH = "/_/redeliver";

// The page's files ship beside the compiled code (packages/dev/page/), read once: no bundler, no framework.
const ASSETS = new URL("../../../page/", import.meta.url);
const ASSET_TYPES = {
  "deliveries.html": "text/html; charset=utf-8",
  "deliveries.css": "text/css; charset=utf-8",
  "deliveries.js": "text/javascript; charset=utf-8",
  "favicon.svg": "image/svg+xml",
} as const;
type Asset = keyof typeof ASSET_TYPES;
const assetCache = new Map<Asset, Buffer>();

async function asset(name: Asset): Promise<Buffer> {
  let bytes = assetCache.get(name);
  if (bytes === undefined) {
    bytes = await readFile(new URL(name, ASSETS));
    assetCache.set(name, bytes);
  }
  return bytes;
}

/**
 * Every answer of the page: its own origin only (no inline script, no external fetch, no frame), nothing
 * sniffed, nothing cached, no referrer.
 */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy":
    "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
  "cross-origin-resource-policy": "same-origin",
};

const answer = (
  status: number,
  contentType: string,
  body: Buffer | string,
  extra: Record<string, string> = {},
): HttpAnswer => ({
  status,
  headers: { ...PAGE_HEADERS, "content-type": contentType, ...extra },
  body: typeof body === "string" ? Buffer.from(body) : body,
});

const json = (status: number, value: unknown): HttpAnswer =>
  answer(status, "application/json; charset=utf-8", JSON.stringify(value));

const problem = (status: number, message: string): HttpAnswer => json(status, { error: message });

/**
 * Why a state-changing request is refused, if it is: another site's page (its `Origin` or `Sec-Fetch-Site`
 * says so) or a body that is not JSON. A form of another site can post text to 127.0.0.1; it cannot post
 * JSON without asking first, and this server never says yes.
 */
function refusal(request: LocalPageRequest): HttpAnswer | undefined {
  const origin = request.headers.origin;
  if (
    (origin !== undefined && origin !== request.origin) ||
    request.headers["sec-fetch-site"] === "cross-site"
  ) {
    return problem(403, `Refused: a request from another origin (${origin ?? "cross-site"})`);
  }
  const type = request.headers["content-type"] ?? "";
  if (!/^application\/json\b/i.test(type)) {
    return problem(415, "Send the body as JSON (content-type: application/json)");
  }
  return undefined;
}

/** `webhook-a1b2c3d4.json`: a file name from an id, whatever the id holds. */
function fileNameOf(id: string, contentType: string): string {
  const safe = id.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 80) || "webhook";
  const extension = /xml/i.test(contentType) ? "xml" : /json/i.test(contentType) ? "json" : "bin";
  return `webhook-${safe}.${extension}`;
}

/**
 * The deliveries page and its API over a source, for the local server's `pages` option: the page
 * (`GET /_/deliveries`, its CSS and script), the list (`GET /_/api/deliveries?failed=1&since=10m&kind=&plugin=&id=`,
 * newest first), a webhook's story (`GET /_/api/deliveries/ID`), its body (`…/ID/body`, a download), the
 * redelivery (`POST /_/redeliver`, contract C4) and, locally, a sample sent (`POST /_/api/samples`).
 *
 * @example
 * ```ts
 * await startLocalServer({ invoke, pages: deliveriesPages(localDeliveriesSource(options)) });
 * ```
 */
export function deliveriesPages(
  source: DeliveriesSource,
  options: { readonly now?: () => number; readonly refreshSeconds?: number } = {},
): LocalPages {
  const { now = Date.now, refreshSeconds = source.mode === "local" ? 2 : 30 } = options;

  async function get(request: LocalPageRequest): Promise<HttpAnswer | undefined> {
    const { path } = request;
    if (path === DELIVERIES_PATH || path === `${DELIVERIES_PATH}/`) {
      return answer(200, ASSET_TYPES["deliveries.html"], await asset("deliveries.html"));
    }
    if (path === "/_/deliveries.css" || path === "/_/deliveries.js" || path === "/_/favicon.svg") {
      const name = path.slice(3) as Asset;
      return answer(200, ASSET_TYPES[name], await asset(name));
    }
    if (path === "/_/api/deliveries") {
      const deliveries = await source.list(filterOf(request.query, now()));
      return json(200, {
        mode: source.mode,
        source: source.describe,
        refreshSeconds,
        samples: source.samples?.() ?? [],
        deliveries,
      });
    }
    const match = /^\/_\/api\/deliveries\/([^/]+)(\/body)?$/.exec(path);
    if (match) {
      const id = decodeURIComponent(match[1] as string);
      if (match[2] === undefined) {
        const story = await source.story(id);
        return story === undefined ? problem(404, `No webhook '${id}'`) : json(200, story);
      }
      const body = await source.bodyBytes(id);
      if (body === undefined) return problem(404, `No body kept for webhook '${id}'`);
      // A download, never a page: the body is whatever was posted.
      return answer(200, "application/octet-stream", body.bytes, {
        "content-disposition": `attachment; filename="${fileNameOf(id, body.contentType)}"`,
      });
    }
    return undefined;
  }

  async function post(request: LocalPageRequest): Promise<HttpAnswer | undefined> {
    if (request.path !== REDELIVER_PATH && request.path !== "/_/api/samples") return undefined;
    const refused = refusal(request);
    if (refused) return refused;
    if (request.path === REDELIVER_PATH) return json(200, await source.redeliver(idsOf(request.body)));
    if (source.sendSample === undefined)
      return problem(404, "This page sends no samples (a deployed stage's)");
    const name = (JSON.parse(request.body.toString("utf8")) as { name?: unknown } | null)?.name;
    if (typeof name !== "string" || name === "")
      return problem(400, 'Name the sample: {"name": "loan.json"}');
    return json(200, { results: [await source.sendSample(name)] });
  }

  return async (request) => {
    try {
      if (request.method === "GET" || request.method === "HEAD") return await get(request);
      if (request.method === "POST") return await post(request);
      return problem(405, `${request.method} is not allowed here`);
    } catch (error) {
      if (error instanceof CliError) return problem(error.exitCode === 2 ? 400 : 502, error.message);
      if (error instanceof SyntaxError) return problem(400, `The body is not JSON: ${error.message}`);
      throw error;
    }
  };
}
