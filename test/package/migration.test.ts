/**
 * MIGRATION.md's "now from" table is true: every name it lists is exported by the built subpath it names
 * (a user following the note must find the name there).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');

describe('MIGRATION.md', () => {
  it('lists names under the subpath that exports them', () => {
    const note = fs.readFileSync(path.join(root, 'MIGRATION.md'), 'utf8');
    const rows = [...note.matchAll(/^\| (.+) \| `delta-sparsity\/([a-z]+)` \|$/gm)];
    expect(rows.length).toBeGreaterThanOrEqual(10);
    const missing: string[] = [];
    for (const [, names, subpath] of rows) {
      const exported = require(path.join(root, 'dist', subpath, 'index.js')) as Record<string, unknown>;
      for (const [, name] of names.matchAll(/`([A-Za-z_]+)`/g)) if (exported[name] === undefined) missing.push(`${name} (delta-sparsity/${subpath})`);
    }
    expect(missing).toEqual([]);
  });
});
