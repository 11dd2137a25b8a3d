/**
 * Crash-safe file writes: a reader never sees a half-written checkpoint, cache entry or results file,
 * because every write goes to a temporary file in the same folder and is renamed into place.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

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
  truncateTornTail(target);
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
 * Reads a JSON Lines file, skipping a torn last line (a crash mid-append) instead of failing.
 * Returns [] when the file does not exist.
 */
export function readJsonLines<T>(source: string): T[] {
  if (!fs.existsSync(source)) return [];
  const lines = fs.readFileSync(source, 'utf8').split('\n');
  const records: T[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      records.push(JSON.parse(line) as T);
    } catch (error) {
      const isLastLine = lines.slice(index + 1).every((rest) => rest.trim() === '');
      if (!isLastLine) throw new Error(`${source}:${index + 1}: not valid JSON (${(error as Error).message})`);
    }
  });
  return records;
}

/**
 * Cuts a torn last line (no trailing newline: a crash mid-append) off a JSON Lines file, so that the
 * next append starts on a fresh line instead of gluing onto the fragment. Returns whether it cut.
 */
export function truncateTornTail(target: string): boolean {
  if (!fs.existsSync(target)) return false;
  const content = fs.readFileSync(target);
  if (content.length === 0 || content[content.length - 1] === 0x0a) return false;
  const lastNewline = content.lastIndexOf(0x0a);
  fs.truncateSync(target, lastNewline + 1);
  return true;
}
