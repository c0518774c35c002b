#!/usr/bin/env node
// Type-checks the code blocks of packages/core/README.md marked `<!-- checked: NAME.ts -->` against the built
// package, as a project that installed it would import them (`@alma-webhooks/core`, `/node`, `/fetch`):
// the blocks are written side by side into a scratch folder inside the package, so that the package's own
// name resolves to it, and compiled with tsc. The Fetch and Lambda examples are then run: each must answer a
// challenge and refuse an unsigned POST. The JavaScript blocks marked `<!-- run: NAME.mjs -->` are run as
// pasted (ES modules) and must print what their comments say. Fails when a block is missing, does not
// compile or answers otherwise.
// Usage: node scripts/check-readme-examples.mjs (after tsc -b packages/core).
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const core = join(root, "packages/core");
const REQUIRED = ["handlers.ts", "lambda-handler.ts", "router.ts", "node-server.ts", "fetch-server.ts"];
const blocks = [
  ...readFileSync(join(core, "README.md"), "utf8").matchAll(
    /<!-- checked: (\S+) -->\n```ts\n([\s\S]*?)\n```/g,
  ),
];
const runnable = [
  ...readFileSync(join(core, "README.md"), "utf8").matchAll(
    /<!-- run: (\S+\.mjs) -->\n```js\n([\s\S]*?)\n```/g,
  ),
];
if (runnable.length === 0) {
  console.error("packages/core/README.md: no runnable block (<!-- run: NAME.mjs -->)");
  process.exit(1);
}
const names = blocks.map(([, name]) => name);
const missing = REQUIRED.filter((name) => !names.includes(name));
if (missing.length > 0) {
  console.error(`packages/core/README.md: no checked block for ${missing.join(", ")}`);
  process.exit(1);
}
const scratch = join(core, ".readme-examples");
rmSync(scratch, { recursive: true, force: true });
mkdirSync(scratch);
try {
  for (const [, name, code] of blocks) writeFileSync(join(scratch, name), `${code}\n`);
  const tsconfig = {
    extends: "../../../tsconfig.base.json",
    compilerOptions: {
      outDir: "out",
      rootDir: ".",
      composite: false,
      incremental: false,
      declaration: false,
      declarationMap: false,
      sourceMap: false,
      types: ["node"],
    },
    include: ["*.ts"],
  };
  writeFileSync(join(scratch, "tsconfig.json"), JSON.stringify(tsconfig));
  execFileSync(join(root, "node_modules/.bin/tsc"), ["-p", scratch], { stdio: "inherit" });
  process.env.ALMA_CHALLENGE_SECRET = "readme-secret";
  const { handleWebhook } = await import(pathToFileURL(join(scratch, "out/fetch-server.js")).href);
  const challenge = await handleWebhook(new Request("http://localhost/alma/webhook?challenge=readme"));
  const unsigned = await handleWebhook(
    new Request("http://localhost/alma/webhook", { method: "POST", body: "{}" }),
  );
  const answers = `${challenge.status} ${await challenge.text()}, ${unsigned.status}`;
  if (answers !== "200 readme, 401") throw new Error(`the Fetch example answered ${answers}`);
  const { handler } = await import(pathToFileURL(join(scratch, "out/lambda-handler.js")).href);
  const event = (method, extra = {}) => ({ version: "2.0", requestContext: { http: { method } }, ...extra });
  const lambdaChallenge = await handler(event("GET", { queryStringParameters: { challenge: "readme" } }));
  const lambdaUnsigned = await handler(event("POST", { body: "{}" }));
  const lambda = `${lambdaChallenge.statusCode} ${lambdaChallenge.body}, ${lambdaUnsigned.statusCode}`;
  if (lambda !== "200 readme, 401") throw new Error(`the Lambda example answered ${lambda}`);
  // The JavaScript blocks marked `<!-- run: NAME.mjs -->` run as pasted, as ES modules, and print what
  // their comments say (the ajv one: the published loan schema, compiled alone in strict mode).
  for (const [, name, code] of runnable) {
    writeFileSync(join(scratch, name), `${code}\n`);
    const printed = execFileSync(process.execPath, [join(scratch, name)], { encoding: "utf8" }).trim();
    const expected = [...code.matchAll(/\/\/ (.+)$/gm)].map(([, comment]) => comment.trim()).join("\n");
    if (printed !== expected)
      throw new Error(`${name} printed ${JSON.stringify(printed)}, not ${JSON.stringify(expected)}`);
  }
  console.log(
    `README examples compile (${names.join(", ")}); the Fetch and Lambda examples answer: ${answers}; ${runnable.map(([, name]) => name).join(", ")} ran as pasted`,
  );
} catch (error) {
  console.error(`packages/core/README.md: a checked example fails: ${error.message}`);
  process.exitCode = 1;
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
