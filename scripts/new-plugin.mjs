#!/usr/bin/env node
// Scaffolds packages/plugin-<name> from templates/plugin: `make new-plugin NAME=<name>`.
// Copies the template (replacing __name__, __NAME__ and __CORE_RANGE__ in file names and contents), adds
// the package to the root tsconfig.json references, links it into the workspace with pnpm (which updates
// pnpm-lock.yaml), formats it, and prints what to add to the lambda package.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const name = process.argv[2] ?? process.env.NAME ?? "";

function fail(message) {
  console.error(`new-plugin: ${message}`);
  process.exit(1);
}

// A lowercase word: it becomes the package name, a TypeScript identifier (<name>Plugin), the plugin's
// upper-case name (at most 32 characters) and an execution-name prefix.
if (!/^[a-z][a-z0-9]{0,23}$/.test(name)) {
  fail(
    `NAME must be one lowercase word of letters and digits, starting with a letter, at most 24 characters (got '${name}'). Example: make new-plugin NAME=analytics`,
  );
}
const NAME = name.toUpperCase();
const target = join(root, "packages", `plugin-${name}`);
if (existsSync(target)) fail(`${relative(root, target)} already exists; refusing to overwrite it.`);

// Plugin names label answers and executions, and two plugins with one name cannot be loaded together.
for (const dir of readdirSync(join(root, "packages"))) {
  const src = join(root, "packages", dir, "src");
  if (!dir.startsWith("plugin-") || !existsSync(src)) continue;
  for (const file of readdirSync(src)) {
    if (readFileSync(join(src, file), "utf8").includes(`name: "${NAME}"`)) {
      fail(`packages/${dir} already defines a plugin named '${NAME}'; choose another NAME.`);
    }
  }
}

const { version: coreVersion } = JSON.parse(readFileSync(join(root, "packages/core/package.json"), "utf8"));
const replacements = [
  ["__CORE_RANGE__", `^${coreVersion}`],
  ["__name__", name],
  ["__NAME__", NAME],
];
const substitute = (text) => replacements.reduce((out, [token, value]) => out.replaceAll(token, value), text);

const template = join(root, "templates/plugin");
const created = [];
function copy(from, to) {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const destination = join(to, substitute(entry.name));
    if (entry.isDirectory()) copy(source, destination);
    else {
      writeFileSync(destination, substitute(readFileSync(source, "utf8")));
      created.push(relative(root, destination));
    }
  }
}
copy(template, target);
copyFileSync(join(root, "LICENSE"), join(target, "LICENSE"));
created.push(relative(root, join(target, "LICENSE")));

// Root tsconfig.json: a reference after the last plugin, written as the file already writes them.
const tsconfigPath = join(root, "tsconfig.json");
const tsconfig = readFileSync(tsconfigPath, "utf8");
const reference = `packages/plugin-${name}`;
const references = JSON.parse(tsconfig).references ?? [];
if (!references.some((ref) => ref.path === reference)) {
  const lines = tsconfig.split("\n");
  let last = -1;
  lines.forEach((line, index) => {
    if (/"path":\s*"packages\/(core|plugin-[^"]*)"/.test(line)) last = index;
  });
  if (last === -1) fail("could not find where to add the reference in tsconfig.json; add it by hand.");
  const indent = /^\s*/.exec(lines[last])?.[0] ?? "    ";
  lines.splice(last + 1, 0, `${indent}{ "path": "${reference}" },`);
  writeFileSync(tsconfigPath, lines.join("\n"));
}

const run = (command, args) => execFileSync(command, args, { cwd: root, stdio: "inherit" });
// Link the new package into the workspace. Offline first: every dependency it needs is already in the store.
try {
  run("pnpm", ["install", "--offline", "--no-frozen-lockfile"]);
} catch {
  console.error("new-plugin: offline install failed; retrying with --prefer-offline");
  run("pnpm", ["install", "--prefer-offline", "--no-frozen-lockfile"]);
}
run("pnpm", ["exec", "biome", "check", "--write", "--log-level=error", relative(root, target)]);

console.log(`
Created @alma-webhooks/plugin-${name} (plugin ${NAME}) in ${relative(root, target)}:
  ${created.sort().join("\n  ")}
and added it to tsconfig.json; pnpm-lock.yaml now lists it.

Build and test it:
  pnpm exec tsc -b && pnpm --filter @alma-webhooks/plugin-${name} test

To route to it, add "@alma-webhooks/plugin-${name}": "workspace:*" to the dependencies of
packages/lambda/package.json, run pnpm install, and add this line to packages/lambda/src/plugins.ts
(then put ${name}Plugin in the jobPlugins list):

import { ${name}Plugin } from "@alma-webhooks/plugin-${name}";

Then: edit src/${name}-plugin.ts and the README, and add a changeset (pnpm changeset) for its first release.`);
