import type { WebhookRequest } from "../http/request.js";
import { parseJsonBody } from "./parse.js";
import type { WebhookPayload } from "./types.js";
import { parseXmlBody } from "./xml.js";

/** A parsed body and the format it came in, or why it is not one. */
export type BodyResult =
  | { readonly ok: true; readonly payload: WebhookPayload; readonly format: "json" | "xml" }
  | { readonly ok: false; readonly reason: string; readonly unsupported?: true };

const XML_CONTENT_TYPE = /[/+]xml\b/i;

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

/** The first byte that is not whitespace or a UTF-8 byte-order mark, or undefined for a blank body. */
function firstSignificantByte(body: Buffer): number | undefined {
  let index = body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? 3 : 0;
  while (index < body.length && WHITESPACE.has(body[index] as number)) index += 1;
  return body[index];
}

/**
 * Which format the body is in. The bytes decide where they can, whatever the content type says (Alma's JSON
 * has been seen sent as XML, and tools send JSON as a form); the content type decides only for a body that
 * starts like neither.
 */
export function formatOf(request: WebhookRequest): "json" | "xml" | "unsupported" {
  const first = firstSignificantByte(request.body);
  if (first === 0x3c) return "xml"; // <
  if (first === 0x7b || first === 0x5b) return "json"; // { [
  const type = request.headers["content-type"] ?? "";
  if (XML_CONTENT_TYPE.test(type)) return "xml";
  // Neither JSON nor XML by its bytes, and declared as a form or a file.
  if (/^\s*(multipart\/|application\/x-www-form-urlencoded|application\/octet-stream)/i.test(type)) {
    return "unsupported";
  }
  return "json"; // parsed as JSON, so that what is wrong with it is named
}

/** Parses the body in whichever format it came. */
export async function parseBody(request: WebhookRequest): Promise<BodyResult> {
  const format = formatOf(request);
  if (format === "unsupported") {
    return { ok: false, unsupported: true, reason: "the body is neither JSON nor XML" };
  }
  if (format === "xml") {
    const parsed = await parseXmlBody(request.body, request.text);
    return parsed.ok ? { ...parsed, format: "xml" } : parsed;
  }
  const parsed = parseJsonBody(request.body, request.text);
  return parsed.ok ? { ...parsed, format: "json" } : parsed;
}
