// A small semantic-versioning range check, enough for a plugin's `coreRange`: core must not depend on a
// semver package for one comparison. The grammar and the meaning follow node-semver (npm's ranges):
// `1.2.3`, `=1.2.3`, `>`, `>=`, `<`, `<=`, `^`, `~`, wildcards (`*`, `1.x`, `1.2.X`, `1`, `1.2`), hyphen
// ranges (`1.2.3 - 2.3.4`), space for "and", `||` for "or". As in npm, a prerelease version only satisfies a
// range that names a prerelease of the same major.minor.patch.

/** A parsed version: major.minor.patch and prerelease identifiers (build metadata is dropped). */
interface Version {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  readonly prerelease: readonly (string | number)[];
}

type Operator = "<" | "<=" | ">" | ">=" | "=";

interface Comparator {
  readonly operator: Operator;
  readonly version: Version;
}

/** Every comparator of one set must hold; any one set of the range may hold. */
type Range = readonly (readonly Comparator[])[];

const NUMBER = "0|[1-9]\\d*";
const IDENTIFIER = `(?:${NUMBER}|\\d*[A-Za-z-][0-9A-Za-z-]*)`;
const PRERELEASE = `${IDENTIFIER}(?:\\.${IDENTIFIER})*`;
const BUILD = "[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*";
const VERSION = new RegExp(
  `^v?(${NUMBER})\\.(${NUMBER})\\.(${NUMBER})(?:-(${PRERELEASE}))?(?:\\+${BUILD})?$`,
);
const PART = `${NUMBER}|[xX*]`;
const PARTIAL = new RegExp(
  `^v?(${PART})(?:\\.(${PART})(?:\\.(${PART})(?:-(${PRERELEASE}))?(?:\\+${BUILD})?)?)?$`,
);
const COMPARATOR = /^(<=|>=|<|>|=|\^|~)?(.*)$/;

function prereleaseOf(text: string | undefined): (string | number)[] {
  if (text === undefined) return [];
  return text.split(".").map((id) => (/^\d+$/.test(id) ? Number(id) : id));
}

/** Parses a full version (`1.2.3`, `1.2.3-beta.1`, `v1.2.3+build`), or `undefined` if it is not one. */
export function parseVersion(text: string): Version | undefined {
  const match = VERSION.exec(text.trim());
  if (match === null) return undefined;
  const [, major, minor, patch, prerelease] = match;
  return {
    major: Number(major),
    minor: Number(minor),
    patch: Number(patch),
    prerelease: prereleaseOf(prerelease),
  };
}

function compareIdentifiers(a: string | number, b: string | number): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "number") return -1;
  if (typeof b === "number") return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders two versions by semver precedence: negative, zero or positive. */
export function compareVersions(a: Version, b: Version): number {
  const core = a.major - b.major || a.minor - b.minor || a.patch - b.patch;
  if (core !== 0) return core;
  // A release is greater than any of its prereleases.
  if (a.prerelease.length === 0 || b.prerelease.length === 0)
    return b.prerelease.length - a.prerelease.length;
  for (let i = 0; i < Math.max(a.prerelease.length, b.prerelease.length); i++) {
    const [x, y] = [a.prerelease[i], b.prerelease[i]];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const order = compareIdentifiers(x, y);
    if (order !== 0) return order;
  }
  return 0;
}

const version = (major: number, minor: number, patch: number, prerelease: (string | number)[] = []) => ({
  major,
  minor,
  patch,
  prerelease,
});
/** The lowest version above every release below it: `<2.0.0-0` keeps 2.0.0's prereleases out too. */
const floor = (major: number, minor: number, patch: number) => version(major, minor, patch, [0]);
const cmp = (operator: Operator, v: Version): Comparator => ({ operator, version: v });

/** One comparator text (`^1.2.3`, `>=1.2`, `1.x`) as the comparators it stands for; undefined if invalid. */
function parseComparator(text: string): Comparator[] | undefined {
  const [, operator = "", rest = ""] = COMPARATOR.exec(text) ?? [];
  const match = PARTIAL.exec(rest);
  if (match === null) return undefined;
  const [, majorText, minorText, patchText, prereleaseText] = match;
  const wild = (part: string | undefined) => part === undefined || /^[xX*]$/.test(part);
  if (prereleaseText !== undefined && wild(patchText)) return undefined;
  const [M, m, p] = [Number(majorText), Number(minorText), Number(patchText)];
  const pre = prereleaseOf(prereleaseText);
  const any = [cmp(">=", version(0, 0, 0))];

  if (wild(majorText)) return operator === "<" || operator === ">" ? [cmp("<", floor(0, 0, 0))] : any;
  if (wild(minorText) || wild(patchText)) {
    // A partial version is the range of versions it covers: 1.2 is >=1.2.0 <1.3.0-0.
    const low = wild(minorText) ? version(M, 0, 0) : version(M, m, 0);
    const high = wild(minorText) ? floor(M + 1, 0, 0) : floor(M, m + 1, 0);
    switch (operator) {
      case ">":
        return [cmp(">=", high)];
      case "<":
        return [cmp("<", floor(low.major, low.minor, low.patch))];
      case ">=":
        return [cmp(">=", low)];
      case "<=":
        return [cmp("<", high)];
      case "^":
        if (M > 0 || wild(minorText)) return [cmp(">=", low), cmp("<", floor(M + 1, 0, 0))];
        return [cmp(">=", low), cmp("<", floor(0, m + 1, 0))];
      default: // "", "=", "~"
        return [cmp(">=", low), cmp("<", high)];
    }
  }
  const exact = version(M, m, p, pre);
  switch (operator) {
    case "":
    case "=":
      return [cmp("=", exact)];
    case "~":
      return [cmp(">=", exact), cmp("<", floor(M, m + 1, 0))];
    case "^": {
      const high = M > 0 ? floor(M + 1, 0, 0) : m > 0 ? floor(0, m + 1, 0) : floor(0, 0, p + 1);
      return [cmp(">=", exact), cmp("<", high)];
    }
    default:
      return [cmp(operator as Operator, exact)];
  }
}

/** Parses a range, or returns `undefined` when it is not valid range syntax. */
export function parseRange(text: string): Range | undefined {
  const sets: Comparator[][] = [];
  for (const alternative of text.split("||")) {
    // `>= 1.2.3` is `>=1.2.3`: glue operators to their version.
    const normalised = alternative.trim().replace(/(<=|>=|<|>|=|\^|~)\s+/g, "$1");
    const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(normalised);
    const parts = hyphen ? [`>=${hyphen[1]}`, `<=${hyphen[2]}`] : normalised.split(/\s+/);
    const set: Comparator[] = [];
    for (const part of parts) {
      if (part === "" && parts.length === 1) {
        set.push(cmp(">=", version(0, 0, 0)));
        continue;
      }
      if (hyphen && /^[<>=^~]/.test(part.slice(2))) return undefined;
      const comparators = parseComparator(part);
      if (comparators === undefined) return undefined;
      set.push(...comparators);
    }
    sets.push(set);
  }
  return sets;
}

function holds({ operator, version: bound }: Comparator, candidate: Version): boolean {
  const order = compareVersions(candidate, bound);
  switch (operator) {
    case "<":
      return order < 0;
    case "<=":
      return order <= 0;
    case ">":
      return order > 0;
    case ">=":
      return order >= 0;
    default:
      return order === 0;
  }
}

function setAllows(set: readonly Comparator[], candidate: Version): boolean {
  if (!set.every((comparator) => holds(comparator, candidate))) return false;
  if (candidate.prerelease.length === 0) return true;
  // A prerelease only satisfies a set that opts into prereleases of that very version.
  return set.some(
    ({ version: bound }) =>
      bound.prerelease.length > 0 &&
      bound.major === candidate.major &&
      bound.minor === candidate.minor &&
      bound.patch === candidate.patch,
  );
}

/**
 * Says whether `version` satisfies `range`, with npm's range syntax and meaning (`^0.1.0`, `~1.2.3`,
 * `>=1.2.0 <2.0.0`, `1.2.x`, `1.2.3`, `^1.0.0 || ^2.0.0`). Throws a `TypeError` when either is malformed.
 *
 * @example
 * ```ts
 * satisfiesRange("0.1.4", "^0.1.0"); // true
 * satisfiesRange("0.2.0", "^0.1.0"); // false: below 1.0.0 a minor version may break
 * satisfiesRange("2.3.1", ">=1.4.0 <3.0.0 || 4.x"); // true
 * ```
 */
export function satisfiesRange(version: string, range: string): boolean {
  const candidate = parseVersion(version);
  if (candidate === undefined) throw new TypeError(`'${version}' is not a semantic version like 1.2.3.`);
  const parsed = parseRange(range);
  if (parsed === undefined)
    throw new TypeError(`'${range}' is not a version range like ^1.2.3, ~1.2.3, >=1.2.0 <2.0.0 or 1.2.x.`);
  return parsed.some((set) => setAllows(set, candidate));
}

/**
 * Says whether `text` is a valid version range, in npm's syntax.
 *
 * @example
 * ```ts
 * isVersionRange("^0.1.0"); // true
 * isVersionRange("0.1"); // true: the same as 0.1.x
 * isVersionRange("about 0.1"); // false
 * ```
 */
export function isVersionRange(text: string): boolean {
  return parseRange(text) !== undefined;
}
