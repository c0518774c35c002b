// One fresh "instance" at a CPU share (bench/cpu-share.mjs puts it in the cgroup before node starts):
// imports the bundle (the function's init), answers the first request of its format (cold), then `warm`
// more of the same, each timed on its own, with any answer other than the expected one. The signed event
// is read from a file; results go to fd 3.
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
  // A late answer (503 past the deadline) is a result to report, not a failure of the harness.
  const expected = response.statusCode === Number(expectStatus) && response.body.includes(expectBody);
  return {
    ms,
    cpuMs: cpuMs(cpuFrom),
    ...(expected ? {} : { answer: `${response.statusCode} ${response.body}` }),
  };
}
const first = await answer();
const warm = [];
for (let i = 0; i < Number(warmCount); i++) warm.push(await answer());
writeSync(3, JSON.stringify({ initMs, first, warm, maxRssKiB: process.resourceUsage().maxRSS }));
process.exit(0);
