// Child-process runner: imports a handler module (the bundle, or compiled sources), calls `handler` with
// each event given as JSON on argv[3] (or moves the clock on, for `{ "$advanceClock": ms }`), and prints the
// responses as one JSON line. With `--exploding`
// it builds the handler from sources with a plugin that throws, to induce an unexpected error. Imports
// are dynamic so that a bundle run loads nothing but the bundle.
import { pathToFileURL } from "node:url";

type Handler = (event: unknown) => Promise<unknown>;

async function exploding(): Promise<Handler> {
  const { createWebhookHandler } = await import("../../src/webhook-handler.js");
  const { explodingPlugin } = await import("./exploding-plugin.js");
  return createWebhookHandler({ plugins: [explodingPlugin] });
}

const [target = "", eventsJson = "[]"] = process.argv.slice(2);
const events = JSON.parse(eventsJson) as unknown[];
const handler: Handler =
  target === "--exploding"
    ? await exploding()
    : ((await import(pathToFileURL(target).href)) as { handler: Handler }).handler;
const responses = [];
let offset = 0;
const wallClock = Date.now.bind(Date);
for (const event of events) {
  // `{ "$advanceClock": ms }` moves this process's clock on instead of waiting (a read again after 5 s).
  const advance = (event as { $advanceClock?: number } | null)?.$advanceClock;
  if (typeof advance !== "number") {
    responses.push(await handler(event));
    continue;
  }
  offset += advance;
  Date.now = () => wallClock() + offset;
}
process.stdout.write(`RESPONSES ${JSON.stringify(responses)}\n`);
