// Child-process runner: imports a handler module (the bundle, or compiled sources), calls `handler` with
// each event given as JSON on argv[3], and prints the responses as one JSON line. With `--exploding`
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
for (const event of events) responses.push(await handler(event));
process.stdout.write(`RESPONSES ${JSON.stringify(responses)}\n`);
