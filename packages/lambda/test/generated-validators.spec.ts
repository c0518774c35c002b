import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");

interface Generator {
  TARGETS: { out: string }[];
  render(target: { out: string }): Promise<string>;
}

describe("ajv validators compiled ahead of time", () => {
  it("are up to date with the shell's configuration schema (run `make validators` after changing one)", async () => {
    const generator = (await import(join(root, "scripts", "generate-validators.mjs"))) as Generator;
    const target = generator.TARGETS.find((t) => t.out.startsWith("packages/lambda/"));
    if (target === undefined) throw new Error("no lambda target in scripts/generate-validators.mjs");
    expect(await readFile(join(root, target.out), "utf8")).to.equal(await generator.render(target));
  });
});
