import { parseArgs } from "node:util";
import { signBody } from "@alma-webhooks/core";
import { CliError, type CliIo, readPayload, SECRET_OPTIONS, secretOf } from "./io.js";

/**
 * `sign [FILE|-|--sample NAME[:N]] [--secret-file PATH|-] [--secret S]`: prints the `X-Exl-Signature` Alma
 * would send for the payload's bytes.
 */
export async function signCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { ...SECRET_OPTIONS, sample: { type: "string" } },
    allowPositionals: true,
  });
  if (positionals.length > 1) throw new CliError("sign takes one payload file (or - for stdin)", 2);
  const [file] = positionals;
  const stdinIsPayload = values.sample === undefined && (file === undefined || file === "-");
  const secret = await secretOf(values, io, stdinIsPayload);
  const { body } = await readPayload(file, values.sample, io);
  io.stdout(`${signBody(body, secret)}\n`);
  return 0;
}
