import { checkEnvelope, type ParseResult } from "./parse.js";
import { type XmlNode as Node, parseXmlSubset } from "./xml-subset.js";

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

// Alma's XML and JSON forms of a webhook carry the same fields: an element's text is JSON's `value` when the
// element has attributes (`<status desc="Completed">COMPLETED_SUCCESS</status>` → {value, desc}), a list is
// a plural wrapper of singular elements (`<counters><counter>…</counter></counters>` → `counter: [...]`),
// and every leaf stays a string, as the XSD types them. Entities beyond XML's five are never expanded
// (xml-reference.ts has the parser options).

/**
 * Parses an XML webhook body (`<webhook>…</webhook>`) into the same payload as its JSON form. `text`, when
 * the front delivered the body as text, saves decoding the bytes again (when it is exactly what they decode to).
 */
export async function parseXmlBody(body: Buffer, text?: string): Promise<ParseResult> {
  const decoded = (text !== undefined && wellFormed(text) ? text : body.toString("utf8")).replace(
    /^\uFEFF/,
    "",
  );
  return parseXmlText(decoded);
}

async function parseXmlText(text: string): Promise<ParseResult> {
  // The case-insensitive search is slow over a large body; both words start with "<!".
  if (text.includes("<!") && /<!DOCTYPE|<!ENTITY/i.test(text)) {
    return { ok: false, reason: "The XML body declares a DOCTYPE or entities, which are not accepted." };
  }
  // The plain XML Alma sends is read in one pass; anything else by fast-xml-parser, which validates first.
  // It is imported only then: it is most of the code an XML body would otherwise add to every cold start.
  let document = parseXmlSubset(text);
  if (document === undefined) {
    const { parseWithFastXmlParser } = await import("./xml-reference.js");
    const parsed = parseWithFastXmlParser(text);
    if (!parsed.ok) return parsed;
    document = parsed.document;
  }
  const roots = Object.keys(document);
  if (roots.length !== 1) return { ok: false, reason: "The XML body must have one root element, <webhook>." };
  const root = document[roots[0] as string];
  return checkEnvelope(normalise(root as Node));
}
