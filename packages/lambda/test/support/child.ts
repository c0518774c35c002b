import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
/** The compiled child runner. */
export const INVOKE = join(here, "invoke-handler.js");
/** packages/lambda */
export const PACKAGE_DIR = join(here, "..", "..", "..");
export const BUNDLE = join(PACKAGE_DIR, "dist", "webhook.mjs");
export const PING_BUNDLE = join(PACKAGE_DIR, "dist", "ping.mjs");

/** Fails a suite that drives the bundle, with what to run, when `dist/webhook.mjs` has not been built. */
export function requireBundle(): void {
  if (!existsSync(BUNDLE))
    throw new Error(`${BUNDLE} is missing: run 'make build' (the lambda bundle) first`);
}

// Records every module URL the child resolves, to prove what it did (and did not) load.
const RESOLVE_HOOK = `
import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(process.env.RESOLVE_LOG, result.url + "\\n");
  return result;
}`;

export interface ChildResult {
  readonly responses: { statusCode: number; body: string }[];
  readonly stdout: string;
  readonly stderr: string;
  /** Every module URL the child resolved. */
  readonly resolved: string[];
  /**
   * The Node built-ins (`process.moduleLoadList`, "crypto", "internal/…") the handler's import loaded, and
   * each event after it (one list per event that is not a clock move).
   */
  readonly builtins: { readonly onImport: string[]; readonly byEvent: string[][] };
}

/**
 * Runs the handler in a fresh `node` (or the given command, e.g. Node 22 through npx) with only the given
 * environment, as Lambda starts a process.
 */
export async function runChild(
  target: string,
  events: unknown[],
  env: Record<string, string>,
  command: readonly string[] = [process.execPath],
): Promise<ChildResult> {
  const dir = await mkdtemp(join(tmpdir(), "alma-child-"));
  const hook = join(dir, "hook.mjs");
  const register = join(dir, "register.mjs");
  const log = join(dir, "resolved.log");
  await writeFile(hook, RESOLVE_HOOK);
  await writeFile(
    register,
    `import { register } from "node:module"; register(${JSON.stringify(`file://${hook}`)});`,
  );
  await writeFile(log, "");
  try {
    const [program = process.execPath, ...prefix] = command;
    const args = [...prefix, "--import", register, INVOKE, target, JSON.stringify(events)];
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      execFile(
        program,
        args,
        {
          env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env, RESOLVE_LOG: log },
          timeout: 120_000,
        },
        (error, out, err) =>
          error
            ? reject(Object.assign(error, { stdout: out, stderr: err }))
            : resolve({ stdout: out, stderr: err }),
      );
    });
    const line = stdout.split("\n").find((text) => text.startsWith("RESPONSES "));
    if (line === undefined) throw new Error(`no responses from the child:\n${stdout}\n${stderr}`);
    const resolved = (await readFile(log, "utf8")).split("\n").filter(Boolean);
    const builtins = stdout.split("\n").find((text) => text.startsWith("BUILTINS ")) ?? "BUILTINS {}";
    return {
      responses: JSON.parse(line.slice("RESPONSES ".length)),
      stdout,
      stderr,
      resolved,
      builtins: { onImport: [], byEvent: [], ...JSON.parse(builtins.slice("BUILTINS ".length)) },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
