// A one-pass reader for the plain XML Alma sends, giving exactly what fast-xml-parser gives with the options
// of xml.ts. fast-xml-parser validates a body and then parses it again, building two trees on the way: a
// 1 MiB MARC record took 4.2 s at the 14.5 % of a core that 256 MB buys (make bench). This reads the common
// subset once. Anything outside it (comments, CDATA, DOCTYPE, processing instructions but the declaration,
// other entities, carriage returns, non-ASCII names, mixed content, a name colliding with another or with
// an Object member, odd spacing in tags, deep nesting) returns undefined: xml.ts then uses fast-xml-parser,
// so every answer, and every error message, stays the one it gave before.

/** What fast-xml-parser makes of an element: its text, or an object of attributes, children and `#text`. */
export type XmlNode = string | { [key: string]: XmlNode | XmlNode[] };

const DECLARATION =
  /<\?xml[ \t\n]+version[ \t\n]*=[ \t\n]*(["'])1\.[0-9]\1(?:[ \t\n]+encoding[ \t\n]*=[ \t\n]*(["'])[A-Za-z][A-Za-z0-9._-]*\2)?(?:[ \t\n]+standalone[ \t\n]*=[ \t\n]*(["'])(?:yes|no)\3)?[ \t\n]*\?>/y;
const BLANK = /^[ \t\n]*$/;
/** An ampersand that does not start one of XML's five entities. */
const OTHER_AMPERSAND = /&(?!(?:amp|lt|gt|quot|apos);)/;
const ENTITY = /&(amp|lt|gt|quot|apos);/g;
const ENTITIES: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
/** fast-xml-parser refuses nesting past 100; far below it, and below core's 64 levels, nothing differs. */
const MAX_ELEMENT_DEPTH = 60;

const decode = (text: string): string =>
  text.includes("&") ? text.replace(ENTITY, (_, name: string) => ENTITIES[name] as string) : text;

/** Names fast-xml-parser refuses or renames: every member of Object.prototype, and `prototype`. */
const RESERVED = new Set([...Object.getOwnPropertyNames(Object.prototype), "prototype"]);

const isSpace = (code: number): boolean => code === 0x20 || code === 0x09 || code === 0x0a;

interface Open {
  readonly name: string;
  readonly attributes: Record<string, string> | undefined;
  children: Record<string, XmlNode | XmlNode[]> | undefined;
  /** The raw text of a leaf, between its start and end tags. */
  text: string;
}

const isNameStart = (code: number): boolean =>
  (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || code === 0x5f; // a-z A-Z _
const isNameChar = (code: number): boolean =>
  isNameStart(code) || (code >= 0x30 && code <= 0x39) || code === 0x2e || code === 0x2d; // 0-9 . -

/** The ASCII name (`[A-Za-z_][A-Za-z0-9_.-]*`) at `index`, or undefined when none starts there or it is reserved. */
function nameAt(text: string, index: number): string | undefined {
  if (!isNameStart(text.charCodeAt(index))) return undefined;
  let end = index + 1;
  while (isNameChar(text.charCodeAt(end))) end += 1;
  const name = text.slice(index, end);
  return RESERVED.has(name) ? undefined : name;
}

/** The element's value as fast-xml-parser builds it: content first, then attributes. */
function elementValue(element: Open): XmlNode | undefined {
  const { attributes, children } = element;
  if (children !== undefined) {
    if (element.text.trim() !== "") return undefined; // mixed content
    if (attributes === undefined) return children;
    for (const name of Object.keys(attributes)) if (Object.hasOwn(children, name)) return undefined;
    return Object.assign(children, attributes);
  }
  const text = decode(element.text.trim());
  if (attributes === undefined) return text;
  return text === "" ? attributes : { "#text": text, ...attributes };
}

/**
 * Parses `text` as fast-xml-parser (options of xml.ts) would, when it is in the plain subset; undefined when
 * it is not, for the full parser to decide. The result is the parser's document: `{ root: node }`.
 *
 * @example
 * ```ts
 * parseXmlSubset('<webhook><action>JOB_END</action></webhook>'); // { webhook: { action: "JOB_END" } }
 * parseXmlSubset("<webhook><!-- a comment --></webhook>"); // undefined
 * ```
 */
export function parseXmlSubset(text: string): Record<string, XmlNode> | undefined {
  if (text.includes("\r")) return undefined; // the parser turns line ends into \n first
  let index = 0;
  if (text.startsWith("<?")) {
    DECLARATION.lastIndex = 0;
    const declaration = DECLARATION.exec(text);
    if (declaration === null) return undefined;
    index = declaration[0].length;
  }
  const start = text.indexOf("<", index);
  if (start < 0 || !BLANK.test(text.slice(index, start))) return undefined;
  index = start;
  const stack: Open[] = [];
  let document: Record<string, XmlNode> | undefined;
  while (index < text.length) {
    if (text.charCodeAt(index) !== 0x3c) {
      // Text up to the next tag: a leaf's value, or blanks between elements.
      const next = text.indexOf("<", index);
      const end = next < 0 ? text.length : next;
      const segment = text.slice(index, end);
      const open = stack[stack.length - 1];
      if (open === undefined) {
        if (!BLANK.test(segment)) return undefined;
      } else {
        if (OTHER_AMPERSAND.test(segment)) return undefined;
        open.text += segment;
      }
      index = end;
      continue;
    }
    if (document !== undefined) return undefined; // a second root
    const after = text.charCodeAt(index + 1);
    if (after === 0x2f) {
      // </name>
      const open = stack.pop();
      if (open === undefined) return undefined;
      const close = index + 2 + open.name.length;
      if (text.slice(index + 2, close) !== open.name || text.charCodeAt(close) !== 0x3e) return undefined;
      const value = elementValue(open);
      if (value === undefined) return undefined;
      const parent = stack[stack.length - 1];
      if (parent === undefined) document = { [open.name]: value };
      else attach(parent, open.name, value);
      index = close + 1;
      continue;
    }
    const name = nameAt(text, index + 1);
    if (name === undefined || stack.length >= MAX_ELEMENT_DEPTH) return undefined;
    index += 1 + name.length;
    let attributes: Record<string, string> | undefined;
    let selfClosing = false;
    for (;;) {
      let spaced = false;
      while (isSpace(text.charCodeAt(index))) {
        index += 1;
        spaced = true;
      }
      const code = text.charCodeAt(index);
      if (code === 0x3e) {
        index += 1;
        break;
      }
      if (code === 0x2f && text.charCodeAt(index + 1) === 0x3e) {
        index += 2;
        selfClosing = true;
        break;
      }
      const attribute = spaced ? nameAt(text, index) : undefined;
      if (attribute === undefined) return undefined;
      index += attribute.length;
      while (isSpace(text.charCodeAt(index))) index += 1;
      if (text.charCodeAt(index) !== 0x3d) return undefined; // =
      index += 1;
      while (isSpace(text.charCodeAt(index))) index += 1;
      const quote = text[index];
      if (quote !== '"' && quote !== "'") return undefined;
      const end = text.indexOf(quote, index + 1);
      if (end < 0) return undefined;
      const raw = text.slice(index + 1, end);
      if (raw.includes("<") || OTHER_AMPERSAND.test(raw)) return undefined;
      attributes ??= {};
      if (Object.hasOwn(attributes, attribute)) return undefined;
      attributes[attribute] = decode(raw.trim());
      index = end + 1;
    }
    const open: Open = { name, attributes, children: undefined, text: "" };
    if (!selfClosing) {
      stack.push(open);
      continue;
    }
    const value = elementValue(open) as XmlNode;
    const parent = stack[stack.length - 1];
    if (parent === undefined) document = { [name]: value };
    else attach(parent, name, value);
  }
  return stack.length === 0 ? document : undefined;
}

/** Adds a child to its parent, a repeated name becoming a list. */
function attach(parent: Open, name: string, value: XmlNode): void {
  parent.children ??= {};
  const existing = parent.children[name];
  if (existing === undefined) parent.children[name] = value;
  else if (Array.isArray(existing)) existing.push(value);
  else parent.children[name] = [existing, value];
}
