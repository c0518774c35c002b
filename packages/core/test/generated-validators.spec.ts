import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";

const generator = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "..",
  "..",
  "scripts",
  "generate-validators.mjs",
);

describe("ajv validators compiled ahead of time", () => {
  it("are up to date with core's schemas (run `make validators` after changing one)", async () => {
    const { staleModules } = (await import(generator)) as { staleModules(prefix: string): Promise<string[]> };
    expect(await staleModules("packages/core/")).to.deep.equal([]);
  });
});
