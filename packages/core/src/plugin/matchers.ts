/**
 * Decides whether a job plugin claims an Alma job, by the job's name. Build one with {@link exactName},
 * {@link namePrefix} or {@link namePattern}; all compare case-insensitively.
 *
 * @example
 * ```ts
 * const matcher = exactName("PPOD Export to Dev1");
 * matcher.matches("ppod export to dev1"); // true
 * ```
 */
export interface JobMatcher {
  /** For logs and docs: what the matcher looks for. */
  readonly description: string;
  /**
   * The one job name claimed, when the matcher claims no other ({@link exactName}): a shell checks it against
   * the workspace. Absent for a prefix or a pattern, which may match names that contain the workspace.
   */
  readonly exactName?: string;
  /**
   * Whether the job named `jobName` (as sent) is claimed. The router also passes `folded`, the name trimmed
   * and lowercased, computed once per request for every matcher: case-insensitive matchers use it rather
   * than fold the name again (with 100 plugins, once instead of 100 times).
   */
  matches(jobName: string, folded?: string): boolean;
}

/**
 * The job name as case-insensitive matchers compare it.
 *
 * @example
 * ```ts
 * foldJobName("  PPOD Export to Dev1 "); // "ppod export to dev1"
 * ```
 */
export const foldJobName = (text: string): string => text.trim().toLowerCase();
const fold = foldJobName;

/**
 * Claims the job whose name equals `name`, ignoring case and surrounding spaces.
 *
 * @example
 * ```ts
 * exactName("Bursar Export to Dev1").matches("BURSAR EXPORT TO DEV1"); // true
 * ```
 */
export function exactName(name: string): JobMatcher {
  const expected = fold(name);
  return {
    description: `name equals '${name}'`,
    exactName: name,
    matches: (jobName, folded = fold(jobName)) => folded === expected,
  };
}

/**
 * Claims every job whose name starts with `prefix`, ignoring case.
 *
 * @example
 * ```ts
 * namePrefix("TIMDEX Export to Dev1").matches("TIMDEX Export to Dev1 Daily"); // true
 * ```
 */
export function namePrefix(prefix: string): JobMatcher {
  const expected = fold(prefix);
  return {
    description: `name starts with '${prefix}'`,
    matches: (jobName, folded = fold(jobName)) => folded.startsWith(expected),
  };
}

/**
 * Claims every job whose name matches `pattern`; the pattern is made case-insensitive.
 *
 * @example
 * ```ts
 * namePattern(/^analytics export (daily|weekly)$/).matches("Analytics Export Daily"); // true
 * ```
 */
export function namePattern(pattern: RegExp): JobMatcher {
  const flags = pattern.flags.replace(/[gy]/g, "");
  const regex = new RegExp(pattern.source, flags.includes("i") ? flags : `${flags}i`);
  return { description: `name matches ${regex}`, matches: (jobName) => regex.test(jobName.trim()) };
}
