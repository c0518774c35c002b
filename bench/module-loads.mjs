// What a cold GET challenge and a cold POD trigger load of Node (docs/performance.md, "Node 22"): the public
// built-ins the bundle's import and the first request each load, on the Node of BENCH_NODE (a path; default
// this one). `node bench/module-loads.mjs` after `make build`; BENCH_BUNDLE picks another build.
import { join } from "node:path";
import {
  BUNDLE,
  COLD_NODE,
  CORE_TESTING,
  JOBS,
  jobEndBody,
  lambdaEnv,
  ROOT,
  runNode,
  SECRET,
  startServers,
} from "./lib.mjs";

const servers = await startServers();
try {
  const testing = await import(CORE_TESTING);
  const events = {
    "GET challenge": testing.challengeEvent("module-loads"),
    "POD trigger": testing.signedPost(jobEndBody(testing, { jobName: JOBS.PPOD, id: "900000001" }), SECRET),
  };
  // Only the public modules: the internal ones follow from them and would bury the list.
  const publicOnes = (names) =>
    names.filter((name) => /^NativeModule (?!internal\/)[a-z]/.test(name)).map((name) => name.slice(13));
  for (const [name, event] of Object.entries(events)) {
    const { result } = await runNode(
      [join(ROOT, "bench", "module-loads-child.mjs"), BUNDLE, JSON.stringify(event)],
      lambdaEnv({ sfnUrl: servers.sfnUrl }),
      { node: COLD_NODE },
    );
    if (result?.statusCode !== 200) throw new Error(`${name}: unexpected answer ${JSON.stringify(result)}`);
    console.log(`${name} (${COLD_NODE})`);
    console.log(`  import:  ${publicOnes(result.onImport).join(" ")}`);
    console.log(`  request: ${publicOnes(result.onRequest).join(" ")}`);
  }
} finally {
  await servers.stop();
}
