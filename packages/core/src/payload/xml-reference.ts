import { XMLParser } from "fast-xml-parser";
import type { XmlNode as Node } from "./xml-subset.js";

// The reference XML reader: fast-xml-parser with the options that give Alma's XML the shape of its JSON.
// xml.ts imports this module only for a body outside the plain subset that xml-subset.ts reads itself.
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

/**
 * What fast-xml-parser, validating first, makes of `text`: the document, or why it is not well-formed. The
 * reference that `parseXmlSubset` (xml-subset.ts) agrees with (the tests compare them).
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
