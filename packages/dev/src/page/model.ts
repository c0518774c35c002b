import type { PluginResult } from "@alma-webhooks/core";
import { sinceOf } from "../cli/deliveries.js";
import { CliError } from "../cli/io.js";
import type { JournalDecision } from "../local/webhook-journal.js";
import type { Fate } from "../local/webhook-line.js";

// What the deliveries page shows, whichever history it reads: the local journal of `make run` or a deployed
// stage's DynamoDB history. Both sources give these shapes; the page's code knows nothing else.

/** One webhook in the list: its time, kind, answer, every plugin's and route's decision, duration and id. */
export interface DeliveryView {
  /** What `/_/redeliver` (or the Lambda's redelivery event) takes. */
  readonly id: string;
  /** ISO 8601, when it arrived. */
  readonly time: string;
  /** `LOAN.LOAN_CREATED`, the job's name for a job end, `GET challenge`. */
  readonly kind: string;
  /** The HTTP status answered. */
  readonly status: number;
  readonly fate: Fate;
  /** The router's outcome: handled, unauthorized, unclaimed-event, ... */
  readonly outcome?: string;
  /** Why it was answered so, in words; empty when the decisions say it all. */
  readonly reason: string;
  readonly decisions: readonly JournalDecision[];
  /** Milliseconds from request to answer, when known. */
  readonly ms?: number;
  /** The identity consumers de-duplicate on (`alma-webhook-id`), once claimed. */
  readonly identity?: string;
  /** Whether it can be sent again (a POST with a body locally; a deployed webhook with a function named). */
  readonly redeliverable: boolean;
  /** The webhook this one redelivered. */
  readonly redeliveryOf?: string;
  /** The redeliveries of this one, newest last, with their fate. */
  readonly redeliveries?: readonly { readonly id: string; readonly fate: Fate }[];
}

/** How a body is shown: pretty JSON, indented XML, text as received, or binary (download only). */
export type BodyFormat = "json" | "xml" | "text" | "binary" | "none";

/** One webhook opened: its whole story. */
export interface DeliveryStory extends DeliveryView {
  readonly requestId?: string;
  readonly method?: string;
  readonly path?: string;
  readonly signed?: boolean;
  readonly contentType?: string;
  /** The answer's body, as sent back; undefined when the history does not keep it. */
  readonly answer?: string;
  /** The body received, pretty-printed when JSON or XML; undefined when not kept here. */
  readonly body?: string;
  readonly bodyFormat: BodyFormat;
  /** The body's size in bytes, when kept. */
  readonly bodyBytes?: number;
  /** What the page says where the body is not kept. */
  readonly bodyNote?: string;
}

/** One redelivery's answer: contract C4 (the same shape as the function's redelivery event, C3). */
export interface RedeliveryResult {
  readonly id: string;
  readonly statusCode: number;
  readonly body: string;
  /** The router's outcome of the redelivered webhook (handled, unauthorized, ...), or why it was not sent. */
  readonly outcome: string;
  /** Locally: what became of it (delivered, duplicate, refused, ...). */
  readonly fate?: Fate;
  /** Locally: the id of the new journal entry. */
  readonly redeliveredAs?: string;
}

/** What the page's filters ask: every field optional, all of them must hold. */
export interface DeliveryFilter {
  /** Only refused (4xx), errors (5xx) and webhooks a plugin or route failed or refused. */
  readonly failedOnly?: boolean;
  /** ISO 8601: only webhooks received at or after it. */
  readonly since?: string;
  /** Part of the kind, any case. */
  readonly kind?: string;
  /** A plugin's or route's name, any case. */
  readonly plugin?: string;
  /** Part of the id, the request id or the identity, any case. */
  readonly id?: string;
}

/**
 * Where the page reads webhooks and sends redeliveries: the local journal or a deployed stage.
 *
 * @example
 * ```ts
 * const views = await source.list({ failedOnly: true });
 * ```
 */
export interface DeliveriesSource {
  readonly mode: "local" | "deployed";
  /** Named on the page: "the local journal .local/webhooks.jsonl", "table alma-ledger". */
  readonly describe: string;
  /** Newest first. */
  list(filter: DeliveryFilter): Promise<DeliveryView[]>;
  story(id: string): Promise<DeliveryStory | undefined>;
  /** The body's bytes as received, for the download; undefined when not kept. */
  bodyBytes(id: string): Promise<{ readonly bytes: Buffer; readonly contentType: string } | undefined>;
  redeliver(ids: readonly string[]): Promise<{ results: RedeliveryResult[] }>;
  /** Locally: the sample payloads the page can send. */
  samples?(): readonly string[];
  /** Locally: signs a sample with the current secret and sends it. */
  sendSample?(name: string): Promise<RedeliveryResult>;
}

/** The most webhooks one list answers: a page of that many rows is already more than anyone reads. */
export const LIST_LIMIT = 500;

const FAILED_DECISIONS = new Set(["failed", "refused", "broken"]);

/**
 * Whether a webhook counts as failed on the page: refused (4xx), an error (5xx), or a plugin or route that
 * failed, refused it, or is broken.
 *
 * @example
 * ```ts
 * isFailed({ fate: "refused", decisions: [] }); // true
 * ```
 */
export function isFailed(view: Pick<DeliveryView, "fate" | "decisions">): boolean {
  return (
    view.fate === "refused" ||
    view.fate === "error" ||
    view.decisions.some((d) => FAILED_DECISIONS.has(d.decision))
  );
}

const contains = (haystack: string | undefined, needle: string): boolean =>
  haystack?.toLowerCase().includes(needle.toLowerCase()) ?? false;

/**
 * Keeps the webhooks every given filter accepts.
 *
 * @example
 * ```ts
 * filterDeliveries(views, { kind: "loan", failedOnly: true });
 * ```
 */
export function filterDeliveries(
  views: readonly DeliveryView[],
  filter: DeliveryFilter,
  requestIdOf: (view: DeliveryView) => string | undefined = () => undefined,
): DeliveryView[] {
  const kind = filter.kind?.trim();
  const plugin = filter.plugin?.trim().toLowerCase();
  const id = filter.id?.trim();
  return views.filter(
    (view) =>
      (!filter.failedOnly || isFailed(view)) &&
      (filter.since === undefined || view.time >= filter.since) &&
      (!kind || contains(view.kind, kind)) &&
      (!plugin || view.decisions.some((d) => d.name.toLowerCase() === plugin)) &&
      (!id || contains(view.id, id) || contains(view.identity, id) || contains(requestIdOf(view), id)),
  );
}

/**
 * The page's query (`failed=1&since=10m&kind=LOAN&plugin=PPOD&id=a1b2`) as a filter; `since` takes a
 * duration (10m, 2h, 1d) or an ISO time.
 *
 * @throws CliError for a `since` that is neither.
 * @example
 * ```ts
 * filterOf(new URLSearchParams("failed=1&since=1h"), Date.now()); // { failedOnly: true, since: "2026-…" }
 * ```
 */
export function filterOf(query: URLSearchParams, now: number): DeliveryFilter {
  const text = (name: string) => {
    const value = query.get(name)?.trim();
    return value ? { [name]: value } : {};
  };
  const since = query.get("since")?.trim();
  return {
    failedOnly: ["1", "true", "on", "yes"].includes(query.get("failed") ?? ""),
    ...(since ? { since: sinceOf(since, now) } : {}),
    ...text("kind"),
    ...text("plugin"),
    ...text("id"),
  };
}

/** Bodies larger than this are shown as received, not re-indented: the page stays quick. */
const PRETTY_LIMIT = 1024 * 1024;

/**
 * Indents XML one element a line, an element holding only text on one line. It only re-spaces between tags;
 * the text shown is the body's (escaped by the page, which never parses it as markup).
 *
 * @example
 * ```ts
 * prettyXml("<a><b>1</b></a>"); // "<a>\n  <b>1</b>\n</a>"
 * ```
 */
export function prettyXml(xml: string): string {
  const tokens = xml
    .split(/(<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->|<[^>]*>)/)
    .filter((token) => token.trim() !== "");
  const lines: string[] = [];
  let depth = 0;
  const indent = () => "  ".repeat(depth);
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string;
    const next = tokens[i + 1];
    const isTag = token.startsWith("<") && !token.startsWith("<![CDATA[");
    if (!isTag) lines.push(`${indent()}${token.trim()}`);
    else if (token.startsWith("</")) {
      depth = Math.max(0, depth - 1);
      lines.push(`${indent()}${token}`);
    } else if (/^<[?!]/.test(token) || token.endsWith("/>")) lines.push(`${indent()}${token}`);
    else if (next !== undefined && !next.startsWith("<") && tokens[i + 2]?.startsWith("</")) {
      lines.push(`${indent()}${token}${next.trim()}${tokens[i + 2]}`);
      i += 2;
    } else {
      lines.push(`${indent()}${token}`);
      depth += 1;
    }
  }
  return lines.join("\n");
}

/**
 * How to show a body: pretty JSON when it parses, indented XML when it is XML, else the text as received;
 * bytes that are not UTF-8 are binary (downloaded, never shown).
 *
 * @example
 * ```ts
 * presentBody(Buffer.from('{"a":1}'), "application/json"); // { format: "json", text: '{\n  "a": 1\n}' }
 * ```
 */
export function presentBody(
  bytes: Buffer,
  contentType: string | undefined,
): { format: BodyFormat; text: string } {
  if (bytes.length === 0) return { format: "none", text: "" };
  const text = bytes.toString("utf8");
  if (!Buffer.from(text, "utf8").equals(bytes)) return { format: "binary", text: "" };
  const large = bytes.length > PRETTY_LIMIT;
  const trimmed = text.trimStart();
  if (/xml/i.test(contentType ?? "") || trimmed.startsWith("<")) {
    return { format: "xml", text: large ? text : prettyXml(text) };
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return { format: "json", text: large ? text : JSON.stringify(parsed, null, 2) };
  } catch {
    return { format: "text", text };
  }
}

/**
 * The `{"ids": [...]}` of a redelivery request, checked.
 *
 * @throws CliError (exit code 2) when the body is not that.
 * @example
 * ```ts
 * idsOf(Buffer.from('{"ids":["a1b2c3d4"]}')); // ["a1b2c3d4"]
 * ```
 */
export function idsOf(body: Buffer): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    throw new CliError('The body must be JSON: {"ids": ["<webhook id>", ...]}', 2);
  }
  const ids = (parsed as { ids?: unknown } | null)?.ids;
  if (
    !Array.isArray(ids) ||
    ids.length === 0 ||
    !ids.every((id) => typeof id === "string" && id.trim() !== "")
  ) {
    throw new CliError('The body must name at least one webhook: {"ids": ["<webhook id>", ...]}', 2);
  }
  if (ids.length > 100) throw new CliError("At most 100 webhooks per redelivery", 2);
  return [...new Set(ids.map((id: string) => id.trim()))];
}

/** The plugin results of a history record, as the journal words them. */
export type HistoryResults = readonly (PluginResult | Readonly<Record<string, unknown>>)[];
