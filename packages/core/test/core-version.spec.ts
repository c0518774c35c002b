import { readFileSync } from "node:fs";
import { expect } from "chai";
import { CORE_VERSION } from "../src/index.js";

describe("CORE_VERSION", () => {
  it("equals the version in packages/core/package.json", () => {
    // Tests run from dist/test: the package root is two levels up.
    const manifest = new URL("../../package.json", import.meta.url);
    const { version } = JSON.parse(readFileSync(manifest, "utf8")) as { version: string };
    expect(CORE_VERSION, "run `pnpm run version-packages`, or update src/plugin/core-version.ts").to.equal(
      version,
    );
  });
});
