import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { unzipSync } from "fflate";
import { PACKAGE_DIR, requireBundle } from "./support/child.js";

const run = promisify(execFile);
const DIST = join(PACKAGE_DIR, "dist");
const ZIP = join(PACKAGE_DIR, "scripts", "zip.mjs");

describe("scripts/zip.mjs (dist/lambda.zip)", function () {
  this.timeout(60_000);
  let scratch: string;

  before(requireBundle);
  beforeEach(async () => {
    scratch = await mkdtemp(join(tmpdir(), "alma-zip-"));
  });
  afterEach(() => rm(scratch, { recursive: true, force: true }));

  const zip = async (out: string, env: Record<string, string> = {}) => {
    await run(process.execPath, [ZIP, out, DIST, "webhook.mjs", "ping.mjs", "chunks"], {
      env: { ...process.env, ...env },
    });
    return readFile(out);
  };

  it("holds the entry points and every chunk, in order, with their exact bytes", async () => {
    const archive = await zip(join(scratch, "a.zip"));
    const chunks = (await readdir(join(DIST, "chunks"))).sort().map((name) => `chunks/${name}`);
    const entries = unzipSync(archive);
    expect(Object.keys(entries)).to.deep.equal(["webhook.mjs", "ping.mjs", ...chunks]);
    for (const [name, bytes] of Object.entries(entries)) {
      expect(Buffer.from(bytes).equals(await readFile(join(DIST, name))), name).to.equal(true);
    }
  });

  it("is reproducible byte for byte, whatever the time zone", async () => {
    const first = await zip(join(scratch, "a.zip"), { TZ: "UTC" });
    const second = await zip(join(scratch, "b.zip"), { TZ: "Pacific/Auckland" });
    expect(first.equals(second)).to.equal(true);
    // The local header of the first entry: DOS time 00:00, date 1980-01-01.
    expect(first.readUInt16LE(10)).to.equal(0);
    expect(first.readUInt16LE(12)).to.equal((1 << 5) | 1);
  });
});
