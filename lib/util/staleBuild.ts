/**
 * Detects a package rebuilt under a running process: after `npm run build` with a notebook kernel still
 * running, the kernel keeps the old modules in Node's require cache, and calling an export added by the build
 * fails with "... is not a function". The build rewrites every emitted file (tsc has no incremental output
 * here), so the entry file's modification time changing since it was loaded is the sign.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface StaleBuildCheck {
  /** The file watched (the built entry point). */
  readonly file: string;
  /** A one-line hint when `file` changed since the check was created, else `undefined`. */
  check(): string | undefined;
}

function modifiedMs(file: string): number | undefined {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Remembers `file`'s modification time now; `check()` later compares with the file's current one. */
export function createStaleBuildCheck(file: string): StaleBuildCheck {
  const loadedMs = modifiedMs(file);
  return {
    file,
    check() {
      const nowMs = modifiedMs(file);
      if (loadedMs === undefined || nowMs === undefined || nowMs === loadedMs) return undefined;
      return `delta-sparsity: ${path.basename(path.dirname(file))}/ was rebuilt since this kernel loaded it — restart the kernel to use the new build.`;
    },
  };
}

// This module is dist/util/staleBuild.js in the built package: the entry point is dist/index.js. Run from
// source (tests) there is no such file and the check never fires.
const packageCheck = createStaleBuildCheck(path.join(__dirname, '..', 'index.js'));
let warned = false;

/**
 * Prints the restart hint once per process (on stdout, so a notebook shows it as a plain line) when the
 * package's dist/ was rebuilt after it was loaded; returns the hint or `undefined`. Called by the notebook
 * entry points (studyFromEnvironment, initBackend, showFigure, showTable).
 */
export function warnIfStaleBuild(check: StaleBuildCheck = packageCheck): string | undefined {
  const hint = check.check();
  if (hint !== undefined && (!warned || check !== packageCheck)) {
    if (check === packageCheck) warned = true;
    process.stdout.write(`${hint}\n`);
  }
  return hint;
}
