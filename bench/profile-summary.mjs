// Summarises a .cpuprofile (node --cpu-prof): self time by script and the heaviest functions.
// Usage: node bench/profile-summary.mjs file.cpuprofile [top=25]
import { readFileSync } from "node:fs";

const [file, top = "25"] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, "utf8"));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const self = new Map();
const deltas = profile.timeDeltas;
profile.samples.forEach((id, i) => {
  self.set(id, (self.get(id) ?? 0) + (deltas[i] ?? 0));
});
const byUrl = new Map();
const byFn = new Map();
for (const [id, us] of self) {
  const { url, functionName, lineNumber } = byId.get(id).callFrame;
  const short = url.replace(/^.*\/(dist|node_modules)\//, "$1/") || "(native/vm)";
  byUrl.set(short, (byUrl.get(short) ?? 0) + us);
  const fn = `${functionName || "(anonymous)"} ${short}:${lineNumber + 1}`;
  byFn.set(fn, (byFn.get(fn) ?? 0) + us);
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
const show = (title, map) => {
  console.log(`\n${title} (total ${(total / 1000).toFixed(1)} ms)`);
  for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, Number(top)))
    console.log(`${(us / 1000).toFixed(1).padStart(8)} ms  ${key}`);
};
show("self time by script", byUrl);
show("self time by function", byFn);
