import { isAbsolute, relative } from "node:path";
import { LocalToolingError } from "@alma-webhooks/local-aws/errors";
import { findWebhook, notResendable, resendWebhook } from "../cli/local-deliveries.js";
import { deliver } from "../cli/send.js";
import { bodyOf, readWebhooks, type WebhookJournalEntry } from "../local/webhook-journal.js";
import { fateOf } from "../local/webhook-line.js";
import {
  type DeliveriesSource,
  type DeliveryStory,
  type DeliveryView,
  filterDeliveries,
  LIST_LIMIT,
  presentBody,
  type RedeliveryResult,
} from "./model.js";

/**
 * The header that marks a local redelivery, with the id of the webhook it sends again: the journal links the
 * two. Alma never sends it, the handler never reads it, and the body and its signature are the original's.
 */
export const REDELIVERY_HEADER = "x-alma-redelivery-of";

/** A path as the page shows it: relative to the working directory (the repository's, under make run) when inside it. */
function shownPath(path: string): string {
  const inside = relative(process.cwd(), path);
  return inside === "" || inside.startsWith("..") || isAbsolute(inside) ? path : inside;
}

/** A sample the page can send: its name and its bytes. */
export interface PageSample {
  readonly name: string;
  readonly body: Buffer;
}

/** Options of {@link localDeliveriesSource}. */
export interface LocalSourceOptions {
  /** The webhook journal `make run` writes. */
  readonly journalPath: string;
  /** The local server's URL (`http://127.0.0.1:9000`), asked once it listens. */
  readonly url: () => string;
  /** The secret the handler accepts now (rotations included): redeliveries and samples are signed with it. */
  readonly secret: () => Promise<string>;
  /** The samples the page offers to send. */
  readonly samples?: readonly PageSample[];
}

function viewOf(
  entry: WebhookJournalEntry,
  redeliveries: ReadonlyMap<string, DeliveryView["redeliveries"]>,
): DeliveryView {
  const again = redeliveries.get(entry.id);
  return {
    id: entry.id,
    time: entry.time,
    kind: entry.kind,
    status: entry.status,
    fate: fateOf(entry),
    ...(entry.outcome ? { outcome: entry.outcome } : {}),
    reason: entry.reason,
    decisions: entry.decisions,
    ms: entry.ms,
    ...(entry.identity ? { identity: entry.identity } : {}),
    redeliverable: notResendable(entry) === undefined,
    ...(entry.redeliveryOf ? { redeliveryOf: entry.redeliveryOf } : {}),
    ...(again ? { redeliveries: again } : {}),
  };
}

/** Each webhook's redeliveries, by the id of the webhook they sent again. */
function redeliveriesOf(
  entries: readonly WebhookJournalEntry[],
): Map<string, { id: string; fate: DeliveryView["fate"] }[]> {
  const map = new Map<string, { id: string; fate: DeliveryView["fate"] }[]>();
  for (const entry of entries) {
    if (entry.redeliveryOf === undefined) continue;
    const list = map.get(entry.redeliveryOf) ?? [];
    list.push({ id: entry.id, fate: fateOf(entry) });
    map.set(entry.redeliveryOf, list);
  }
  return map;
}

/**
 * The local server's webhooks for the deliveries page, read from its journal at each request, and its
 * redelivery: the journalled bytes sent again to the server itself, through the handler, signed with the
 * current secret (`resend`'s path), so the identity is the original's.
 *
 * @example
 * ```ts
 * const source = localDeliveriesSource({ journalPath, url: () => run.url, secret: async () => "itsasecret" });
 * ```
 */
export function localDeliveriesSource(options: LocalSourceOptions): DeliveriesSource {
  const { journalPath, url, secret, samples = [] } = options;
  const entries = async () => (await readWebhooks(journalPath)).entries;

  async function sendAndRead(
    id: string,
    send: () => Promise<{ status: number; body: string; requestId?: string }>,
  ): Promise<RedeliveryResult> {
    let delivery: { status: number; body: string; requestId?: string };
    try {
      delivery = await send();
    } catch (error) {
      // The server is this process: only a stopping server or a refused secret read gets here.
      const message = error instanceof LocalToolingError ? error.message : String(error);
      return { id, statusCode: 502, body: message, outcome: "not-sent" };
    }
    // The server journals a request before its answer reaches the client: the entry is there.
    const sent = delivery.requestId
      ? (await entries()).find((entry) => entry.requestId === delivery.requestId)
      : undefined;
    return {
      id,
      statusCode: delivery.status,
      body: delivery.body,
      outcome: sent?.outcome ?? (delivery.status < 400 ? "sent" : "refused"),
      ...(sent ? { fate: fateOf(sent), redeliveredAs: sent.id } : {}),
    };
  }

  return {
    mode: "local",
    describe: `the local journal ${shownPath(journalPath)}`,
    async list(filter) {
      const all = await entries();
      const redeliveries = redeliveriesOf(all);
      const requestIds = new Map(all.map((entry) => [entry.id, entry.requestId]));
      const views = all.map((entry) => viewOf(entry, redeliveries)).reverse();
      return filterDeliveries(views, filter, (view) => requestIds.get(view.id)).slice(0, LIST_LIMIT);
    },
    async story(id) {
      const all = await entries();
      const entry = findWebhook(all, id);
      if (entry === undefined) return undefined;
      const bytes = bodyOf(entry);
      const body = presentBody(bytes, entry.contentType);
      const story: DeliveryStory = {
        ...viewOf(entry, redeliveriesOf(all)),
        requestId: entry.requestId,
        method: entry.method,
        path: entry.path,
        signed: entry.signed,
        ...(entry.contentType ? { contentType: entry.contentType } : {}),
        answer: entry.answer,
        body: body.text,
        bodyFormat: body.format,
        bodyBytes: bytes.length,
      };
      return story;
    },
    async bodyBytes(id) {
      const entry = findWebhook(await entries(), id);
      if (entry === undefined) return undefined;
      return { bytes: bodyOf(entry), contentType: entry.contentType ?? "application/octet-stream" };
    },
    async redeliver(ids) {
      const results: RedeliveryResult[] = [];
      // One after the other, as Alma would: the journal keeps their order.
      for (const id of ids) {
        const entry = findWebhook(await entries(), id);
        if (entry === undefined) {
          results.push({
            id,
            statusCode: 404,
            body: `No webhook '${id}' in ${journalPath}: alma-webhook deliveries lists them`,
            outcome: "not-found",
          });
          continue;
        }
        const refusal = notResendable(entry);
        if (refusal !== undefined) {
          results.push({ id, statusCode: 400, body: refusal, outcome: "not-resendable" });
          continue;
        }
        results.push(
          await sendAndRead(id, async () =>
            resendWebhook(entry, `${url()}/`, await secret(), { [REDELIVERY_HEADER]: entry.id }),
          ),
        );
      }
      return { results };
    },
    samples: () => samples.map((sample) => sample.name),
    async sendSample(name) {
      const sample = samples.find((candidate) => candidate.name === name);
      if (sample === undefined) {
        return { id: name, statusCode: 404, body: `No sample '${name}'`, outcome: "not-found" };
      }
      return sendAndRead(name, async () =>
        deliver(`${url()}/`, {
          kind: "post",
          body: sample.body,
          secret: await secret(),
          contentType: name.endsWith(".xml") ? "application/xml" : "application/json",
        }),
      );
    },
  };
}
