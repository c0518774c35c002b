// A cold start: import the bundle, handle one event (JSON on argv[3]), report on fd 3, exit.
// node:fs is taken with process.getBuiltinModule, not imported: on Node 22 the ES module face of a built-in
// reads every export when first imported, and fs's lazy ReadStream getter loads node:stream and its family
// (about 7 ms on Node 22 here), a cost of this harness, not of the handler it measures. Whatever the handler
// loads (process.stdout's stream for its log lines, say) it still pays for.
const { writeSync } = process.getBuiltinModule("node:fs");

const [bundle, eventJson] = process.argv.slice(2);
const { handler } = await import(bundle);
const response = await handler(JSON.parse(eventJson));
writeSync(
  3,
  JSON.stringify({
    statusCode: response.statusCode,
    body: response.body,
    maxRssKiB: process.resourceUsage().maxRSS,
  }),
);
process.exit(0);
