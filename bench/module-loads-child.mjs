// One cold start (bench/module-loads.mjs): import the bundle, handle one event (JSON on argv[3]), and report
// on fd 3 the Node built-ins (process.moduleLoadList) the import and the request each loaded.
import { writeSync } from "node:fs";

const [bundle, eventJson] = process.argv.slice(2);
const before = new Set(process.moduleLoadList);
const { handler } = await import(bundle);
const imported = new Set(process.moduleLoadList);
const response = await handler(JSON.parse(eventJson));
writeSync(
  3,
  JSON.stringify({
    statusCode: response.statusCode,
    body: response.body,
    onImport: [...imported].filter((name) => !before.has(name)),
    onRequest: process.moduleLoadList.filter((name) => !imported.has(name)),
  }),
);
process.exit(0);
