/**
 * Crash-safe file writes: a reader never sees a half-written checkpoint, cache entry or results file,
 * because every write goes to a temporary file in the same folder and is renamed into place.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as z from 'zod';
import { DeltaSparsityError } from './errors';

let temporaryCounter = 0;

function temporaryPathFor(target: string): string {
  temporaryCounter += 1;
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${temporaryCounter}.tmp`);
}

/** Writes `data` to `target` and flushes it to disk (fsync) before returning; creates folders. */
export function writeFileDurable(target: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const handle = fs.openSync(target, 'w');
  try {
    fs.writeSync(handle, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fs.fsyncSync(handle);
  } finally {
    fs.closeSync(handle);
  }
}

/** Writes `data` to `target` atomically (write to a temporary file, fsync, rename), creating folders. */
export function writeFileAtomic(target: string, data: string | Uint8Array): void {
  const temporary = temporaryPathFor(target);
  writeFileDurable(temporary, data);
  fs.renameSync(temporary, target);
}

/**
 * Appends one line to a JSON Lines file so that the line is either wholly there or absent after a crash:
 * a single `write` of a complete line with O_APPEND, then fsync.
 */
export function appendLineDurable(target: string, line: string): void {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  // A fragment left by a crash mid-append would glue onto this line and corrupt both.
  repairTornTail(target);
  const text = line.endsWith('\n') ? line : `${line}\n`;
  const handle = fs.openSync(target, 'a');
  try {
    fs.writeSync(handle, text);
    fs.fsyncSync(handle);
  } finally {
    fs.closeSync(handle);
  }
}

/**
 * Throws a one-line DeltaSparsityError unless `target` is absent or a regular file (`what` names the
 * option or role, e.g. `--store`).
 */
export function expectFileOrNothing(target: string, what: string): void {
  if (fs.existsSync(target) && !fs.statSync(target).isFile()) {
    throw new DeltaSparsityError(`${what}: ${target} is a folder, where a file is expected. Pick another path.`);
  }
}

/**
 * Throws a one-line DeltaSparsityError unless `target` is absent or a folder (`what` names the option or
 * role, e.g. `--run`).
 */
export function expectFolderOrNothing(target: string, what: string): void {
  if (fs.existsSync(target) && !fs.statSync(target).isDirectory()) {
    throw new DeltaSparsityError(`${what}: ${target} is a file, where a folder is expected. Pick another path.`);
  }
  // A folder that does not exist yet cannot be made below a file either (mkdir fails with ENOTDIR).
  for (let parent = path.dirname(path.resolve(target)); ; parent = path.dirname(parent)) {
    if (fs.existsSync(parent)) {
      if (!fs.statSync(parent).isDirectory()) {
        throw new DeltaSparsityError(`${what}: ${target} is below ${parent}, which is a file, where a folder is expected. Pick another path.`);
      }
      break;
    }
    if (path.dirname(parent) === parent) break;
  }
}

/** A schema for one JSON Lines record: anything with zod's `safeParse`. */
export type RecordSchema<T> = z.ZodType<T>;

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  const where = issue.path.length > 0 ? `field ${issue.path.map(String).join('.')}: ` : '';
  return `${where}${issue.message}`;
}

function parsesAsJson(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

/**
 * Reads a JSON Lines file. A last line that does not parse and has no newline after it is a torn write (a
 * crash mid-append) and is skipped; a complete record without its newline is kept. Any other bad line (not
 * JSON, or not matching `schema`) throws a DeltaSparsityError `<file>:<line>: <what is wrong>`.
 * Returns [] when the file does not exist; throws when `source` is a folder.
 */
export function readJsonLines<T>(source: string, schema?: RecordSchema<T>): T[] {
  if (!fs.existsSync(source)) return [];
  expectFileOrNothing(source, 'JSON Lines file');
  const content = fs.readFileSync(source, 'utf8');
  const lines = content.split('\n');
  const records: T[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      const isTornTail = index === lines.length - 1; // no newline after it
      if (isTornTail) return;
      throw new DeltaSparsityError(
        `${source}:${index + 1}: not valid JSON (${(error as Error).message}). Fix or delete that line.`,
      );
    }
    if (schema === undefined) {
      records.push(value as T);
      return;
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      throw new DeltaSparsityError(
        `${source}:${index + 1}: not a valid record (${describeIssue(parsed.error)}). Fix or delete that line.`,
      );
    }
    records.push(parsed.data);
  });
  return records;
}

/**
 * Repairs the end of a JSON Lines file after a crash mid-append, so that the next append starts on a
 * fresh line: a last line without its newline is completed when it parses as JSON (the write finished
 * but for the newline: the record is whole) and cut off otherwise (a torn write).
 * Returns 'cut', 'completed' or 'intact'.
 */
export function repairTornTail(target: string): 'cut' | 'completed' | 'intact' {
  if (!fs.existsSync(target)) return 'intact';
  const content = fs.readFileSync(target);
  if (content.length === 0 || content[content.length - 1] === 0x0a) return 'intact';
  const lastNewline = content.lastIndexOf(0x0a);
  const tail = content.subarray(lastNewline + 1).toString('utf8');
  if (tail.trim() !== '' && parsesAsJson(tail)) {
    fs.appendFileSync(target, '\n');
    return 'completed';
  }
  fs.truncateSync(target, lastNewline + 1);
  return 'cut';
}

/**
 * Deletes the temporary files that `writeFileAtomic` of another process left in `folder` (a crash between
 * writing and renaming: `.<name>.<pid>.<n>.tmp`). Call only while holding the folder's lock, when no other
 * process can be writing there. Returns the names removed.
 */
export function removeStrayTemporaries(folder: string): string[] {
  if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) return [];
  const removed: string[] = [];
  for (const name of fs.readdirSync(folder)) {
    const match = /^\..+\.(\d+)\.\d+\.tmp$/.exec(name);
    if (match === null || Number(match[1]) === process.pid) continue;
    fs.rmSync(path.join(folder, name), { force: true });
    removed.push(name);
  }
  return removed;
}
