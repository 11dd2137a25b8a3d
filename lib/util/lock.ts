/**
 * An exclusive lock file, so that two processes never write the same results store or run folder at once
 * (their appends and checkpoint renames would interleave). The file holds the owner's pid, host and command,
 * so that a refusal can name the other process, and a lock left by a process that died (kill -9) is taken
 * over instead of blocking forever.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DeltaSparsityError } from './errors';

interface LockOwner {
  pid: number;
  host: string;
  command: string;
  since: string;
}

/** A held lock; `release` is idempotent. */
export interface HeldLock {
  readonly file: string;
  release(): void;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(file: string): LockOwner | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as LockOwner;
  } catch {
    return undefined; // vanished, or caught half-written
  }
}

function tryCreate(file: string, owner: string): boolean {
  try {
    const handle = fs.openSync(file, 'wx');
    try {
      fs.writeSync(handle, owner);
    } finally {
      fs.closeSync(handle);
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/**
 * Takes the lock `file` (created with O_EXCL), or throws a DeltaSparsityError naming the process that
 * holds it: `<what>: <resource> is in use by process 1234 (…) since …`. A lock whose process no longer
 * runs on this host is taken over. `what` names the argument (`--store`, `runDir`), `resource` the path.
 */
export function acquireLock(file: string, what: string, resource: string): HeldLock {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const mine: LockOwner = {
    pid: process.pid,
    host: os.hostname(),
    command: [path.basename(process.argv[1] ?? process.argv0), ...process.argv.slice(2)].join(' ').slice(0, 200),
    since: new Date().toISOString(),
  };
  const text = JSON.stringify(mine);
  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryCreate(file, text)) {
      let held = true;
      return {
        file,
        release() {
          if (!held) return;
          held = false;
          // Only our own lock: never delete one a later owner took over.
          if (readOwner(file)?.pid === mine.pid && readOwner(file)?.since === mine.since) fs.rmSync(file, { force: true });
        },
      };
    }
    const owner = readOwner(file);
    if (owner === undefined) {
      // Being written this instant, or left empty by a crash between create and write: look again shortly,
      // and take over a lock that stays unreadable.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
      if (fs.existsSync(file) && readOwner(file) === undefined) fs.rmSync(file, { force: true });
      continue;
    }
    const stale = owner.host === mine.host && !isAlive(owner.pid);
    if (!stale) {
      throw new DeltaSparsityError(
        `${what}: ${resource} is in use by process ${owner.pid} on ${owner.host} (${owner.command}) since ${owner.since}. ` +
          `Wait for it to finish, or use another path (lock file: ${file}).`,
      );
    }
    // The owner died without releasing (kill -9). Remove its lock unless someone replaced it meanwhile.
    if (readOwner(file)?.since === owner.since) fs.rmSync(file, { force: true });
  }
  throw new DeltaSparsityError(`${what}: could not take the lock ${file} for ${resource}; try again.`);
}
