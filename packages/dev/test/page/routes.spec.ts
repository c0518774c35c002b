import { expect } from "chai";
import { CliError } from "../../src/cli/io.js";
import { type LocalServer, type ServedRequest, startLocalServer } from "../../src/local/server.js";
import type { DeliveriesSource, DeliveryFilter } from "../../src/page/model.js";
import { deliveriesPages } from "../../src/page/routes.js";

/** A source that answers from fixed data and notes what it was asked. */
function fakeSource(mode: "local" | "deployed" = "local") {
  const asked: { filters: DeliveryFilter[]; redelivered: string[][]; samples: string[] } = {
    filters: [],
    redelivered: [],
    samples: [],
  };
  const source: DeliveriesSource = {
    mode,
    describe: "a fake",
    async list(filter) {
      asked.filters.push(filter);
      return [];
    },
    async story(id) {
      if (id === "boom") throw new CliError("the history is unreachable");
      return id === "a1b2c3d4"
        ? {
            id,
            time: "2026-12-07T10:00:00.000Z",
            kind: "LOAN.LOAN_CREATED",
            status: 200,
            fate: "ignored",
            reason: "",
            decisions: [],
            redeliverable: true,
            bodyFormat: "json",
            body: "{}",
          }
        : undefined;
    },
    async bodyBytes(id) {
      return id === "a1b2c3d4" ? { bytes: Buffer.from("<x/>"), contentType: "application/xml" } : undefined;
    },
    async redeliver(ids) {
      asked.redelivered.push([...ids]);
      return { results: ids.map((id) => ({ id, statusCode: 200, body: "ok", outcome: "handled" })) };
    },
    ...(mode === "local"
      ? {
          samples: () => ["loan.json"],
          async sendSample(name: string) {
            asked.samples.push(name);
            return { id: name, statusCode: 200, body: "ok", outcome: "handled" };
          },
        }
      : {}),
  };
  return { source, asked };
}

describe("the deliveries page's routes on the local server", () => {
  let server: LocalServer;
  let invoked: number;
  let served: ServedRequest[];
  let asked: ReturnType<typeof fakeSource>["asked"];

  const start = async (mode: "local" | "deployed" = "local") => {
    const fake = fakeSource(mode);
    asked = fake.asked;
    server = await startLocalServer({
      invoke: async () => {
        invoked += 1;
        return { statusCode: 200, body: "handler" };
      },
      pages: deliveriesPages(fake.source, { now: () => Date.parse("2026-12-07T12:00:00.000Z") }),
      onRequest: (request) => served.push(request),
    });
  };
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
    });

  beforeEach(() => {
    invoked = 0;
    served = [];
  });
  afterEach(async () => server.close());

  it("serves the page, its style and script from this server only, under a CSP of its own origin", async () => {
    await start();
    const page = await fetch(`${server.url}/_/deliveries`);
    expect(page.status).to.equal(200);
    expect(page.headers.get("content-type")).to.equal("text/html; charset=utf-8");
    expect(page.headers.get("content-security-policy")).to.match(/^default-src 'self';/);
    expect(page.headers.get("x-content-type-options")).to.equal("nosniff");
    expect(page.headers.get("x-frame-options")).to.equal("DENY");
    const html = await page.text();
    expect(html).to.include('<script src="/_/deliveries.js" defer></script>');
    // No inline script or style, and nothing from another host.
    expect(html).not.to.match(/<script>|<style|style="|https?:\/\//i);
    for (const [path, type] of [
      ["/_/deliveries.js", "text/javascript"],
      ["/_/deliveries.css", "text/css"],
      ["/_/favicon.svg", "image/svg+xml"],
    ] as const) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.headers.get("content-type")).to.include(type);
      expect(await response.text()).not.to.match(/https?:\/\/(?!www\.w3\.org)/);
    }
    const script = await (await fetch(`${server.url}/_/deliveries.js`)).text();
    expect(script).not.to.match(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/);
    // The page's requests are not webhooks: the handler never sees them, the journal never lists them.
    expect(invoked).to.equal(0);
    expect(served).to.deep.equal([]);
    expect((await fetch(`${server.url}/`)).status).to.equal(200);
    expect(invoked).to.equal(1);
  });

  it("lists with the page's filters, opens a story, and downloads a body as an attachment", async () => {
    await start();
    const list = await (await fetch(`${server.url}/_/api/deliveries?failed=1&since=1h&kind=LOAN`)).json();
    expect(list).to.deep.equal({
      mode: "local",
      source: "a fake",
      refreshSeconds: 2,
      samples: ["loan.json"],
      deliveries: [],
    });
    expect(asked.filters).to.deep.equal([
      { failedOnly: true, since: "2026-12-07T11:00:00.000Z", kind: "LOAN" },
    ]);
    expect((await fetch(`${server.url}/_/api/deliveries?since=later`)).status).to.equal(400);

    expect(await (await fetch(`${server.url}/_/api/deliveries/a1b2c3d4`)).json()).to.include({
      kind: "LOAN.LOAN_CREATED",
    });
    const missing = await fetch(`${server.url}/_/api/deliveries/nope`);
    expect([missing.status, await missing.json()]).to.deep.equal([404, { error: "No webhook 'nope'" }]);
    expect((await fetch(`${server.url}/_/api/deliveries/boom`)).status).to.equal(502);

    const body = await fetch(`${server.url}/_/api/deliveries/a1b2c3d4/body`);
    expect(body.headers.get("content-type")).to.equal("application/octet-stream");
    expect(body.headers.get("content-disposition")).to.equal('attachment; filename="webhook-a1b2c3d4.xml"');
    expect(await body.text()).to.equal("<x/>");
    expect((await fetch(`${server.url}/_/api/deliveries/nope/body`)).status).to.equal(404);
    expect((await fetch(`${server.url}/_/nothing`)).status).to.equal(404);
    expect((await fetch(`${server.url}/_/deliveries`, { method: "DELETE" })).status).to.equal(405);
  });

  it("redelivers (C4): JSON ids in, results out; another origin, a form post or a bad body is refused", async () => {
    await start();
    const answer = await post("/_/redeliver", '{"ids":["a1b2c3d4"]}', { origin: server.url });
    expect(answer.status).to.equal(200);
    expect(await answer.json()).to.deep.equal({
      results: [{ id: "a1b2c3d4", statusCode: 200, body: "ok", outcome: "handled" }],
    });
    // A page of another site can post a form (text/plain) to 127.0.0.1 without asking: it is refused.
    expect((await post("/_/redeliver", '{"ids":["a"]}', { "content-type": "text/plain" })).status).to.equal(
      415,
    );
    expect((await post("/_/redeliver", '{"ids":["a"]}', { origin: "https://evil.example" })).status).to.equal(
      403,
    );
    expect((await post("/_/redeliver", '{"ids":["a"]}', { "sec-fetch-site": "cross-site" })).status).to.equal(
      403,
    );
    const bad = await post("/_/redeliver", '{"ids":"a"}');
    expect([bad.status, ((await bad.json()) as { error: string }).error]).to.deep.equal([
      400,
      'The body must name at least one webhook: {"ids": ["<webhook id>", ...]}',
    ]);
    expect(asked.redelivered).to.deep.equal([["a1b2c3d4"]]);
    expect(served).to.deep.equal([]);
  });

  it("sends a sample locally; a deployed stage's page has none", async () => {
    await start();
    const sent = await post("/_/api/samples", '{"name":"loan.json"}');
    expect(((await sent.json()) as { results: unknown[] }).results[0]).to.include({
      id: "loan.json",
      statusCode: 200,
    });
    expect((await post("/_/api/samples", '{"name":""}')).status).to.equal(400);
    expect((await post("/_/api/samples", "{")).status).to.equal(400);
    expect(asked.samples).to.deep.equal(["loan.json"]);
    await server.close();
    await start("deployed");
    expect((await post("/_/api/samples", '{"name":"loan.json"}')).status).to.equal(404);
    expect(
      ((await (await fetch(`${server.url}/_/api/deliveries`)).json()) as { refreshSeconds: number })
        .refreshSeconds,
    ).to.equal(30);
  });
});
