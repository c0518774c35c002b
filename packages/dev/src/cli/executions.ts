import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import type { LocalMessage } from "@alma-webhooks/local-aws/endpoint";
import { DEFAULT_JOURNAL_PATH } from "../local/defaults.js";
import { CliError, type CliIo } from "./io.js";

/** One journal line: an execution the local endpoint started. */
export interface ExecutionEntry {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly input: string;
  readonly status: string;
  readonly startDate: string;
}

/** What the journal holds of a record of the local endpoint: its JSON, a date as its ISO text. */
type Journaled<T> = { readonly [K in keyof T]: T[K] extends Date ? string : T[K] };

/** One journal line: a message sent to a queue or an event put on a bus (a forward). */
export type MessageEntry = Journaled<LocalMessage>;

export type JournalEntry = ExecutionEntry | MessageEntry;

const hasStrings = (value: unknown, fields: readonly string[]): boolean =>
  typeof value === "object" &&
  value !== null &&
  fields.every((field) => typeof (value as Record<string, unknown>)[field] === "string");

const isEntry = (value: unknown): value is JournalEntry =>
  hasStrings(value, ["executionArn", "stateMachineArn", "name", "input", "startDate"]) ||
  (hasStrings(value, ["targetArn", "id", "name", "input", "startDate"]) &&
    (value as { kind?: unknown }).kind === "message");

/**
 * Reads the journal the local Step Functions endpoint appends to; a missing file is an empty journal.
 * Lines that are not executions (a torn write, a hand edit) are skipped and counted.
 *
 * @example
 * ```ts
 * const { entries } = await readJournal(".local/executions.jsonl");
 * ```
 */
export async function readJournal(path: string): Promise<{ entries: JournalEntry[]; skipped: number }> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { entries: [], skipped: 0 };
    throw new CliError(`Cannot read the journal ${path}: ${String(error)}`);
  }
  const entries: JournalEntry[] = [];
  let skipped = 0;
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      const parsed: unknown = JSON.parse(line);
      if (isEntry(parsed)) entries.push(parsed);
      else skipped += 1;
    } catch {
      skipped += 1;
    }
  }
  return { entries, skipped };
}

/** The last part of a state machine, queue or bus ARN: its name. */
const targetName = (arn: string): string =>
  arn.slice(Math.max(arn.lastIndexOf(":"), arn.lastIndexOf("/")) + 1);

/**
 * `executions [--journal PATH] [--json]`: what the local endpoint started or took (executions, messages sent
 * to queues, events put on buses), oldest first: a table, or the journal entries as one JSON array.
 */
export async function executionsCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { journal: { type: "string" }, json: { type: "boolean", default: false } },
    allowPositionals: true,
  });
  if (positionals.length > 0) throw new CliError("executions takes no arguments", 2);
  const journal = values.journal ?? (io.env.ALMA_LOCAL_JOURNAL?.trim() || DEFAULT_JOURNAL_PATH);
  const path = resolve(io.cwd, journal);
  const { entries, skipped } = await readJournal(path);
  if (skipped > 0) io.stderr(`warning: skipped ${skipped} unreadable line(s) in ${path}\n`);
  if (values.json) {
    io.stdout(`${JSON.stringify(entries, null, 2)}\n`);
    return 0;
  }
  if (entries.length === 0) {
    io.stdout(`No executions yet in ${path}\n`);
    return 0;
  }
  const rows = entries.map((entry) =>
    "kind" in entry
      ? [
          entry.startDate,
          `${entry.service}:${targetName(entry.targetArn)}`,
          entry.name || entry.id,
          entry.input,
        ]
      : [entry.startDate, targetName(entry.stateMachineArn), entry.name, entry.input],
  );
  const header = ["STARTED", "TARGET", "NAME", "INPUT"];
  const widths = header
    .slice(0, 3)
    .map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const format = (row: readonly string[]) =>
    row.map((cell, i) => (i < widths.length ? cell.padEnd(widths[i] ?? 0) : cell)).join("  ");
  io.stdout(`${[header, ...rows].map(format).join("\n")}\n`);
  if (entries.some((entry) => !("kind" in entry))) {
    io.stdout(
      "Nothing runs local executions: the endpoint records what would start, and each stays RUNNING.\n",
    );
  }
  return 0;
}
