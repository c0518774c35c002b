#!/usr/bin/env node
// Run after `changeset version` (`pnpm run version-packages` does both). Changesets rewrites the versions
// in package.json files; this carries them into the code that must agree with them:
// - packages/core/src/plugin/core-version.ts: CORE_VERSION = core's version;
// - each plugin's `coreRange: "..."`: its peerDependencies range for core (changesets moves that range
//   only when a core release leaves it, with onlyUpdatePeerDependentsWhenOutOfRange).
// test/core-version.spec.ts and `make check-packages` fail when these drift; this script keeps them aligned.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const readJson = (file) => JSON.parse(readFileSync(file, "utf8"));
const changed = [];

function rewrite(file, pattern, replacement) {
  const before = readFileSync(file, "utf8");
  const after = before.replace(pattern, replacement);
  if (after !== before) {
    writeFileSync(file, after);
    changed.push(relative(root, file));
  }
  return pattern.test(before);
}

const { version } = readJson(join(root, "packages/core/package.json"));
const versionFile = join(root, "packages/core/src/plugin/core-version.ts");
if (
  !rewrite(versionFile, /export const CORE_VERSION = "[^"]*";/, `export const CORE_VERSION = "${version}";`)
) {
  throw new Error(`${relative(root, versionFile)} no longer declares CORE_VERSION`);
}

for (const dir of readdirSync(join(root, "packages")).filter((d) => d.startsWith("plugin-"))) {
  const manifest = join(root, "packages", dir, "package.json");
  const peer = existsSync(manifest)
    ? readJson(manifest).peerDependencies?.["@alma-webhooks/core"]
    : undefined;
  if (peer === undefined) continue;
  const range = peer.replace(/^workspace:/, "");
  if (["*", "^", "~"].includes(range)) {
    console.warn(`packages/${dir}: peer range '${peer}' names no version; set coreRange by hand.`);
    continue;
  }
  const src = join(root, "packages", dir, "src");
  for (const file of readdirSync(src).filter((f) => f.endsWith(".ts"))) {
    rewrite(join(src, file), /coreRange: "[^"]*"/, `coreRange: "${range}"`);
  }
}

console.log(changed.length > 0 ? `Updated ${changed.join(", ")}.` : "Versions already in sync.");
