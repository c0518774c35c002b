#!/usr/bin/env node
// Writes dist/lambda.zip from the bundle (entry points and chunks) with fflate, no zip binary needed.
// Reproducible: entries in the order given (a directory's files sorted by name), every entry dated
// 1980-01-01 00:00 (the earliest DOS date) and marked as a Unix regular file, mode 0644.
// Usage: node scripts/zip.mjs <out.zip> <base dir> <file or dir>...
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { zipSync } from "fflate";

const [out, base, ...inputs] = process.argv.slice(2);
if (!out || !base || inputs.length === 0) {
  console.error("usage: zip.mjs <out.zip> <base dir> <file or dir>...");
  process.exit(2);
}

const files = (path) =>
  statSync(path).isDirectory()
    ? readdirSync(path)
        .sort()
        .flatMap((name) => files(join(path, name)))
    : [path];

// Local time on purpose: ZIP stores DOS dates without a zone, and fflate reads the Date's local fields.
const ENTRY = { level: 9, mtime: new Date(1980, 0, 1, 0, 0, 0), os: 3, attrs: (0o100644 << 16) >>> 0 };
const entries = {};
for (const path of inputs.flatMap((input) => files(join(base, input)))) {
  entries[relative(base, path).split("\\").join("/")] = [readFileSync(path), ENTRY];
}
const archive = zipSync(entries);
writeFileSync(out, archive);
console.log(`${out}: ${Object.keys(entries).length} files, ${archive.length} bytes`);
