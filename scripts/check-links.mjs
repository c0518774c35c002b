#!/usr/bin/env node
// Checks every relative link and #anchor of the tracked Markdown files (`make check-links`, part of
// `make lint`): the file must exist, and an anchor must be a heading of the file it points into, slugged as
// GitHub slugs them (lowercase; punctuation but '-' and '_' dropped; spaces to '-'; repeats get -1, -2).
// Links inside code blocks and code spans are not links; http(s) and mailto links are not checked here.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "*.md"], {
  cwd: root,
  encoding: "utf8",
})
  .split("\n")
  // templates/ is copied elsewhere before it is read (its links resolve from packages/plugin-NAME/).
  .filter(
    (file) =>
      file && !file.startsWith("docs/api/") && !file.startsWith("templates/") && existsSync(join(root, file)),
  );

/** The text outside fenced code blocks and code spans, line by line (line numbers kept). */
function proseLines(text) {
  let fenced = false;
  return text.split("\n").map((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return "";
    }
    return fenced ? "" : line.replace(/`[^`]*`/g, "");
  });
}

/** The lines outside fenced code blocks, as they are (headings keep their code spans for their slugs). */
function unfencedLines(text) {
  let fenced = false;
  return text.split("\n").map((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return "";
    }
    return fenced ? "" : line;
  });
}

/** GitHub's heading ids of a Markdown file, plus its explicit `<a id>` / `<a name>` anchors. */
const anchorCache = new Map();
function anchorsOf(path) {
  if (anchorCache.has(path)) return anchorCache.get(path);
  const anchors = new Set();
  const counts = new Map();
  for (const line of unfencedLines(readFileSync(path, "utf8"))) {
    for (const match of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(match[1]);
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const text = heading[1].replace(/\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/<[^>]+>/g, "");
    const slug = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const seen = counts.get(slug) ?? 0;
    counts.set(slug, seen + 1);
    anchors.add(seen === 0 ? slug : `${slug}-${seen}`);
  }
  anchorCache.set(path, anchors);
  return anchors;
}

const broken = [];
let checked = 0;
for (const file of files) {
  const path = join(root, file);
  proseLines(readFileSync(path, "utf8")).forEach((line, index) => {
    for (const match of line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)|^\s*\[[^\]]+\]:\s+(\S+)/g)) {
      const link = match[1] ?? match[2];
      if (/^[a-z][a-z0-9+.-]*:/i.test(link)) continue; // http:, https:, mailto:
      checked += 1;
      const [target, anchor] = link.split("#");
      const linked = target === "" ? path : resolve(dirname(path), decodeURIComponent(target));
      const where = `${file}:${index + 1}`;
      if (!existsSync(linked)) {
        broken.push(`${where}: ${link}: no such file ${relative(root, linked)}`);
        continue;
      }
      if (
        anchor === undefined ||
        anchor === "" ||
        statSync(linked).isDirectory() ||
        !linked.endsWith(".md")
      ) {
        continue;
      }
      if (!anchorsOf(linked).has(decodeURIComponent(anchor))) {
        broken.push(`${where}: ${link}: no heading #${anchor} in ${relative(root, linked)}`);
      }
    }
  });
}
if (broken.length > 0) {
  console.error(`check-links: ${broken.length} broken link(s):\n  ${broken.join("\n  ")}`);
  process.exit(1);
}
console.log(`check-links: ${checked} relative links in ${files.length} Markdown files, all resolve`);
