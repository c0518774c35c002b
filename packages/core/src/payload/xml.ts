import { XMLParser } from "fast-xml-parser";
import { checkEnvelope, type ParseResult } from "./parse.js";

type Node = string | { [key: string]: Node | Node[] };

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
  for (const [name, child] of Object.entries(node)) {
    const key = name === "#text" ? "value" : name;
    const singular = key.endsWith("s") ? key.slice(0, -1) : undefined;
    const inner =
      typeof child === "object" && child !== null && !Array.isArray(child) ? Object.keys(child) : [];
    if (singular && inner.length === 1 && inner[0] === singular) {
      const items = (child as Record<string, Node | Node[]>)[singular] as Node | Node[];
      out[singular] = (Array.isArray(items) ? items : [items]).map(normalise);
    } else if (singular && child === "") {
      out[singular] = []; // an empty list: <counters/>
    } else {
      out[key] = normalise(child);
    }
  }
  return out;
}

/** Parses an XML webhook body (`<webhook>…</webhook>`) into the same payload as its JSON form. */
export function parseXmlBody(body: Buffer): ParseResult {
  const text = body.toString("utf8").replace(/^\uFEFF/, "");
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) {
    return { ok: false, reason: "The XML body declares a DOCTYPE or entities, which are not accepted." };
  }
  let document: Record<string, Node>;
  try {
    document = parser.parse(text, true) as Record<string, Node>;
  } catch (error) {
    return {
      ok: false,
      reason: `The body is not well-formed XML (${(error as Error).message.split("\n")[0]}).`,
    };
  }
  const roots = Object.keys(document);
  if (roots.length !== 1) return { ok: false, reason: "The XML body must have one root element, <webhook>." };
  const root = document[roots[0] as string];
  return checkEnvelope(normalise(root as Node));
}
