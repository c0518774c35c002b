import { expect } from "chai";
import { checkEnvelope } from "../src/payload/parse.js";
import { parseXmlBody } from "../src/payload/xml.js";
import { parseWithFastXmlParser } from "../src/payload/xml-reference.js";
import { parseXmlSubset } from "../src/payload/xml-subset.js";

/** A seeded generator (xorshift32): the same documents on every run. */
function generator(seed: number) {
  let state = seed;
  const next = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  return {
    int: (below: number): number => Math.floor(next() * below),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T,
  };
}

const NAMES = ["a", "b", "counter", "counters", "job_instance", "x.y", "x-y", "_z", "value", "desc", "s"];
const TEXTS = [
  "1",
  " padded ",
  "",
  "a &amp; b",
  "&lt;tag&gt;",
  "&quot;q&apos;",
  "é ü",
  "\u00a0nb\u00a0",
  "1 > 2",
  "x\ny",
  "\t",
];

/** A random well-formed document in the subset's syntax (and some just outside it). */
function documentOf(random: ReturnType<typeof generator>, depth = 0): string {
  const name = random.pick(NAMES);
  const attributes = Array.from({ length: random.int(3) }, () => {
    const quote = random.pick(['"', "'"]);
    return `${random.pick([" ", "\n", "\t", "  "])}${random.pick(NAMES)}${random.pick(["=", " = "])}${quote}${random.pick(TEXTS)}${quote}`;
  }).join("");
  const kind = depth > 4 ? random.int(3) : random.int(5);
  if (kind === 0) return `<${name}${attributes}/>`;
  if (kind === 1 || kind === 2) return `<${name}${attributes}>${random.pick(TEXTS)}</${name}>`;
  const children = Array.from({ length: 1 + random.int(4) }, () =>
    random.int(6) === 0 ? random.pick(["\n  ", " ", "stray"]) : documentOf(random, depth + 1),
  ).join("");
  return `<${name}${attributes}>${children}</${name}>`;
}

const TRICKY = [
  "<",
  ">",
  "&",
  '"',
  "'",
  "/",
  " ",
  "\r",
  "=",
  "!",
  "?",
  "\u00a0",
  "é",
  "&amp;",
  "&#65;",
  "&nbsp;",
  "<!-- c -->",
  "<![CDATA[x]]>",
  "</a>",
  "<a>",
];

/** A copy of `text` with a tricky piece inserted, or a character removed. */
function mutated(random: ReturnType<typeof generator>, text: string): string {
  const at = random.int(text.length + 1);
  return random.int(3) === 0
    ? text.slice(0, at) + text.slice(at + 1)
    : text.slice(0, at) + random.pick(TRICKY) + text.slice(at);
}

/** The subset reader agrees with fast-xml-parser on `text`, key order included; whether it read it. */
function agrees(text: string): boolean {
  const subset = parseXmlSubset(text);
  if (subset === undefined) return false;
  const reference = parseWithFastXmlParser(text);
  expect(reference.ok, `fast-xml-parser refuses what the subset read: ${JSON.stringify(text)}`).to.equal(
    true,
  );
  if (reference.ok)
    expect(JSON.stringify(subset), JSON.stringify(text)).to.equal(JSON.stringify(reference.document));
  return true;
}

type Node = string | { [key: string]: Node | Node[] };

/** xml.ts's normalise as it was before the one-pass reader (commit 367d1a1): the reference. */
function normaliseBefore(node: Node | Node[]): unknown {
  if (Array.isArray(node)) return node.map(normaliseBefore);
  if (typeof node !== "object" || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [name, child] of Object.entries(node)) {
    const key = name === "#text" ? "value" : name;
    const singular = key.endsWith("s") ? key.slice(0, -1) : undefined;
    const inner =
      typeof child === "object" && child !== null && !Array.isArray(child) ? Object.keys(child) : [];
    if (singular && inner.length === 1 && inner[0] === singular) {
      const items = (child as Record<string, Node | Node[]>)[singular] as Node | Node[];
      out[singular] = (Array.isArray(items) ? items : [items]).map(normaliseBefore);
    } else if (singular && child === "") {
      out[singular] = [];
    } else {
      out[key] = normaliseBefore(child);
    }
  }
  return out;
}

/** parseXmlBody as it was: fast-xml-parser, the old normalise, the envelope check. */
function parseXmlBodyBefore(text: string): unknown {
  const parsed = parseWithFastXmlParser(text);
  if (!parsed.ok) return parsed;
  const roots = Object.keys(parsed.document);
  if (roots.length !== 1) return { ok: false, reason: "The XML body must have one root element, <webhook>." };
  return checkEnvelope(normaliseBefore(parsed.document[roots[0] as string] as Node));
}

describe("parseXmlSubset, the one-pass XML reader", () => {
  it("reads Alma's XML as fast-xml-parser does: codes with desc, lists, entities, empty elements", () => {
    const xml =
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<webhook><id>1</id><action>JOB_END</action>' +
      '<institution desc="MIT &amp; co">01MIT_INST</institution><job_instance><name> PPOD to Dev1 </name>' +
      '<counters><counter><type desc="New">label.new.records</type><value>12</value></counter>' +
      "<counter><type>x</type><value>&lt;3&gt;</value></counter></counters><alert/><link></link></job_instance></webhook>\n";
    expect(agrees(xml)).to.equal(true);
    expect(parseXmlSubset(xml)).to.deep.equal({
      webhook: {
        id: "1",
        action: "JOB_END",
        institution: { "#text": "01MIT_INST", desc: "MIT & co" },
        job_instance: {
          name: "PPOD to Dev1",
          counters: {
            counter: [
              { type: { "#text": "label.new.records", desc: "New" }, value: "12" },
              { type: "x", value: "<3>" },
            ],
          },
          alert: "",
          link: "",
        },
      },
    });
  });

  it("reads the text a front delivered as the bytes decode, a lone surrogate as U+FFFD", async () => {
    const text = "<webhook><action>BIB</action><title>a\ud800b</title></webhook>";
    const fromBytes = await parseXmlBody(Buffer.from(text, "utf8"));
    expect(await parseXmlBody(Buffer.from(text, "utf8"), text)).to.deep.equal(fromBytes);
    expect(fromBytes).to.deep.include({ ok: true });
    expect((fromBytes as unknown as { payload: { title: string } }).payload.title).to.equal("a\ufffdb");
    const plain = "\ufeff<webhook><action>BIB</action><title>é</title></webhook>";
    expect(await parseXmlBody(Buffer.from(plain, "utf8"), plain)).to.deep.equal(
      await parseXmlBody(Buffer.from(plain, "utf8")),
    );
  });

  it("leaves to fast-xml-parser what is outside the subset", () => {
    for (const text of [
      "<a><!-- c --></a>",
      "<a><![CDATA[x]]></a>",
      "<a>&#65;</a>",
      "<a>&nbsp;</a>",
      "<a>x\r\ny</a>",
      "<a>t<b>1</b>u</a>",
      '<a x="1"><x>2</x></a>',
      '<a x="1" x="2"/>',
      '<a x="1"y="2"/>',
      '<a x="<"/>',
      "<a><constructor>1</constructor></a>",
      "<a><toString>1</toString></a>",
      "<a>x</a >",
      "<a>x</a><b/>",
      " <?xml version='1.0'?><a/>",
      "<?pi x?><a/>",
      "text<a/>",
      "<a/>text",
      "<a>",
      "</a>",
      "<a></b>",
      "<é/>",
      `${"<a>".repeat(61)}${"</a>".repeat(61)}`,
    ]) {
      expect(parseXmlSubset(text), text).to.equal(undefined);
    }
  });

  it("agrees with fast-xml-parser on 3,000 generated documents and 21,000 mutations of them", async () => {
    const random = generator(0x5eed);
    let read = 0;
    let mutationsRead = 0;
    for (let n = 0; n < 3000; n++) {
      const text = `${random.pick(["", '<?xml version="1.0" encoding="UTF-8"?>', "\n"])}${documentOf(random)}`;
      if (agrees(text)) read += 1;
      let variant = text;
      for (let m = 0; m < 7; m++) {
        variant = mutated(random, variant);
        if (agrees(variant)) mutationsRead += 1;
      }
    }
    // Whole bodies: the same payload, or the same reason, as before.
    const bodies = generator(0xb0d1e5);
    for (let n = 0; n < 2000; n++) {
      let body = `<webhook><action>${bodies.pick(["BIB", "JOB_END"])}</action>${documentOf(bodies)}</webhook>`;
      if (bodies.int(2) === 0) body = mutated(bodies, body);
      expect(JSON.stringify(await parseXmlBody(Buffer.from(body))), body).to.equal(
        JSON.stringify(parseXmlBodyBefore(body)),
      );
    }
    // The subset is the common case: most generated documents are read by it, not handed on.
    expect(read).to.be.greaterThan(1500);
    expect(mutationsRead).to.be.greaterThan(500);
  });
});
