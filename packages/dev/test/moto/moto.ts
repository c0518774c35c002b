// Starts moto's server (an AWS emulator nobody here wrote) on a free port, and runs the built Lambda bundle
// in a child process against it.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
/** packages/lambda/dist/webhook.mjs: `make build` writes it. */
export const BUNDLE = join(here, "..", "..", "..", "..", "lambda", "dist", "webhook.mjs");

/** moto_server on PATH, or in pyenv's shims; undefined when neither has it. */
export function findMotoServer(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dirs = [...(env.PATH ?? "").split(delimiter), join(homedir(), ".pyenv", "shims")];
  return dirs
    .filter((folder) => folder !== "")
    .map((folder) => join(folder, "moto_server"))
    .find((path) => existsSync(path));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface Moto {
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts `moto_server -H 127.0.0.1 -p PORT` and waits until it answers (at most 30 s). */
export async function startMoto(command: string): Promise<Moto> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(command, ["-H", "127.0.0.1", "-p", String(port)], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const response = await fetch(`${url}/moto-api/`);
      if (response.status < 500) break;
    } catch {
      // Not listening yet.
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill();
      throw new Error(`moto_server did not start on ${url}:\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** Runs the bundle's handler in a fresh node with only `env`, once per event; the answers in order. */
export async function runBundle(
  events: readonly unknown[],
  env: Record<string, string>,
): Promise<{ statusCode: number; body: string }[]> {
  return (await runBundleOutput(events, env)).responses as { statusCode: number; body: string }[];
}

/**
 * Runs the bundle's handler as {@link runBundle} does, and gives its output too (log lines and metrics).
 * An event `{ "$advanceClock": ms }` moves the child's clock on instead (a ledger claim's expiry).
 */
export async function runBundleOutput(
  events: readonly unknown[],
  env: Record<string, string>,
): Promise<{ responses: unknown[]; stdout: string; stderr: string }> {
  const script = `
    const { handler } = await import(${JSON.stringify(`file://${BUNDLE}`)});
    const responses = [];
    const { readFileSync } = await import("node:fs");
    const events = JSON.parse(readFileSync(process.env.EVENTS_FILE, "utf8"));
    const wall = Date.now.bind(Date);
    let offset = 0;
    for (const event of events) {
      if (typeof event?.$advanceClock === "number") {
        offset += event.$advanceClock;
        Date.now = () => wall() + offset;
        continue;
      }
      responses.push(await handler(event));
    }
    process.stdout.write("RESPONSES " + JSON.stringify(responses) + "\\n");`;
  // A file, not the environment: an oversized body is larger than a process's arguments may be.
  const folder = await mkdtemp(join(tmpdir(), "alma-moto-"));
  const file = join(folder, "events.json");
  await writeFile(file, JSON.stringify(events));
  let stderr = "";
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      ["--input-type=module", "-e", script],
      {
        env: {
          PATH: process.env.PATH ?? "",
          HOME: process.env.HOME ?? "",
          ...env,
          EVENTS_FILE: file,
        },
        timeout: 60_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, out, err) => {
        stderr = err;
        if (error) reject(Object.assign(error, { stderr: err }));
        else resolve(out);
      },
    );
  }).finally(() => rm(folder, { recursive: true, force: true }));
  const line = stdout.split("\n").find((text) => text.startsWith("RESPONSES "));
  if (line === undefined) throw new Error(`no responses from the bundle:\n${stdout}`);
  return { responses: JSON.parse(line.slice("RESPONSES ".length)), stdout, stderr };
}
