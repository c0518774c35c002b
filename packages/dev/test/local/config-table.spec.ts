import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { ROUTE_VARIABLES } from "@alma-webhooks/aws";
import { SHELL_VARIABLES } from "@alma-webhooks/lambda/config";
import { deployedPlugins } from "@alma-webhooks/lambda/plugins";
import { expect } from "chai";

const run = promisify(execFile);
/** scripts/config-table.mjs and docs/configuration.md (where the table is), seen from dist/test/local. */
const SCRIPT = fileURLToPath(new URL("../../../../../scripts/config-table.mjs", import.meta.url));
const README = fileURLToPath(new URL("../../../../../docs/configuration.md", import.meta.url));

async function configTable(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [SCRIPT, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

describe("the configuration table of docs/configuration.md (scripts/config-table.mjs)", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "alma-config-table-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  // Whether README.md is up to date is `make check-config-table`'s question (CI asks it), not this suite's:
  // a plugin added to the list must not fail `make test` before its author has run `make docs-config`.
  it("writes the README's table with every shell variable and every plugin setting, once each", async () => {
    const readme = join(dir, "README.md");
    const original = await readFile(README, "utf8");
    await writeFile(readme, original);
    expect(await configTable("--readme", readme)).to.include({ code: 0 });
    expect(await configTable("--check", "--readme", readme)).to.include({ code: 0 });
    const written = await readFile(readme, "utf8");
    const outside = (text: string) =>
      text.slice(0, text.indexOf("<!-- config-table:start -->")) +
      text.slice(text.indexOf("<!-- config-table:end -->"));
    expect(outside(written), "the rest of the README").to.equal(outside(original));
    const section = written.slice(
      written.indexOf("<!-- config-table:start -->"),
      written.indexOf("<!-- config-table:end -->"),
    );
    const names = [
      ...Object.keys(SHELL_VARIABLES),
      ...Object.keys(ROUTE_VARIABLES),
      ...deployedPlugins.flatMap((plugin) => Object.values(plugin.settings).map((spec) => spec.env)),
    ];
    for (const name of names) expect(section, name).to.match(new RegExp(`^\\| \`${name}\` +\\|`, "m"));
    expect(section.match(/^\| `/gm)).to.have.length(names.length);
  });

  it("fails --check on a stale table, and rewrites it without --check", async () => {
    const readme = join(dir, "README.md");
    await writeFile(
      readme,
      "# x\n\n<!-- config-table:start -->\n| old | table |\n<!-- config-table:end -->\n\nafter\n",
    );
    const stale = await configTable("--check", "--readme", readme);
    expect(stale.code).to.equal(1);
    expect(stale.stderr).to.match(/is stale: run make docs-config/);
    expect((await configTable("--readme", readme)).code).to.equal(0);
    expect(await configTable("--check", "--readme", readme)).to.include({ code: 0 });
    const rewritten = await readFile(readme, "utf8");
    expect(rewritten).to.match(/^# x\n\n<!-- config-table:start -->\n/);
    expect(rewritten).to.match(/<!-- config-table:end -->\n\nafter\n$/);
    expect(rewritten).not.to.include("| old | table |");
  });

  it("says so when the README has no markers", async () => {
    const readme = join(dir, "README.md");
    await writeFile(readme, "# no table here\n");
    const result = await configTable("--check", "--readme", readme);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.include("<!-- config-table:start -->");
  });
});
