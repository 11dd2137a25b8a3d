/**
 * lib/viz is layer 1 (CONTRIBUTING.md): its figure builders take plain data, so it imports nothing from the
 * layers above it. And lib/ has no import cycle (type-only imports included), which issue #15 asked for.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const LIB = path.resolve(__dirname, '../../lib');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** The lib/ files a file imports or re-exports from (relative specifiers only; packages are not lib/). */
function localImports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:import|export)[^;]*?from\s+'(\.[^']+)'/g)].map((m) => m[1]);
  return specifiers.flatMap((spec) => {
    const base = path.resolve(path.dirname(file), spec);
    const found = [`${base}.ts`, path.join(base, 'index.ts')].find((candidate) => fs.existsSync(candidate));
    return found ? [found] : [];
  });
}

describe('import layering', () => {
  it('lib/viz imports only from lib/viz and lib/util', () => {
    const outside = sourceFiles(path.join(LIB, 'viz')).flatMap((file) =>
      localImports(file)
        .map((target) => path.relative(LIB, target).split(path.sep)[0])
        .filter((folder) => folder !== 'viz' && folder !== 'util')
        .map((folder) => `${path.relative(LIB, file)} -> ${folder}/`),
    );
    expect(outside).toEqual([]);
  });

  it('lib/ has no import cycle', () => {
    const files = sourceFiles(LIB);
    const edges = new Map(files.map((file) => [file, localImports(file)]));
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (file: string, trail: string[]): void => {
      state.set(file, 'open');
      for (const next of edges.get(file) ?? []) {
        if (state.get(next) === 'open') cycles.push([...trail.slice(trail.indexOf(next)), file, next].map((f) => path.relative(LIB, f)).join(' -> '));
        else if (!state.has(next)) visit(next, [...trail, file]);
      }
      state.set(file, 'done');
    };
    for (const file of files) if (!state.has(file)) visit(file, []);
    expect(cycles).toEqual([]);
  });
});
