import { parseArgs } from "node:util";
import { signBody } from "@alma-webhooks/core/testing";
import { CliError, type CliIo, readPayload, secretOf } from "./io.js";

/** `sign [FILE|-] [--secret S]`: prints the `X-Exl-Signature` Alma would send for the file's bytes. */
export async function signCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { secret: { type: "string" } },
    allowPositionals: true,
  });
  if (positionals.length > 1) throw new CliError("sign takes one payload file (or - for stdin)", 2);
  const body = await readPayload(positionals[0], io);
  io.stdout(`${signBody(body, secretOf(values.secret, io))}\n`);
  return 0;
}
