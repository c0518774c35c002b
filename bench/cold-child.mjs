// A cold start: import the bundle, handle one event (JSON on argv[3]), report on fd 3, exit.
import { writeSync } from "node:fs";

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
