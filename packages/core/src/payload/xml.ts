import { XMLParser } from "fast-xml-parser";
import { checkEnvelope, type ParseResult } from "./parse.js";
import { type XmlNode as Node, parseXmlSubset } from "./xml-subset.js";

// Alma's XML and JSON forms of a webhook carry the same fields: an element's text is JSON's `value` when the
// element has attributes (`<status desc="Completed">COMPLETED_SUCCESS</status>` → {value, desc}), a list is
// a plural wrapper of singular elements (`<counters><counter>…</counter></counters>` → `counter: [...]`),
// and every leaf stays a string, as the XSD types them. Entities beyond XML's five are never expanded.
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "",
  textNodeName: "#text",
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  // Numeric character references (&#233; &#x41;) decode as in any XML parser; no DTD entity is ever declared.
  htmlEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

function normalise(node: Node | Node[]): unknown {
  if (Array.isArray(node)) return node.map(normalise);
  if (typeof node !== "object" || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(node)) {
    const child = node[name] as Node | Node[];
    const key = name === "#text" ? "value" : name;
    // A plural name ("counters"; "s" alone is not one) may be a list's wrapper.
    if (key.length > 1 && key.endsWith("s")) {
      const singular = key.slice(0, -1);
      if (child === "") {
        out[singular] = []; // an empty list: <counters/>
        continue;
      }
      if (typeof child === "object" && child !== null && !Array.isArray(child)) {
        const inner = Object.keys(child);
        if (inner.length === 1 && inner[0] === singular) {
          const items = child[singular] as Node | Node[];
          out[singular] = (Array.isArray(items) ? items : [items]).map(normalise);
          continue;
        }
      }
    }
    out[key] = normalise(child);
  }
  return out;
}

/** A string without lone surrogates: one that UTF-8 encodes and decodes back to itself. */
const wellFormed = (text: string): boolean => (text as unknown as { isWellFormed(): boolean }).isWellFormed();

/**
 * Parses an XML webhook body (`<webhook>…</webhook>`) into the same payload as its JSON form. `text`, when
 * the front delivered the body as text, saves decoding the bytes again (when it is exactly what they decode to).
 */
export function parseXmlBody(body: Buffer, text?: string): ParseResult {
  const decoded = (text !== undefined && wellFormed(text) ? text : body.toString("utf8")).replace(
    /^\uFEFF/,
    "",
  );
  return parseXmlText(decoded);
}

function parseXmlText(text: string): ParseResult {
  // The case-insensitive search is slow over a large body; both words start with "<!".
  if (text.includes("<!") && /<!DOCTYPE|<!ENTITY/i.test(text)) {
    return { ok: false, reason: "The XML body declares a DOCTYPE or entities, which are not accepted." };
  }
  // The plain XML Alma sends is read in one pass; anything else by fast-xml-parser, which validates first.
  let document = parseXmlSubset(text);
  if (document === undefined) {
    const parsed = parseWithFastXmlParser(text);
    if (!parsed.ok) return parsed;
    document = parsed.document;
  }
  const roots = Object.keys(document);
  if (roots.length !== 1) return { ok: false, reason: "The XML body must have one root element, <webhook>." };
  const root = document[roots[0] as string];
  return checkEnvelope(normalise(root as Node));
}

/**
 * What fast-xml-parser, validating first, makes of `text`: the document, or why it is not well-formed. The
 * reference that {@link parseXmlSubset} agrees with (the tests compare them).
 *
 * @example
 * ```ts
 * parseWithFastXmlParser("<webhook><action>BIB</action></webhook>"); // { ok: true, document: { webhook: { action: "BIB" } } }
 * ```
 */
export function parseWithFastXmlParser(
  text: string,
):
  | { readonly ok: true; readonly document: Record<string, Node> }
  | { readonly ok: false; readonly reason: string } {
  try {
    return { ok: true, document: parser.parse(text, true) as Record<string, Node> };
  } catch (error) {
    return {
      ok: false,
      reason: `The body is not well-formed XML (${(error as Error).message.split("\n")[0]}).`,
    };
  }
}
