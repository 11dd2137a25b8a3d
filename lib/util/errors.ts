/**
 * Errors for user mistakes. Every message names the argument, what was expected and what was received,
 * so that a user never has to read a stack trace from inside TensorFlow.js to find out what went wrong.
 */

/** An argument, option or input that a user gave and that the library cannot accept. */
export class DeltaSparsityError extends Error {
  override readonly name = 'DeltaSparsityError';
}

/** Renders a received value compactly for an error message (arrays and objects as JSON, long ones cut). */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch {
    text = String(value);
  }
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

/**
 * Builds the standard error for a bad argument:
 * `threshold: expected a positive finite number. Received: threshold=-1`.
 */
export function invalidArgument(argument: string, expected: string, received: unknown): DeltaSparsityError {
  return new DeltaSparsityError(`${argument}: expected ${expected}. Received: ${argument}=${describeValue(received)}`);
}

/** `word` with its indefinite article, for messages built from a type name: 'an object', 'a number'. */
export function withArticle(word: string): string {
  return `${/^[aeiou]/i.test(word) ? 'an' : 'a'} ${word}`;
}

/** Throws `invalidArgument` unless `value` is a finite number > 0. Returns the value for chaining. */
export function requirePositive(argument: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw invalidArgument(argument, 'a positive finite number', value);
  }
  return value;
}

/** Throws `invalidArgument` unless `value` is a finite number >= 0. */
export function requireNonNegative(argument: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw invalidArgument(argument, 'a finite number >= 0', value);
  }
  return value;
}

/** Throws `invalidArgument` unless `value` is an integer >= `min`. */
export function requireInteger(argument: string, value: unknown, min = 1): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw invalidArgument(argument, `an integer >= ${min}`, value);
  }
  return value;
}

/** Throws `invalidArgument` unless `value` is one of `choices`. */
export function requireOneOf<T extends string>(argument: string, value: unknown, choices: readonly T[]): T {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw invalidArgument(argument, `one of ${choices.map((c) => JSON.stringify(c)).join(', ')}`, value);
  }
  return value as T;
}

/**
 * Throws `invalidArgument` unless `value` is a non-empty string, e.g. a required path (`runDir`, `storeFile`)
 * that would otherwise reach node:path as undefined and fail with a TypeError about `paths[0]`.
 * `expected` says what the string is, e.g. 'a run folder path'.
 */
export function requireNonEmptyString(argument: string, value: unknown, expected = 'a non-empty string'): string {
  if (typeof value !== 'string' || value.length === 0) throw invalidArgument(argument, expected, value);
  return value;
}

/** Edit distance, for suggesting the closest valid names when a user misspells one. */
export function levenshtein(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0];
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      previous[j] = Math.min(previous[j] + 1, previous[j - 1] + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return previous[b.length];
}

/**
 * Throws a DeltaSparsityError for the first key of `args` that is not in `known` (a misspelt argument is
 * otherwise silently ignored), suggesting the closest known name. `owner` names the function, e.g. 'buildSmallCnn'.
 */
export function rejectUnknownKeys(owner: string, args: object, known: readonly string[]): void {
  for (const key of Object.keys(args)) {
    if (known.includes(key)) continue;
    // Only a plausible misspelling is suggested: 'lamda' suggesting 'name' misleads more than it helps.
    const guess = likelyMeant(key, known, 1)[0];
    throw new DeltaSparsityError(
      `${owner}: unknown argument '${key}'${guess === undefined ? '' : ` (did you mean ${guess}?)`}. Expected one of: ${known.join(', ')}. Received: ${key}=${describeValue((args as Record<string, unknown>)[key])}`,
    );
  }
}

/**
 * The option names of an options type as a runtime list, for `checkOptionKeys`. Written as an object literal
 * `{ name: true, ... }` typed `Record<keyof T, true>`, so that the compiler rejects a name the type lacks and
 * demands every name it has: the runtime check cannot drift from the interface.
 */
export function optionKeys<T extends object>(keys: Record<keyof T & string, true>): readonly string[] {
  return Object.keys(keys);
}

/**
 * Checks the options object a user passed to a public function (plain-JavaScript callers get no compile-time
 * check): throws `invalidArgument` unless it is a plain object (undefined stands for `{}`), and a
 * DeltaSparsityError for a misspelt or unknown option, with the closest known name (`rejectUnknownKeys`).
 * Returns the options (`{}` for undefined). `owner` names the function, e.g. 'createWeizmannDataset'.
 */
export function checkOptionKeys<T extends object>(owner: string, options: T | undefined, known: readonly string[]): T {
  if (options === undefined) return {} as T;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw invalidArgument(`${owner} options`, 'an object of named options', options);
  }
  rejectUnknownKeys(owner, options, known);
  return options;
}

/**
 * The candidates `name` is plausibly a misspelling of (case-insensitive edit distance at most a third of the
 * longer name, and at least 2 allowed), best first, at most `count`: `eyeris-v2` suggests `eyeriss-v2-like`,
 * while `nope` suggests nothing rather than every candidate.
 */
export function likelyMeant(name: string, candidates: readonly string[], count = 3): string[] {
  const lower = name.toLowerCase();
  return closestNames(name, candidates, candidates.length)
    .filter((candidate) => levenshtein(lower, candidate.toLowerCase()) <= Math.max(2, Math.floor(Math.max(name.length, candidate.length) / 3)))
    .slice(0, count);
}

/** The `count` candidates closest to `name` (case-insensitive edit distance), best first. */
export function closestNames(name: string, candidates: readonly string[], count = 3): string[] {
  const lower = name.toLowerCase();
  return [...candidates]
    .map((candidate) => ({ candidate, distance: levenshtein(lower, candidate.toLowerCase()) }))
    .sort((x, y) => x.distance - y.distance || x.candidate.localeCompare(y.candidate))
    .slice(0, count)
    .map((entry) => entry.candidate);
}
