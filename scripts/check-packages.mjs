#!/usr/bin/env node
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, posix, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
// Packs every publishable package (or those named: node scripts/check-packages.mjs packages/plugin-x) the
// way `pnpm publish` would, and checks the tarballs: contents, source maps, exports (the files of a pattern
// export such as core's ./schemas/* too), workspace ranges, LICENSE, the plugins' peer range on core against
// core's version, then publint and attw (ESM-only profile).
// Expects the packages to be built (`tsc -b`); `make check-packages` builds them first.
import semver from "semver";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const readJson = (file) => JSON.parse(readFileSync(file, "utf8"));
const bin = (name) => join(root, "node_modules/.bin", name);
const run = (command, args, cwd = root) =>
  execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

const requested = process.argv.slice(2).map((dir) => join(root, dir));
const packageDirs = (
  requested.length > 0 ? requested : readdirSync(join(root, "packages")).map((d) => join(root, "packages", d))
)
  .filter((dir) => existsSync(join(dir, "package.json")))
  .filter((dir) => readJson(join(dir, "package.json")).private !== true);

const coreVersion = readJson(join(root, "packages/core/package.json")).version;
const license = readFileSync(join(root, "LICENSE"), "utf8");
const scratch = mkdtempSync(join(tmpdir(), "alma-webhooks-pack-"));
const failures = [];

// Which exported objects are plugins: what defineJobPlugin and defineEventPlugin return.
const isPlugin = (value) =>
  typeof value === "object" && value !== null && typeof value.buildExecution === "function";

function exportTargets(exportsField) {
  if (typeof exportsField === "string") return [exportsField];
  if (exportsField === null || typeof exportsField !== "object") return [];
  return Object.values(exportsField).flatMap(exportTargets);
}

async function check(dir) {
  const manifest = readJson(join(dir, "package.json"));
  const name = manifest.name;
  const problems = [];
  const destination = mkdtempSync(join(scratch, "pack-"));
  run("pnpm", ["pack", "--pack-destination", destination], dir);
  const tarball = join(
    destination,
    readdirSync(destination).find((file) => file.endsWith(".tgz")),
  );
  run("tar", ["-xzf", tarball, "-C", destination]);
  const unpacked = join(destination, "package");
  const files = run("tar", ["-tzf", tarball])
    .split("\n")
    .filter(Boolean)
    .map((file) => file.replace(/^package\//, ""));
  const has = (file) => files.includes(posix.normalize(file.replace(/^\.\//, "")));

  for (const required of ["package.json", "README.md", "LICENSE"]) {
    if (!has(required)) problems.push(`${required} is missing from the tarball`);
  }
  if (has("LICENSE") && readFileSync(join(unpacked, "LICENSE"), "utf8") !== license) {
    problems.push("LICENSE differs from the repository's LICENSE");
  }
  const stray = files.filter(
    (file) =>
      /(^|\/)(test|tests|coverage)\//.test(file) ||
      /\.(spec|test)\.[cm]?[jt]s$/.test(file) ||
      file.endsWith(".tsbuildinfo"),
  );
  if (stray.length > 0) problems.push(`tests or build leftovers are packed: ${stray.join(", ")}`);

  // Every source map must point at sources that are in the tarball: a map to a missing file breaks
  // debuggers and "go to definition" for whoever installs the package.
  for (const map of files.filter((file) => file.endsWith(".map"))) {
    const { sources = [] } = readJson(join(unpacked, map));
    for (const source of sources) {
      const resolved = posix.join(posix.dirname(map), source);
      if (!has(resolved)) problems.push(`${map} points at ${resolved}, which is not packed`);
    }
  }

  const packed = readJson(join(unpacked, "package.json"));
  for (const target of exportTargets(packed.exports)) {
    if (target.includes("*")) continue; // a pattern: its files are checked below
    if (!has(target)) problems.push(`exports target ${target} is not packed`);
  }
  // Files published under a pattern export ("./schemas/*": core's JSON Schemas): every one in the
  // repository is packed, is JSON, and a schema among them has its $id.
  for (const [subpath, target] of Object.entries(packed.exports ?? {})) {
    if (typeof target !== "string" || !target.endsWith("/*")) continue;
    const folder = target.slice(2, -2);
    const expected = existsSync(join(dir, folder)) ? readdirSync(join(dir, folder)) : [];
    if (expected.length === 0) problems.push(`exports ${subpath} publishes an empty or missing ${folder}/`);
    for (const file of expected) {
      const path = `${folder}/${file}`;
      if (!has(path)) problems.push(`${path} (exports ${subpath}) is not packed`);
      else if (file.endsWith(".json")) {
        try {
          const json = readJson(join(unpacked, path));
          if (file.endsWith(".schema.json") && typeof json.$id !== "string")
            problems.push(`${path} has no $id`);
        } catch (error) {
          problems.push(`${path} is not JSON: ${error.message}`);
        }
      }
    }
  }
  for (const field of ["dependencies", "peerDependencies", "optionalDependencies"]) {
    for (const [dep, range] of Object.entries(packed[field] ?? {})) {
      if (String(range).startsWith("workspace:")) problems.push(`${field}.${dep} still reads '${range}'`);
    }
  }
  for (const field of ["license", "repository", "engines", "files", "exports", "keywords"]) {
    if (packed[field] === undefined) problems.push(`package.json has no '${field}'`);
  }
  if (packed.publishConfig?.access !== "public") problems.push("publishConfig.access is not 'public'");
  if (packed.type !== "module") problems.push("package.json 'type' is not 'module'");

  // A plugin, or aws: core is a peer dependency (its one declaration of the core it works with), and this core
  // satisfies the published range.
  if (name !== "@alma-webhooks/core") {
    const peer = packed.peerDependencies?.["@alma-webhooks/core"];
    if (peer === undefined) problems.push("@alma-webhooks/core is not a peer dependency");
    else if (!semver.satisfies(coreVersion, peer)) {
      problems.push(`the peer range for core '${peer}' excludes core ${coreVersion}`);
    }
    if (packed.dependencies?.["@alma-webhooks/core"] !== undefined) {
      problems.push("@alma-webhooks/core is a dependency: make it a peer dependency (and a dev dependency)");
    }
    if (name.startsWith("@alma-webhooks/plugin-")) {
      const module = await import(pathToFileURL(join(dir, "dist/src/index.js")).href);
      if (Object.values(module).filter(isPlugin).length === 0) problems.push("exports no plugin");
    }
  }

  const tools = [
    ["publint", [bin("publint"), "run", tarball, "--strict"]],
    ["attw", [bin("attw"), tarball, "--profile", "esm-only", "--no-emoji", "--no-color"]],
  ];
  const reports = [];
  for (const [tool, [command, ...args]] of tools) {
    try {
      const lines = run(command, args).trim().split("\n");
      const summary =
        tool === "attw" ? lines.find((line) => line.includes("ignoring resolutions")) : lines.at(-1);
      reports.push(`${tool}: ${(summary ?? "ok").trim()}`);
    } catch (error) {
      problems.push(`${tool} failed:\n${error.stdout ?? ""}${error.stderr ?? ""}`);
    }
  }

  const label = `${name}@${packed.version} (${files.length} files, ${relative(root, dir)})`;
  if (problems.length === 0) {
    console.log(`ok   ${label}`);
    for (const report of reports) console.log(`     ${report}`);
  } else {
    console.log(`FAIL ${label}`);
    for (const problem of problems) console.log(`     - ${problem}`);
    failures.push(name);
  }
}

try {
  if (packageDirs.length === 0) throw new Error("no publishable package found");
  for (const dir of packageDirs) await check(dir);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
if (failures.length > 0) {
  console.error(`\n${failures.length} package(s) failed the checks: ${failures.join(", ")}`);
  process.exit(1);
}
console.log(`\n${packageDirs.length} package(s) ready to publish.`);
