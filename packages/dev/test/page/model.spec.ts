import { expect } from "chai";
import type { JournalDecision } from "../../src/local/webhook-journal.js";
import { executionArnOf, fateOf, journalDecisionOf, markRepeats } from "../../src/local/webhook-line.js";
import {
  type DeliveryView,
  filterDeliveries,
  filterOf,
  idsOf,
  isFailed,
  presentBody,
  prettyXml,
} from "../../src/page/model.js";

const view = (overrides: Partial<DeliveryView>): DeliveryView => ({
  id: "a1b2c3d4",
  time: "2026-12-07T10:00:00.000Z",
  kind: "LOAN.LOAN_CREATED",
  status: 200,
  fate: "ignored",
  reason: "",
  decisions: [],
  redeliverable: true,
  ...overrides,
});

describe("deliveries page model", () => {
  const delivered = view({
    id: "11111111",
    time: "2026-12-07T09:00:00.000Z",
    kind: "Publishing Platform Job PPOD EXPORT to Dev1",
    fate: "delivered",
    identity: "20241106T144310-6219373120004761",
    decisions: [{ name: "PPOD", decision: "started", reason: "ppod-upload-x" }],
  });
  const refused = view({ id: "22222222", time: "2026-12-07T10:00:00.000Z", status: 401, fate: "refused" });
  const brokenRoute = view({
    id: "33333333",
    time: "2026-12-07T11:00:00.000Z",
    fate: "delivered",
    decisions: [
      { name: "LOANS", decision: "forwarded", reason: "m-1" },
      { name: "BIBS", decision: "failed", reason: "transient" },
    ],
  });
  const all = [brokenRoute, refused, delivered];

  it("keeps the failed ones: refused, errors, and a plugin or route that failed, refused or is broken", () => {
    expect(filterDeliveries(all, { failedOnly: true }).map((v) => v.id)).to.deep.equal([
      "33333333",
      "22222222",
    ]);
    expect(isFailed(view({ fate: "error" }))).to.equal(true);
    expect(isFailed(view({ decisions: [{ name: "X", decision: "broken", reason: "" }] }))).to.equal(true);
    expect(isFailed(view({ fate: "duplicate" }))).to.equal(false);
  });

  it("filters by since, kind (any case, part), plugin or route (whole name, any case) and id, identity or request id", () => {
    expect(filterDeliveries(all, { since: "2026-12-07T10:00:00.000Z" }).map((v) => v.id)).to.deep.equal([
      "33333333",
      "22222222",
    ]);
    expect(filterDeliveries(all, { kind: "ppod export" }).map((v) => v.id)).to.deep.equal(["11111111"]);
    expect(filterDeliveries(all, { plugin: "loans" }).map((v) => v.id)).to.deep.equal(["33333333"]);
    expect(filterDeliveries(all, { plugin: "LOAN" })).to.deep.equal([]);
    expect(filterDeliveries(all, { id: "2222" }).map((v) => v.id)).to.deep.equal(["22222222"]);
    expect(filterDeliveries(all, { id: "6219373120004761" }).map((v) => v.id)).to.deep.equal(["11111111"]);
    const requestIds: Record<string, string> = { "33333333": "33333333-aaaa-bbbb" };
    expect(
      filterDeliveries(all, { id: "aaaa-bbbb" }, (v) => requestIds[v.id]).map((v) => v.id),
    ).to.deep.equal(["33333333"]);
    expect(filterDeliveries(all, { kind: "  ", plugin: "", id: "" })).to.have.length(3);
  });

  it("reads the page's query, since as a duration or a date, and says what since takes", () => {
    const now = Date.parse("2026-12-07T12:00:00.000Z");
    expect(filterOf(new URLSearchParams("failed=1&since=2h&kind=LOAN&plugin=PPOD&id=a1"), now)).to.deep.equal(
      {
        failedOnly: true,
        since: "2026-12-07T10:00:00.000Z",
        kind: "LOAN",
        plugin: "PPOD",
        id: "a1",
      },
    );
    expect(filterOf(new URLSearchParams("since=2026-12-01"), now)).to.deep.equal({
      failedOnly: false,
      since: "2026-12-01T00:00:00.000Z",
    });
    expect(() => filterOf(new URLSearchParams("since=soon"), now)).to.throw(/--since takes a duration/);
  });

  it("pretty-prints JSON and XML, keeps text as received, and never shows binary", () => {
    expect(presentBody(Buffer.from('{"a":[1,{"b":"<c>"}]}'), "application/json")).to.deep.equal({
      format: "json",
      text: '{\n  "a": [\n    1,\n    {\n      "b": "<c>"\n    }\n  ]\n}',
    });
    expect(presentBody(Buffer.from("<a><b>1</b><c/></a>"), undefined)).to.deep.equal({
      format: "xml",
      text: "<a>\n  <b>1</b>\n  <c/>\n</a>",
    });
    expect(presentBody(Buffer.from("not json {"), "application/json")).to.deep.equal({
      format: "text",
      text: "not json {",
    });
    expect(presentBody(Buffer.from([0xff, 0xfe, 0x00]), "application/json").format).to.equal("binary");
    expect(presentBody(Buffer.alloc(0), undefined).format).to.equal("none");
  });

  it("indents XML with a declaration, comments, CDATA and text between elements", () => {
    const xml =
      '<?xml version="1.0"?><record><!-- c --><leader>01154cam</leader><datafield tag="245"><subfield code="a"><![CDATA[<b>x</b>]]></subfield>tail</datafield></record>';
    expect(prettyXml(xml).split("\n")).to.deep.equal([
      '<?xml version="1.0"?>',
      "<record>",
      "  <!-- c -->",
      "  <leader>01154cam</leader>",
      '  <datafield tag="245">',
      '    <subfield code="a">',
      "      <![CDATA[<b>x</b>]]>",
      "    </subfield>",
      "    tail",
      "  </datafield>",
      "</record>",
    ]);
    // An unbalanced close never indents below zero.
    expect(prettyXml("</a><b>1</b>")).to.equal("</a>\n<b>1</b>");
  });

  it("checks a redelivery request's ids", () => {
    expect(idsOf(Buffer.from('{"ids":[" a1 ","a1","b2"]}'))).to.deep.equal(["a1", "b2"]);
    expect(() => idsOf(Buffer.from("ids=a1"))).to.throw(/must be JSON/);
    expect(() => idsOf(Buffer.from('{"ids":[]}'))).to.throw(/at least one webhook/);
    expect(() => idsOf(Buffer.from('{"ids":[1]}'))).to.throw(/at least one webhook/);
    expect(() => idsOf(Buffer.from("null"))).to.throw(/at least one webhook/);
    const many = JSON.stringify({ ids: Array.from({ length: 101 }, (_, i) => `id-${i}`) });
    expect(() => idsOf(Buffer.from(many))).to.throw(/At most 100/);
  });
});

describe("a webhook's fate and its repeats", () => {
  const started = (execution: string): JournalDecision => ({
    name: "PPOD",
    decision: "started",
    reason: "x",
    execution,
  });

  it("words a webhook: error, refused, delivered, duplicate, ok, ignored", () => {
    expect(fateOf({ status: 503, decisions: [] })).to.equal("error");
    expect(fateOf({ status: 401, decisions: [] })).to.equal("refused");
    expect(fateOf({ status: 200, decisions: [started("a")] })).to.equal("delivered");
    expect(fateOf({ status: 200, decisions: [{ name: "P", decision: "duplicate", reason: "" }] })).to.equal(
      "duplicate",
    );
    expect(fateOf({ status: 200, decisions: [], outcome: "challenge" })).to.equal("ok");
    expect(fateOf({ status: 200, decisions: [], outcome: "not-job-end" })).to.equal("ignored");
  });

  it("marks a start or forward the target already had as a duplicate; another execution stays delivered", () => {
    const seen = new Set<string>();
    expect(markRepeats([started("arn:1")], seen)[0]?.decision).to.equal("started");
    const again = markRepeats([started("arn:1"), started("arn:2")], seen);
    expect(again.map((d) => d.decision)).to.deep.equal(["duplicate", "started"]);
    expect(again[0]?.reason).to.equal("x (the target already had it: nothing new)");
    const unnamed = { name: "PPOD", decision: "started", reason: "x" };
    expect(markRepeats([unnamed, unnamed], seen).map((d) => d.decision)).to.deep.equal([
      "started",
      "started",
    ]);
  });

  it("keeps a duplicate a duplicate, forwarded or not, and reads the execution ARN through one accessor", () => {
    expect(
      journalDecisionOf({
        plugin: "LOANS",
        decision: "duplicate",
        executionName: "n",
        forwarded: true,
        messageId: "m",
      }),
    ).to.deep.include({
      decision: "duplicate",
      reason: "m (already delivered: nothing new)",
      execution: "m",
    });
    expect(
      journalDecisionOf({
        plugin: "PPOD",
        decision: "started",
        executionName: "n",
        executionArn: "arn:aws:states:x:n",
      }),
    ).to.deep.include({ decision: "started", execution: "arn:aws:states:x:n" });
    expect(executionArnOf({ plugin: "PPOD", decision: "started", executionName: "n" })).to.equal(undefined);
    expect(executionArnOf({ executionArn: "" })).to.equal(undefined);
  });
});
