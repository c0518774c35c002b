import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** dist/src/cli/main.js, what `make run` starts. */
export const CLI_MAIN = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "src", "cli", "main.js");

/** A `serve` child process, once its banner is out. */
export interface ServerChild {
  /** e.g. `http://127.0.0.1:41234` (no trailing slash). */
  readonly url: string;
  /** The embedded Step Functions endpoint the banner names. */
  readonly stepFunctionsUrl: string;
  readonly journalPath: string;
  readonly process: ChildProcess;
  /** Everything the child wrote so far, stdout and stderr interleaved. */
  output(): string;
  /** Sends the signal and resolves once the child has exited; removes the temp folder. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs the CLI in a child process with only the given environment (plus PATH, HOME and coverage). */
export function spawnCli(args: readonly string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [CLI_MAIN, ...args], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      // c8 collects the child's coverage through this variable.
      ...(process.env.NODE_V8_COVERAGE ? { NODE_V8_COVERAGE: process.env.NODE_V8_COVERAGE } : {}),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Resolves with the exit code and signal of a child, now or once it exits. */
export function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

/**
 * Starts `alma-webhook serve` as a child process on a free port (PORT=0), journalling to a temp folder,
 * and waits for the end of its banner.
 */
export async function startServerChild(env: Record<string, string> = {}): Promise<ServerChild> {
  const dir = await mkdtemp(join(tmpdir(), "alma-serve-"));
  const journalPath = join(dir, "executions.jsonl");
  const child = spawnCli(["serve"], { PORT: "0", ALMA_LOCAL_JOURNAL: journalPath, ...env });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner within 10 s:\n${output}`)), 10_000);
      const check = () => {
        if (output.includes("Ctrl-C stops the server.")) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on("data", check);
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`serve exited with ${code} before listening:\n${output}`));
      });
    });
  } catch (error) {
    child.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const url = /^listening on (\S+)$/m.exec(output)?.[1];
  const stepFunctionsUrl = /AWS_ENDPOINT_URL_SFN=(\S+)/.exec(output)?.[1];
  if (url === undefined || stepFunctionsUrl === undefined) {
    child.kill("SIGKILL");
    throw new Error(`unexpected banner:\n${output}`);
  }
  return {
    url,
    stepFunctionsUrl,
    journalPath,
    process: child,
    output: () => output,
    async stop(signal = "SIGINT") {
      const exited = exitOf(child);
      child.kill(signal);
      const result = await exited;
      await rm(dir, { recursive: true, force: true });
      return result;
    },
  };
}

/** A GET with exactly this Host header (fetch would not let a test choose it). */
export function getWithHost(url: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}/?challenge=x`, { headers: { host } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on("error", reject);
    req.end();
  });
}
