/**
 * The "restart the kernel" hint: a kernel that loaded dist/ keeps the old modules after `npm run build`.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createStaleBuildCheck } from '../../lib/util/staleBuild';

const root = path.resolve(__dirname, '../..');

describe('stale build detection', () => {
  it('says nothing while the file is unchanged, and gives the restart hint once it was rewritten', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stale-'));
    const file = path.join(dir, 'index.js');
    fs.writeFileSync(file, 'old');
    const check = createStaleBuildCheck(file);
    expect(check.check()).toBeUndefined();
    // A rebuild: new content, a later modification time (set explicitly: two writes can share a timestamp).
    fs.writeFileSync(file, 'new');
    const later = new Date(fs.statSync(file).mtimeMs + 5000);
    fs.utimesSync(file, later, later);
    expect(check.check()).toMatch(/was rebuilt since this kernel loaded it.*restart the kernel/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('never fires for a file that does not exist (the package run from source)', () => {
    const check = createStaleBuildCheck(path.join(os.tmpdir(), 'no-such-dir-xyz', 'index.js'));
    expect(check.check()).toBeUndefined();
  });

  it('prints the hint once from the built package when dist/index.js is rewritten under a running process', () => {
    const entry = path.join(root, 'dist', 'index.js');
    expect(fs.existsSync(entry), 'run `npm run build` first (npm test does)').toBe(true);
    // The child loads the package, the entry's mtime moves forward (as a rebuild does), then two notebook
    // entry points are called: the hint appears once, on stdout. The mtime is restored afterwards.
    const script = `
      const fs = require('fs');
      const ds = require(${JSON.stringify(entry)});
      const before = fs.statSync(${JSON.stringify(entry)});
      ds.studyFromEnvironment({ env: {} });
      console.log('--- rebuilt');
      const later = new Date(before.mtimeMs + 5000);
      fs.utimesSync(${JSON.stringify(entry)}, before.atime, later);
      try {
        ds.studyFromEnvironment({ env: {} });
        ds.studyFromEnvironment({ env: {} });
      } finally {
        fs.utimesSync(${JSON.stringify(entry)}, before.atime, before.mtime);
      }`;
    const result = spawnSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    const [beforeRebuild, afterRebuild] = result.stdout.split('--- rebuilt');
    expect(beforeRebuild).not.toMatch(/restart the kernel/);
    expect(afterRebuild.match(/restart the kernel/g)).toHaveLength(1);
  });
});
