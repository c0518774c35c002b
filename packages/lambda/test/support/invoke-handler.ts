// Child-process runner: imports a handler module (the bundle, or compiled sources), calls `handler` with
// each event given as JSON on argv[3] (or moves the clock on, for `{ "$advanceClock": ms }`), and prints the
// responses as one JSON line, then the Node built-ins that the import and each event loaded (another line). With `--exploding`
// it builds the handler from sources with a plugin that throws, to induce an unexpected error. Imports
// are dynamic so that a bundle run loads nothing but the bundle.
import { pathToFileURL } from "node:url";

type Handler = (event: unknown) => Promise<unknown>;

async function exploding(): Promise<Handler> {
  const { createWebhookHandler } = await import("../../src/webhook-handler.js");
  const { explodingPlugin } = await import("./exploding-plugin.js");
  return createWebhookHandler({ plugins: [explodingPlugin] });
}

// The Node built-ins loaded since the last look (process.moduleLoadList), by name: "crypto", "net", …
// (An undocumented but long-standing list, not in @types/node.)
const loadList = (): readonly string[] => (process as unknown as { moduleLoadList: string[] }).moduleLoadList;
let seen = loadList().length;
function builtinsLoaded(): string[] {
  const names = loadList()
    .slice(seen)
    .filter((entry) => entry.startsWith("NativeModule "))
    .map((entry) => entry.slice("NativeModule ".length));
  seen = loadList().length;
  return names;
}

const [target = "", eventsJson = "[]"] = process.argv.slice(2);
const events = JSON.parse(eventsJson) as unknown[];
const handler: Handler =
  target === "--exploding"
    ? await exploding()
    : ((await import(pathToFileURL(target).href)) as { handler: Handler }).handler;
const builtins: { onImport: string[]; byEvent: string[][] } = { onImport: builtinsLoaded(), byEvent: [] };
const responses = [];
let offset = 0;
const wallClock = Date.now.bind(Date);
for (const event of events) {
  // `{ "$advanceClock": ms }` moves this process's clock on instead of waiting (a read again after 5 s).
  const advance = (event as { $advanceClock?: number } | null)?.$advanceClock;
  if (typeof advance !== "number") {
    responses.push(await handler(event));
    builtins.byEvent.push(builtinsLoaded());
    continue;
  }
  offset += advance;
  Date.now = () => wallClock() + offset;
}
process.stdout.write(`RESPONSES ${JSON.stringify(responses)}\nBUILTINS ${JSON.stringify(builtins)}\n`);
