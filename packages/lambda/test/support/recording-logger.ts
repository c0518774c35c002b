import type { LambdaLogger } from "../../src/services.js";

export interface LogLine {
  readonly level: string;
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

/** A LambdaLogger that keeps every line, for assertions. */
export function recordingLogger(): LambdaLogger & { readonly lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at =
    (level: string) =>
    (message: string, ...fields: Record<string, unknown>[]): void => {
      lines.push({ level, message, fields: Object.assign({}, ...fields) });
    };
  return {
    lines,
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    addContext: () => {},
  };
}
