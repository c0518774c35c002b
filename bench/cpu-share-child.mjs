// One fresh "instance" at a CPU share (bench/cpu-share.mjs puts it in the cgroup before node starts):
// imports the bundle (the function's init), answers the first request of its format (cold), then `warm`
// more of the same, each timed on its own. The signed event is read from a file; results go to fd 3.
import { readFileSync, writeSync } from "node:fs";

const [bundle, eventFile, warmCount, expectStatus, expectBody] = process.argv.slice(2);
const event = JSON.parse(readFileSync(eventFile, "utf8"));
const clock = () => performance.now();
const cpu = () => process.cpuUsage();
const cpuMs = (from) => {
  const used = process.cpuUsage(from);
  return (used.user + used.system) / 1000;
};

let started = clock();
const { handler } = await import(bundle);
const initMs = clock() - started;

async function answer() {
  const cpuFrom = cpu();
  started = clock();
  const response = await handler(structuredClone(event));
  const ms = clock() - started;
  if (response.statusCode !== Number(expectStatus) || !response.body.includes(expectBody))
    throw new Error(`unexpected answer ${response.statusCode} ${response.body}`);
  return { ms, cpuMs: cpuMs(cpuFrom) };
}
const first = await answer();
const warm = [];
for (let i = 0; i < Number(warmCount); i++) warm.push(await answer());
writeSync(3, JSON.stringify({ initMs, first, warm, maxRssKiB: process.resourceUsage().maxRSS }));
process.exit(0);
