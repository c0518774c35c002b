// Prints the resources of every stack template in a cloud assembly: "LogicalId  Type", one per line.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const outdir = process.argv[2] ?? "cdk.out";
const templates = readdirSync(outdir).filter((name) => name.endsWith(".template.json"));
if (templates.length === 0) {
  console.error(`summary: no *.template.json in ${outdir}`);
  process.exit(1);
}
for (const name of templates.sort()) {
  const template = JSON.parse(readFileSync(join(outdir, name), "utf8")) as {
    Resources?: Record<string, { Type: string }>;
  };
  const resources = Object.entries(template.Resources ?? {});
  console.log(`${name}: ${resources.length} resources`);
  const width = Math.max(...resources.map(([id]) => id.length));
  for (const [id, resource] of resources) console.log(`  ${id.padEnd(width)}  ${resource.Type}`);
}
