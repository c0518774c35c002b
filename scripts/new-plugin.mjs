#!/usr/bin/env node
// Scaffolds packages/plugin-<name> from templates/plugin: `make new-plugin NAME=<name>`.
// Copies the template (replacing template_name, TEMPLATE_NAME and TEMPLATE_CORE_RANGE in file names and
// contents), adds the package to the root tsconfig.json references, makes it a dependency of the lambda
// package (package.json and tsconfig.json references), links it into the workspace with pnpm (which updates
// pnpm-lock.yaml), formats it, adds the import and the list entry to the lambda's plugin list
// (packages/lambda/src/plugins.ts), compiles, and regenerates the configuration table: nothing is left to
// write by hand before make lint and make test pass.
// The tokens are plain identifiers so that the template stays valid TypeScript and formatters (Biome formats
// Markdown, where __name__ would become **name**) leave them alone.
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

// Lowercase words joined by '-': the package name (plugin-alma-analytics) and execution-name prefix; the
// TypeScript identifier is its camelCase (almaAnalyticsPlugin), the plugin's name its upper case with '_'
// (ALMA_ANALYTICS, at most 32 characters), so its job-name variable is ALMA_ALMA_ANALYTICS_EXPORT_JOB_NAME.
if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name) || name.length > 24) {
  fail(
    `NAME must be lowercase words of letters and digits joined by '-', starting with a letter, at most 24 characters (got '${name}'). Example: make new-plugin NAME=analytics or NAME=alma-analytics`,
  );
}
const NAME = name.toUpperCase().replaceAll("-", "_");
const camel = name.replace(/-([a-z0-9])/g, (_, letter) => letter.toUpperCase());
console.log(
  `new-plugin: package @alma-webhooks/plugin-${name}, export ${camel}Plugin, plugin ${NAME}, settings ALMA_${NAME}_EXPORT_JOB_NAME and ${NAME}_STATE_MACHINE_ARN`,
);
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
  ["TEMPLATE_CORE_RANGE", `^${coreVersion}`],
  ["template_namePlugin", `${camel}Plugin`],
  ["template_name", name],
  ["TEMPLATE_NAME", NAME],
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

// A project reference after the last plugin's (or core's), written as the file already writes them.
function addReference(tsconfigPath, reference, after) {
  const tsconfig = readFileSync(tsconfigPath, "utf8");
  const references = JSON.parse(tsconfig).references ?? [];
  if (references.some((ref) => ref.path === reference)) return;
  const lines = tsconfig.split("\n");
  let last = -1;
  lines.forEach((line, index) => {
    if (after.test(line)) last = index;
  });
  const shown = relative(root, tsconfigPath);
  if (last === -1) fail(`could not find where to add the reference in ${shown}; add it by hand.`);
  const indent = /^\s*/.exec(lines[last])?.[0] ?? "    ";
  // An element follows the new one (root: the lambda package) or it is the last one (lambda: a plugin).
  const followed = /^\s*\{/.test(lines[last + 1] ?? "");
  if (!lines[last].trimEnd().endsWith(",")) lines[last] = `${lines[last].trimEnd()},`;
  lines.splice(last + 1, 0, `${indent}{ "path": "${reference}" }${followed ? "," : ""}`);
  writeFileSync(tsconfigPath, lines.join("\n"));
}
addReference(
  join(root, "tsconfig.json"),
  `packages/plugin-${name}`,
  /"path":\s*"packages\/(core|plugin-[^"]*)"/,
);

// The lambda package routes to it: a workspace dependency, and a project reference so that its `tsc -b`
// builds the plugin first. Without these the one line in plugins.ts would not resolve.
const lambda = join(root, "packages/lambda");
addReference(join(lambda, "tsconfig.json"), `../plugin-${name}`, /"path":\s*"\.\.\/(core|plugin-[^"]*)"/);
const lambdaManifestPath = join(lambda, "package.json");
const lambdaManifest = JSON.parse(readFileSync(lambdaManifestPath, "utf8"));
const dependencies = { ...lambdaManifest.dependencies, [`@alma-webhooks/plugin-${name}`]: "workspace:*" };
lambdaManifest.dependencies = Object.fromEntries(
  Object.entries(dependencies).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
);
writeFileSync(lambdaManifestPath, `${JSON.stringify(lambdaManifest, null, 2)}\n`);

const run = (command, args) => execFileSync(command, args, { cwd: root, stdio: "inherit" });
// Link the new package into the workspace. Offline first: every dependency it needs is already in the store.
try {
  run("pnpm", ["install", "--offline", "--no-frozen-lockfile"]);
} catch {
  console.error("new-plugin: offline install failed; retrying with --prefer-offline");
  run("pnpm", ["install", "--prefer-offline", "--no-frozen-lockfile"]);
}
run("pnpm", [
  "exec",
  "biome",
  "check",
  "--write",
  "--log-level=error",
  relative(root, target),
  "tsconfig.json",
  "packages/lambda/tsconfig.json",
  "packages/lambda/package.json",
]);

// Route to it: the import among the other plugin imports (alphabetical by package name) and the plugin at
// the end of the deployedPlugins list, above its closing comment, as make lint accepts them.
const pluginsFile = "packages/lambda/src/plugins.ts";
const importLine = `import { ${camel}Plugin } from "@alma-webhooks/plugin-${name}";`;
{
  const file = join(root, pluginsFile);
  const lines = readFileSync(file, "utf8").split("\n");
  const from = (text) => /from "([^"]+)"/.exec(text)?.[1] ?? "";
  const pluginImports = lines.flatMap((text, i) =>
    text.startsWith("import ") && from(text).startsWith("@alma-webhooks/plugin-") ? [i] : [],
  );
  const imports = lines.flatMap((text, i) => (text.startsWith("import ") ? [i] : []));
  if (imports.length === 0) fail(`no import in ${pluginsFile}; add the plugin to it by hand.`);
  const before = pluginImports.find((i) => from(lines[i]) > from(importLine));
  lines.splice(before ?? (pluginImports.at(-1) ?? imports.at(-1)) + 1, 0, importLine);
  const close = lines.findIndex(
    (text, i) =>
      i > 0 && /^\];/.test(text) && lines.slice(0, i).some((l) => /export const deployedPlugins\b/.test(l)),
  );
  if (close === -1) fail(`no deployedPlugins list in ${pluginsFile}; add ${camel}Plugin to it by hand.`);
  // Above the list's closing comment when it has one (the last lines starting with //), else at its end.
  let at = close;
  while (/^\s*\/\//.test(lines[at - 1] ?? "")) at -= 1;
  lines.splice(at, 0, `  ${camel}Plugin,`);
  writeFileSync(file, lines.join("\n"));
}
run("pnpm", ["exec", "biome", "check", "--write", "--log-level=error", pluginsFile]);

// The configuration table lists every plugin's settings (make lint checks it): it reads the compiled list.
console.log("new-plugin: compiling (tsc -b) and regenerating the configuration table (make docs-config)");
run("pnpm", ["exec", "tsc", "-b"]);
run("node", ["scripts/config-table.mjs"]);

console.log(`
Created @alma-webhooks/plugin-${name} (plugin ${NAME}) in ${relative(root, target)}:
  ${created.sort().join("\n  ")}
added it to tsconfig.json, made it a dependency of the lambda package (packages/lambda/package.json and
tsconfig.json; pnpm-lock.yaml lists it), routed to it in ${pluginsFile}:

${importLine}
  ${camel}Plugin,   (the last entry of deployedPlugins)

and regenerated the configuration table (docs/configuration.md). The tree passes make lint and make test.
make run serves it with local defaults from its settings' examples; make send SAMPLE=${name} sends its
sample payload, make replay all of them. Edit src/${name}-plugin.ts (every TODO), its tests and README, and
add a changeset (pnpm changeset) for its first release.`);
