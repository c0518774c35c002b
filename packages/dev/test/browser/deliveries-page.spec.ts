import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import type { BrowserContext, Page } from "playwright-core";
import { deliver } from "../../src/cli/send.js";
import { DEV_SECRET } from "../../src/local/defaults.js";
import { samplePayloads } from "../../src/local/pipelines.js";
import { type LocalRun, startLocalRun } from "../../src/local/run.js";
import { readWebhooks } from "../../src/local/webhook-journal.js";

// The deliveries page in a real browser: Debian's Chromium, headless, driven by playwright-core (no browser
// download). Without /usr/bin/chromium (apt-get install -y chromium) the suite says so and skips;
// .ci/run installs it, so CI runs it.

/** Where Debian installs Chromium; CHROMIUM_PATH overrides it. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Chromium with nothing of its own on the network: no update, sync, QUIC or first-run fetches. */
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const sample = (name: string): Buffer => {
  const found = samplePayloads().find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no sample ${name}`);
  return found.body;
};

// What the functions run in the page use of the DOM: this package compiles without the DOM library.
interface DomNode {
  readonly id: string;
  readonly tagName: string;
  readonly nodeType: number;
  readonly childNodes: Iterable<DomNode>;
  readonly parentElement: DomNode | null;
  readonly textContent: string | null;
  readonly hidden: boolean;
  readonly offsetParent: unknown;
  readonly outerHTML: string;
  readonly labels?: { readonly length: number } | null;
  getAttribute(name: string): string | null;
}
declare const document: {
  querySelector(selector: string): DomNode | null;
  querySelectorAll(selector: string): Iterable<DomNode> & { readonly length: number };
  readonly documentElement: { readonly scrollWidth: number };
  readonly activeElement: DomNode | null;
};
declare const navigator: { readonly clipboard: { readText(): Promise<string> } };
declare const window: { readonly __pwned?: number; readonly innerWidth: number };
declare function getComputedStyle(node: DomNode): {
  readonly color: string;
  readonly backgroundColor: string;
};

/**
 * The visible text whose contrast with its background is under WCAG AA (4.5:1): each element with text of
 * its own, its colour against the first opaque background behind it.
 */
const lowContrast = () => {
  const rgb = (css: string) => (css.match(/[\d.]+/g) ?? []).map(Number);
  const luminance = ([r = 0, g = 0, b = 0]: number[]) => {
    const [lr, lg, lb] = [r, g, b].map((c) => {
      const v = c / 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * (lr ?? 0) + 0.7152 * (lg ?? 0) + 0.0722 * (lb ?? 0);
  };
  const found: string[] = [];
  for (const node of document.querySelectorAll("body *")) {
    const own = [...node.childNodes].some((child) => child.nodeType === 3 && child.textContent?.trim());
    if (!own || node.offsetParent === null) continue;
    const style = getComputedStyle(node);
    let background = "rgba(0, 0, 0, 0)";
    for (let at: DomNode | null = node; at !== null; at = at.parentElement) {
      background = getComputedStyle(at).backgroundColor;
      if (!/rgba\(.*, 0\)$/.test(background)) break;
    }
    if (/rgba\(.*, 0\)$/.test(background)) background = "rgb(255, 255, 255)";
    const [a, b] = [luminance(rgb(style.color)), luminance(rgb(background))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) found.push(`${ratio.toFixed(2)} ${node.tagName} ${node.textContent?.slice(0, 40)}`);
  }
  return found;
};

/** The visible inputs, selects and buttons that have no name a screen reader could read (none, we hope). */
const unnamedControls = () =>
  [...document.querySelectorAll("input, select, button")]
    .filter((node) => !node.hidden && node.offsetParent !== null)
    .filter((node) => !node.getAttribute("aria-label") && !node.labels?.length && !node.textContent?.trim())
    .map((node) => node.outerHTML);

/** A body made to break out of any markup it is put into. */
const HOSTILE = Buffer.from(
  JSON.stringify({
    action: "LOAN</td><script>window.__pwned = 1</script>",
    event: { value: '<img src=x onerror="window.__pwned = 2">' },
    note: "</pre><script>window.__pwned = 3</script><b>bold?</b>",
  }),
);

describe("the deliveries page in a real browser (Chromium headless)", function () {
  this.timeout(120_000);
  let dir: string;
  let run: LocalRun;
  let context: BrowserContext;
  let page: Page;
  const saved = { ...process.env };
  const ids = { delivered: "", ignored: "", refused: "" };
  const external: string[] = [];

  const send = async (body: Buffer, secret: string | undefined = DEV_SECRET) =>
    deliver(`${run.url}/`, {
      kind: "post",
      body,
      contentType: "application/json",
      ...(secret === undefined ? {} : { secret }),
    });

  /** The id of the newest journalled webhook: what the page shows in its Id column. */
  const newestId = async () => {
    const { entries } = await readWebhooks(run.webhookJournalPath);
    return entries.at(-1)?.id ?? "";
  };

  const row = (id: string) => page.locator(`tbody tr[data-id="${id}"]`);

  /** Clicks a webhook's id and waits for its story (not the one open before) to show. */
  const openStory = async (id: string) => {
    await page.getByRole("button", { name: new RegExp(`^Open webhook ${id}`) }).click();
    await page.locator("#story-title").getByText(`Webhook ${id}:`).waitFor();
  };

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.log(
        `      skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH); .ci/run installs it`,
      );
      this.skip();
    }
    dir = await mkdtemp(join(tmpdir(), "alma-page-"));
    const env: NodeJS.ProcessEnv = {
      PORT: "0",
      ALMA_LOCAL_JOURNAL: join(dir, "executions.jsonl"),
      POWERTOOLS_LOG_LEVEL: "SILENT",
    };
    run = await startLocalRun({ env, out: () => {}, cwd: dir });
    // The SDK reads its endpoints from process.env itself.
    for (const [name, value] of Object.entries(env)) if (name.startsWith("AWS_")) process.env[name] = value;
    const { chromium } = await import("playwright-core");
    context = await chromium.launchPersistentContext(await mkdtemp(join(dir, "profile-")), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1366, height: 900 },
      acceptDownloads: true,
    });
    page = context.pages()[0] ?? (await context.newPage());
    // Anything but this server is refused and noted: the page works offline.
    await page.route(
      (url) => url.origin !== run.url,
      (route) => {
        external.push(route.request().url());
        return route.abort();
      },
    );

    // Three webhooks, as Alma would send them: one delivered, one no route takes, one refused (an old secret).
    expect((await send(sample("ppod-1.json"))).status).to.equal(200);
    ids.delivered = await newestId();
    expect(
      (await send(Buffer.from(JSON.stringify({ action: "LOAN", event: { value: "LOAN_CREATED" } })))).status,
    ).to.equal(200);
    ids.ignored = await newestId();
    expect((await send(sample("timdex-1.json"), "an-old-secret")).status).to.equal(401);
    ids.refused = await newestId();
  });

  after(async () => {
    await context?.close();
    await run?.close();
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("lists the three webhooks newest first, each with its time, kind, answer, decisions, duration and id", async () => {
    const response = await page.goto(`${run.url}/_/deliveries`);
    expect(response?.headers()["content-security-policy"]).to.match(/^default-src 'self'/);
    await page.locator("tbody tr").nth(2).waitFor();
    const rows = await page
      .locator("tbody tr")
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-id")));
    expect(rows).to.deep.equal([ids.refused, ids.ignored, ids.delivered]);
    const text = (id: string) => row(id).textContent();
    expect(await text(ids.refused)).to.match(
      /TIMDEX.*\(unverified\)[\s\S]*401 refused[\s\S]*X-Exl-Signature does not match/,
    );
    expect(await text(ids.ignored)).to.match(/LOAN\.LOAN_CREATED[\s\S]*200 ignored/);
    expect(await text(ids.delivered)).to.match(
      /200 delivered[\s\S]*PPOD[\s\S]*started[\s\S]*ppod-local[\s\S]*\d+ ms/,
    );
    expect(await row(ids.delivered).locator("time").getAttribute("datetime")).to.match(/^\d{4}-\d\d-\d\dT/);
    expect(await page.locator("#count").textContent()).to.equal("(3)");
  });

  it("opens the refused webhook to its story: answer, reason, body received pretty-printed", async () => {
    await page.getByRole("button", { name: new RegExp(`^Open webhook ${ids.refused}`) }).click();
    const story = page.locator("#story");
    await story.waitFor({ state: "visible" });
    expect(await page.locator("#story-title").textContent()).to.include(`Webhook ${ids.refused}`);
    const facts = await page.locator("#story-facts").textContent();
    expect(facts)
      .to.match(/Answer\s*401 refused/)
      .and.match(/Outcome\s*unauthorized/);
    expect(facts).to.include("X-Exl-Signature does not match the secret");
    expect(await page.locator("#story-answer").textContent()).to.include("Unable to validate signature");
    const body = await page.locator("#story-body").textContent();
    // Pretty-printed: one field a line, indented.
    expect(body).to.match(/^\{\n {2}"/);
    expect(JSON.parse(body ?? "")).to.deep.equal(JSON.parse(sample("timdex-1.json").toString("utf8")));
  });

  it("redelivers it after a confirmation: the result is shown and the list turns it delivered", async () => {
    await page.locator("#redeliver-one").click();
    const dialog = page.getByRole("dialog", { name: "Redeliver this webhook?" });
    await dialog.waitFor();
    expect(await dialog.textContent()).to.include(ids.refused);
    await page.getByRole("button", { name: "Redeliver", exact: true }).last().click();
    await page.locator(`#results [data-result="${ids.refused}"]`).waitFor();
    expect(await page.locator("#results").textContent()).to.match(
      new RegExp(`${ids.refused}: 200 delivered`),
    );
    await row(ids.refused)
      .getByText(/redelivered as \w+: delivered/)
      .waitFor();
    const redelivery = await newestId();
    expect(await row(redelivery).textContent()).to.match(/200 delivered[\s\S]*TIMDEX[\s\S]*started/);
    expect(await row(redelivery).textContent()).to.include(`redelivery of ${ids.refused}`);
    // The same bytes under the same identity: sent again, the target recognises it and nothing repeats.
    const { entries } = await readWebhooks(run.webhookJournalPath);
    expect(entries.at(-1)?.redeliveryOf).to.equal(ids.refused);
  });

  it("shows a repeat the target recognised as a duplicate, not as delivered", async () => {
    await row(ids.delivered).getByRole("checkbox").check();
    await page.getByRole("button", { name: "Redeliver selected (1)" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Redeliver" }).click();
    await page.locator(`#results [data-result="${ids.delivered}"]`).waitFor();
    const results = await page.locator("#results").textContent();
    expect(results).to.include(`${ids.delivered}: 200 duplicate`);
    const again = await newestId();
    await row(again).waitFor();
    expect(await row(again).textContent()).to.match(/200 duplicate[\s\S]*PPOD[\s\S]*duplicate/);
    expect(await row(again).textContent()).not.to.include("delivered");
  });

  it("redelivers a selection once the failing endpoint is fixed, and keeps the cancelled one untouched", async () => {
    // The local Step Functions endpoint fails every start: the pipeline cannot start, Alma would be told 5xx.
    run.endpoint?.injectFault({
      kind: "server-error",
      times: Number.POSITIVE_INFINITY,
      operation: "StartExecution",
    });
    expect((await send(sample("timdex-2.json"))).status).to.be.at.least(500);
    const failed = await newestId();
    expect((await send(sample("bursar-1.json"))).status).to.be.at.least(500);
    const failedToo = await newestId();
    run.endpoint?.clearFaults();
    // Auto-refresh brings them in while the page is open.
    await row(failedToo).waitFor({ timeout: 10_000 });
    expect(await row(failed).textContent()).to.match(/5\d\d error[\s\S]*TIMDEX[\s\S]*failed/);

    await page.getByRole("checkbox", { name: new RegExp(`^Select webhook ${failed}`) }).check();
    await page.getByRole("button", { name: "Redeliver selected (1)" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
    // The page says so when the dialog's close event comes, after the click: waited for, not raced.
    await page.locator("#status").getByText("Redelivery cancelled.", { exact: true }).waitFor();

    await page.getByRole("checkbox", { name: new RegExp(`^Select webhook ${failedToo}`) }).check();
    await page.getByRole("button", { name: "Redeliver selected (2)" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Redeliver" }).click();
    await page.locator(`#results [data-result="${failedToo}"]`).waitFor();
    const results = await page.locator("#results").textContent();
    expect(results).to.include(`${failed}: 200 delivered`).and.include(`${failedToo}: 200 delivered`);
    await page.locator("#status").getByText("Redelivered 2: 2 accepted, 0 not.", { exact: true }).waitFor();
    await row(failed)
      .getByText(/redelivered as \w+: delivered/)
      .waitFor();
  });

  it("filters: failed only, kind, plugin or route, id; the filters stay in the address", async () => {
    await page.getByLabel("Failed only").check();
    await page.waitForFunction(() => !document.querySelector("tbody .fate-delivered"));
    const fates = await page.locator("tbody .badge[class*=fate-]").allTextContents();
    expect(fates.length).to.be.greaterThan(0);
    for (const fate of fates) expect(fate).to.match(/refused|error/);
    expect(page.url()).to.include("failed=1");
    await page.getByLabel("Failed only").uncheck();

    await page.getByLabel("Kind").fill("loan");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForFunction(() => document.querySelectorAll("tbody tr").length === 1);
    expect(await row(ids.ignored).isVisible()).to.equal(true);

    await page.getByLabel("Kind").fill("");
    await page.getByLabel("Plugin or route").fill("ppod");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForFunction(() =>
      [...document.querySelectorAll("tbody td.kind")].every((td) => td.textContent?.includes("PPOD")),
    );
    for (const kind of await page.locator("tbody td.kind").allTextContents()) expect(kind).to.include("PPOD");

    await page.getByLabel("Plugin or route").fill("");
    await page.getByLabel("Id", { exact: true }).fill(ids.refused);
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForFunction(() => document.querySelectorAll("tbody tr").length === 1);
    expect(await row(ids.refused).isVisible()).to.equal(true);

    await page.getByLabel("Since").fill("yesterday-ish");
    await page.getByRole("button", { name: "Apply" }).click();
    await page
      .locator("#status")
      .getByText(/--since takes a duration/)
      .waitFor();
    await page.getByRole("button", { name: "Clear" }).click();
    await page.waitForFunction(() => document.querySelectorAll("tbody tr").length > 3);
  });

  it("works from the keyboard (Tab to a webhook, Enter opens its story, Escape closes it), with labels and contrast", async () => {
    await page
      .locator("#close-story")
      .click()
      .catch(() => {});
    // From the row's checkbox, Tab reaches the webhook's button: nothing else in a row takes focus.
    await row(ids.ignored).getByRole("checkbox").focus();
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-focus"))).to.equal(
      `open:${ids.ignored}`,
    );
    await page.keyboard.press("Enter");
    await page.locator("#story").waitFor({ state: "visible" });
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal("story-title");
    await page.keyboard.press("Escape");
    await page.locator("#story").waitFor({ state: "hidden" });
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-focus"))).to.equal(
      `open:${ids.ignored}`,
    );
    // Every control has a name a screen reader reads.
    const unnamed = await page.evaluate(unnamedControls);
    expect(unnamed).to.deep.equal([]);
    // Every text, badges and notes included, at WCAG AA contrast or better.
    expect(await page.evaluate(lowContrast)).to.deep.equal([]);
    // Readable on a laptop: at 1280 × 720 nothing needs a horizontal scroll.
    await page.setViewportSize({ width: 1280, height: 720 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).to.equal(
      true,
    );
    await page.setViewportSize({ width: 1366, height: 900 });
  });

  it("downloads and copies the body as received", async () => {
    await openStory(ids.delivered);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.locator("#download-body").click(),
    ]);
    expect(download.suggestedFilename()).to.equal(`webhook-${ids.delivered}.json`);
    expect(await readFile((await download.path()) as string)).to.deep.equal(sample("ppod-1.json"));
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: run.url });
    await page.locator("#copy-body").click();
    await page
      .locator("#status")
      .getByText(/^Copied the body/)
      .waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).to.equal(
      sample("ppod-1.json").toString("utf8"),
    );
  });

  it("sends a sample from the page", async () => {
    await page.getByLabel("Sample").selectOption("loan.json");
    await page.getByRole("button", { name: "Send sample" }).click();
    await page.locator('#results [data-result="loan.json"]').waitFor();
    expect(await page.locator("#results").textContent()).to.include("loan.json: 200 ignored");
    await page.locator("tbody tr").first().getByText("LOAN.LOAN_CREATED").waitFor();
  });

  it("shows a body carrying <script> as text: nothing of it runs or becomes markup", async () => {
    expect((await send(HOSTILE)).status).to.equal(200);
    const hostile = await newestId();
    await row(hostile).waitFor({ timeout: 10_000 });
    expect(await row(hostile).locator("td.kind").textContent()).to.equal(
      'LOAN</td><script>window.__pwned = 1</script>.<img src=x onerror="window.__pwned = 2">',
    );
    await openStory(hostile);
    expect(await page.locator("#story-body").textContent()).to.include(
      '"note": "</pre><script>window.__pwned = 3</script><b>bold?</b>"',
    );
    expect(await page.evaluate(() => window.__pwned)).to.equal(undefined);
    // The only script is the page's own; no element came from the body.
    expect(await page.locator("script").count()).to.equal(1);
    expect(await page.locator("main img, main b").count()).to.equal(0);

    if (process.env.ALMA_PAGE_SCREENSHOT) {
      await openStory(ids.refused);
      await page.screenshot({ path: process.env.ALMA_PAGE_SCREENSHOT, fullPage: true });
    }
  });

  it("fetched nothing but its own server", () => {
    expect(external).to.deep.equal([]);
  });
});
