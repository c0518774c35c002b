import { readdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { TEMPLATES_DIR } from "../local/defaults.js";
import { CliError, type CliIo, secretOf } from "./io.js";
import { DEFAULT_URL, deliver, formatDelivery } from "./send.js";

/**
 * `replay [DIR] [--url URL] [--secret S]`: sends every `*.json` payload of DIR (default: the shipped
 * templates), signed, in name order, one result line each. Exit code 1 when any answer is 5xx or missing.
 */
export async function replayCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { url: { type: "string", default: DEFAULT_URL }, secret: { type: "string" } },
    allowPositionals: true,
  });
  if (positionals.length > 1) throw new CliError("replay takes one folder", 2);
  const dir = resolve(io.cwd, positionals[0] ?? TEMPLATES_DIR);
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true }))
      .filter((entry) => entry.isFile() && entry.name.toLowerCase().endsWith(".json"))
      .map((entry) => entry.name)
      // Code-point order, not the locale's: the same order on every machine.
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  } catch (error) {
    throw new CliError(`Cannot read the folder ${dir}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  if (names.length === 0) throw new CliError(`No *.json payload files in ${dir}`);

  const secret = secretOf(values.secret, io);
  const width = Math.max(...names.map((name) => name.length));
  let failures = 0;
  for (const name of names) {
    const body = await readFile(join(dir, name));
    // A refused connection throws: it would fail every other file the same way.
    const delivery = await deliver(values.url, {
      kind: "post",
      body,
      secret,
      contentType: "application/json",
    });
    if (delivery.status >= 500) failures += 1;
    io.stdout(`${name.padEnd(width)}  ${formatDelivery(delivery)}\n`);
  }
  return failures > 0 ? 1 : 0;
}
