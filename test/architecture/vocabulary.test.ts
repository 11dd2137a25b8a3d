/**
 * One concept, one name (issue 15): no retired name listed in MIGRATION.md may come back anywhere in the
 * repository's code, tests, notebooks or documentation, except in the migration note and the code that reads
 * old files (lib/util/legacyNames.ts and the tests that write old files on purpose).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const ALLOWED = new Set(['MIGRATION.md', 'lib/util/legacyNames.ts', 'test/util/legacyNames.test.ts', 'test/train/legacyMetrics.test.ts', 'test/architecture/vocabulary.test.ts', 'test/cli/retiredNames.test.ts', 'test/util/userMistakes.test.ts']);
const SEARCHED = ['lib', 'test', 'notebooks', 'bench', 'scripts', 'data', '.ci', 'README.md', 'CONTRIBUTING.md', 'environment.md'];
const EXTENSIONS = new Set(['.ts', '.js', '.ipynb', '.md', '.sh', '.json', '.py', '.wat']);

/** The retired names: the first column of MIGRATION.md's "retired | now" table, e.g. `steps()` or `denseOpsPerFrame`. */
function retiredNames(): string[] {
  const note = fs.readFileSync(path.join(root, 'MIGRATION.md'), 'utf8');
  const table = note.slice(note.indexOf('| retired | now |')).split('\n\n')[0];
  return [...table.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]);
}

function files(entry: string): string[] {
  const full = path.join(root, entry);
  if (!fs.existsSync(full)) return [];
  if (fs.statSync(full).isFile()) return [entry];
  return fs.readdirSync(full, { withFileTypes: true }).flatMap((child) =>
    child.name === 'node_modules' || child.name.startsWith('.') && child.isDirectory() ? [] : files(path.join(entry, child.name)),
  );
}

function patternOf(name: string): RegExp {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // `steps()` is retired as a method: match it after a dot or as a declaration, not the English word.
  return name.endsWith('()') ? new RegExp(`(\\.|^\\s*)${escaped}`, 'm') : new RegExp(`\\b${escaped}\\b`);
}

describe('the vocabulary', () => {
  it('MIGRATION.md lists the retired names', () => {
    const names = retiredNames();
    expect(names.length).toBeGreaterThanOrEqual(20);
    expect(names).toContain('denseToDeltaOpsRatio');
  });

  it('no retired name is used outside the migration note and the legacy reader', () => {
    const names = retiredNames().map((name) => ({ name, pattern: patternOf(name) }));
    const found: string[] = [];
    for (const file of SEARCHED.flatMap(files)) {
      if (ALLOWED.has(file.split(path.sep).join('/')) || !EXTENSIONS.has(path.extname(file))) continue;
      const text = fs.readFileSync(path.join(root, file), 'utf8');
      for (const { name, pattern } of names) if (pattern.test(text)) found.push(`${file}: ${name}`);
    }
    expect(found).toEqual([]);
  });

  it('the cost mode is zero-skipping, never relabelled from spatial', () => {
    const found: string[] = [];
    for (const file of ['lib', 'notebooks'].flatMap(files)) {
      if (!EXTENSIONS.has(path.extname(file))) continue;
      const text = fs.readFileSync(path.join(root, file), 'utf8');
      if (/mode === 'spatial'|\['dense', 'spatial'|spatial: 'zero-skipping'/.test(text)) found.push(file);
    }
    expect(found).toEqual([]);
  });
});
