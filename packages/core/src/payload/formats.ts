import type { WebhookRequest } from "../http/request.js";
import { parseJsonBody } from "./parse.js";
import type { WebhookPayload } from "./types.js";
import { parseXmlBody } from "./xml.js";

/** A parsed body and the format it came in, or why it is not one. */
export type BodyResult =
  | { readonly ok: true; readonly payload: WebhookPayload; readonly format: "json" | "xml" }
  | { readonly ok: false; readonly reason: string; readonly unsupported?: true };

const XML_CONTENT_TYPE = /[/+]xml\b/i;

/** Which format the body is in: the bytes decide where they can (a JSON body sent as XML is still JSON). */
export function formatOf(request: WebhookRequest): "json" | "xml" {
  const start = request.body
    .subarray(0, 64)
    .toString("utf8")
    .replace(/^\uFEFF/, "")
    .trimStart();
  if (start.startsWith("<")) return "xml";
  if (start.startsWith("{") || start.startsWith("[")) return "json";
  return XML_CONTENT_TYPE.test(request.headers["content-type"] ?? "") ? "xml" : "json";
}

/** Parses the body in whichever format it came. */
export function parseBody(request: WebhookRequest): BodyResult {
  const format = formatOf(request);
  if (format === "xml") {
    const parsed = parseXmlBody(request.body);
    return parsed.ok ? { ...parsed, format: "xml" } : parsed;
  }
  const type = request.headers["content-type"] ?? "";
  // Neither JSON nor XML: a form, a file. (A JSON body sent without a JSON content type is still JSON.)
  if (/^(multipart\/|application\/x-www-form-urlencoded|application\/octet-stream)/i.test(type)) {
    return { ok: false, unsupported: true, reason: `a ${type} body is neither JSON nor XML` };
  }
  const parsed = parseJsonBody(request.body, request.text);
  return parsed.ok ? { ...parsed, format: "json" } : parsed;
}
