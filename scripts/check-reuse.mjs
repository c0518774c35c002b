#!/usr/bin/env node
// Core as a reuser gets it: packs @alma-webhooks/core as `pnpm publish` would and, in fresh npm projects that
// install the tarball (and a compiler, or ajv) and nothing else:
//   - TypeScript 5.9 (tsc) and 7 (tsgo, @typescript/native-preview), skipLibCheck false, no @types/node:
//     scripts/reuse/typos.ts fails with exactly its three errors (two misspelled event names, TS2345; a
//     misspelled payload field, TS2551: TS2339 "does not exist" with the compiler's "did you mean"), scripts/reuse/accepted.ts (the loan id, a job end's status value,
//     the raw body, the Fetch and Lambda entries) compiles, and no error is in the library's type files; and
//     scripts/reuse/main-only.ts compiles under tsconfig.bare.json (the target's lib only: no DOM, no Node);
//   - plain ajv in strict mode compiles each published schema alone and validates a sample of its kind
//     (scripts/reuse/ajv-check.mjs).
// Needs the npm registry (the compilers and ajv); core must be built (tsc -b): `make check-reuse` does both.
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const fixtures = join(root, "scripts", "reuse");
const TYPESCRIPT = process.env.REUSE_TYPESCRIPT ?? "typescript@5.9.3";
const NATIVE_PREVIEW = process.env.REUSE_TSGO ?? "@typescript/native-preview@7.0.0-dev.20260707.2";
const AJV = "ajv@8";
/** What typos.ts must give, line by line: each misspelling's error and nothing else. */
const EXPECTED = [
  { file: "typos.ts", line: 5, code: "TS2345" },
  { file: "typos.ts", line: 6, code: "TS2345" },
  { file: "typos.ts", line: 7, code: "TS2551" },
];

const scratch = mkdtempSync(join(tmpdir(), "alma-webhooks-reuse-"));
const run = (command, args, cwd) =>
  execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
const failures = [];

run("pnpm", ["pack", "--pack-destination", scratch], join(root, "packages", "core"));
const tarball = join(
  scratch,
  readdirSync(scratch).find((file) => file.endsWith(".tgz")),
);

function project(name, files, dependencies) {
  const dir = join(scratch, name);
  mkdirSync(dir);
  writeFileSync(
    join(dir, "package.json"),
    `${JSON.stringify({ name, private: true, type: "module" }, null, 2)}\n`,
  );
  for (const file of files) copyFileSync(join(fixtures, file), join(dir, file));
  run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", tarball, ...dependencies], dir);
  return dir;
}

/** `file(line,col): error TSnnnn: text` lines of a compiler's plain output. */
function diagnosticsOf(output) {
  return output
    .split("\n")
    .map((line) => /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/.exec(line.trim()))
    .filter(Boolean)
    .map(([text, file, line, , code]) => ({ file, line: Number(line), code, text }));
}

const types = project(
  "reuse-types",
  ["tsconfig.json", "typos.ts", "accepted.ts", "tsconfig.bare.json", "main-only.ts"],
  [TYPESCRIPT, NATIVE_PREVIEW],
);
for (const [compiler, bin] of [
  [`TypeScript ${TYPESCRIPT.split("@").pop()} (tsc)`, "tsc"],
  [`TypeScript 7 (tsgo, ${NATIVE_PREVIEW})`, "tsgo"],
]) {
  const result = spawnSync(join(types, "node_modules", ".bin", bin), ["-p", ".", "--pretty", "false"], {
    cwd: types,
    encoding: "utf8",
  });
  const output = `${result.stdout}${result.stderr}`;
  const found = diagnosticsOf(output);
  console.log(`${compiler}, skipLibCheck false, no @types/node:`);
  for (const { text } of found) console.log(`  ${text}`);
  const library = found.filter(({ file }) => !["typos.ts", "accepted.ts"].includes(file));
  const accepted = found.filter(({ file }) => file === "accepted.ts");
  const typos = found
    .filter(({ file }) => file === "typos.ts")
    .map(({ file, line, code }) => ({ file, line, code }));
  if (library.length > 0)
    failures.push(`${compiler}: ${library.length} error(s) in the library's type files`);
  if (accepted.length > 0) failures.push(`${compiler}: accepted.ts does not compile`);
  if (JSON.stringify(typos) !== JSON.stringify(EXPECTED)) {
    failures.push(`${compiler}: typos.ts gave ${JSON.stringify(typos)}, not ${JSON.stringify(EXPECTED)}`);
  }
  if (found.length === 0) failures.push(`${compiler}: no diagnostics at all:\n${output}`);
  // The main entry alone under a bare configuration: no DOM, no Node types.
  const bare = spawnSync(
    join(types, "node_modules", ".bin", bin),
    ["-p", "tsconfig.bare.json", "--pretty", "false"],
    {
      cwd: types,
      encoding: "utf8",
    },
  );
  const bareFound = diagnosticsOf(`${bare.stdout}${bare.stderr}`);
  console.log(`  bare configuration (target lib only, types []), main entry: ${bareFound.length} error(s)`);
  for (const { text } of bareFound) console.log(`  ${text}`);
  if (bare.status !== 0)
    failures.push(`${compiler}: the main entry does not compile under tsconfig.bare.json`);
}

const schemas = project("reuse-schemas", ["ajv-check.mjs"], [AJV]);
const ajv = spawnSync(process.execPath, ["ajv-check.mjs"], { cwd: schemas, encoding: "utf8" });
console.log(`plain ajv (${AJV}), new Ajv2020({ strict: true }), each schema alone:`);
for (const line of `${ajv.stdout}${ajv.stderr}`.trim().split("\n")) console.log(`  ${line}`);
if (ajv.status !== 0)
  failures.push("a published schema does not compile alone in strict ajv, or misjudges its sample");

rmSync(scratch, { recursive: true, force: true });
if (failures.length > 0) {
  console.error(`\ncheck-reuse failed:\n${failures.map((failure) => `  - ${failure}`).join("\n")}`);
  process.exit(1);
}
console.log(
  "\ncheck-reuse: both compilers reject the three typos, accept the rest, and find nothing in core's types; every schema compiles alone in strict ajv.",
);
