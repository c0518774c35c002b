#!/usr/bin/env node
// Lists every exported symbol of a TypeDoc JSON model (`typedoc --json`) whose comment has no @example.
// TypeDoc's own `validation.notDocumented` only checks that a comment exists; the project's convention
// ("every exported symbol of core has a TSDoc comment with an example") asks for more.
// Usage: node scripts/check-doc-examples.mjs docs/api/api.json [package-name ...]; exits 1 when any is missing.
import { readFileSync } from "node:fs";

const [file, ...packages] = process.argv.slice(2);
if (!file) {
  console.error("usage: check-doc-examples.mjs <typedoc.json> [package ...]");
  process.exit(2);
}
const REFERENCE = 4194304; // a re-export of a symbol documented elsewhere
const MODULE = 2;
const PROJECT = 1;
const missing = [];

function walk(node, path) {
  for (const child of node.children ?? []) {
    const where = [...path, child.name];
    if (child.kind === PROJECT || child.kind === MODULE) {
      if (path.length === 0 && packages.length > 0 && !packages.includes(child.name)) continue;
      walk(child, where);
      continue;
    }
    if (child.kind === REFERENCE) continue;
    const comment = child.comment ?? child.signatures?.[0]?.comment;
    if (!(comment?.blockTags ?? []).some((tag) => tag.tag === "@example")) {
      missing.push(`${where.join(".")} (${child.sources?.[0]?.fileName ?? "unknown source"})`);
    }
  }
}

walk(JSON.parse(readFileSync(file, "utf8")), []);
if (missing.length > 0) {
  console.error(`${missing.length} exported symbol(s) without an @example:\n  ${missing.join("\n  ")}`);
  process.exit(1);
}
console.log("Every exported symbol has an @example.");
