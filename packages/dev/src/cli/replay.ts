import { readdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { CliError, type CliIo, type Payload, SECRET_OPTIONS, secretOf } from "./io.js";
import { DEFAULT_URL, deliver, formatDelivery } from "./send.js";

/** Every `*.json` file of `dir`, in code-point order of their names (the same order on every machine). */
async function payloadFiles(dir: string): Promise<Payload[]> {
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true }))
      .filter((entry) => entry.isFile() && entry.name.toLowerCase().endsWith(".json"))
      .map((entry) => entry.name)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  } catch (error) {
    throw new CliError(`Cannot read the folder ${dir}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  if (names.length === 0) throw new CliError(`No *.json payload files in ${dir}`);
  return Promise.all(names.map(async (name) => ({ name, body: await readFile(join(dir, name)) })));
}

/**
 * `replay [DIR] [--url URL] [--secret-file PATH|-] [--secret S]`: sends every `*.json` payload of DIR in
 * name order or, without DIR, every plugin's sample payloads and one job no plugin claims; signed, one
 * result line each. Exit code 1 when any answer is 5xx or missing.
 */
export async function replayCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { url: { type: "string", default: DEFAULT_URL }, ...SECRET_OPTIONS },
    allowPositionals: true,
  });
  if (positionals.length > 1) throw new CliError("replay takes one folder", 2);
  const [dir] = positionals;
  const secret = await secretOf(values, io, false);
  // Loaded only without a folder: the plugins are not needed to replay files.
  const payloads =
    dir === undefined
      ? (await import("../local/pipelines.js")).samplePayloads()
      : await payloadFiles(resolve(io.cwd, dir));

  const width = Math.max(...payloads.map((payload) => payload.name?.length ?? 0));
  let failures = 0;
  for (const { name = "", body } of payloads) {
    // A refused connection throws: it would fail every other payload the same way.
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
