/**
 * The curated public API (issue 15, item 5): the package root exports at most 60 runtime names, and every subpath
 * declared in package.json `exports` (`delta-sparsity/data`, ...) resolves from the built package, for Node
 * (`require`, through `exports`) and for TypeScript with Node10 resolution (through `typesVersions`). Needs dist/
 * (`npm test` builds it first).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');

interface ExportTarget {
  types: string;
  default: string;
}
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, ExportTarget | string>;
  typesVersions: Record<string, Record<string, string[]>>;
};
const subpaths = Object.keys(manifest.exports).filter((key) => key.startsWith('./') && key !== './package.json').map((key) => key.slice(2));

/** Runs `script` in a fresh Node process in the repository (so `delta-sparsity` resolves by self-reference) and parses its last line. */
function nodeJson<T>(script: string): T {
  const result = spawnSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8', env: { ...process.env, DELTA_BACKEND: 'cpu' } });
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout.trim().split('\n').pop() as string) as T;
}

beforeAll(() => {
  expect(fs.existsSync(path.join(root, 'dist/index.js')), 'run `npm run build` first (npm test does)').toBe(true);
});

describe('the package root', () => {
  it('exports at most 60 runtime names, each defined', () => {
    const names = nodeJson<{ name: string; type: string }[]>(
      "const api = require('delta-sparsity'); console.log(JSON.stringify(Object.keys(api).map((name) => ({ name, type: typeof api[name] }))));",
    );
    expect(names.length).toBeGreaterThan(0);
    expect(names.length, names.map((n) => n.name).join(', ')).toBeLessThanOrEqual(60);
    expect(names.filter((n) => n.type === 'undefined')).toEqual([]);
    // The list of what a script or notebook needs, one representative per group.
    for (const name of ['initBackend', 'DeltaActivation', 'buildSmallCnn', 'insertSparsityLayers', 'measureSparsity', 'createStreamingModel',
      'createSparseEngine', 'train', 'trainRecipe', 'fixedThresholdSweep', 'estimateCost', 'crossoverTemporalDensity',
      'createWeizmannDataset', 'showFigure', 'showTable', 'DeltaSparsityError']) {
      expect(names.map((n) => n.name), name).toContain(name);
    }
  });
});

describe('the subpaths of package.json exports', () => {
  it('are one per lib/ folder with an index, with typesVersions naming the same files', () => {
    expect(subpaths.length).toBeGreaterThanOrEqual(10);
    for (const subpath of subpaths) {
      expect(fs.existsSync(path.join(root, 'lib', subpath, 'index.ts')), subpath).toBe(true);
      expect(manifest.exports[`./${subpath}`]).toEqual({ types: `./dist/${subpath}/index.d.ts`, default: `./dist/${subpath}/index.js` });
      expect(manifest.typesVersions['*'][subpath]).toEqual([`dist/${subpath}/index.d.ts`]);
    }
    expect(Object.keys(manifest.typesVersions['*']).sort()).toEqual([...subpaths].sort());
  });

  it('each resolves with require to its dist/<folder>/index.js and exports something', () => {
    const resolved = nodeJson<{ subpath: string; file: string; names: number }[]>(`
      const subpaths = ${JSON.stringify(subpaths)};
      console.log(JSON.stringify(subpaths.map((subpath) => ({
        subpath,
        file: require.resolve('delta-sparsity/' + subpath),
        names: Object.keys(require('delta-sparsity/' + subpath)).length,
      }))));`);
    for (const { subpath, file, names } of resolved) {
      expect(file, subpath).toBe(path.join(root, 'dist', subpath, 'index.js'));
      expect(names, subpath).toBeGreaterThan(0);
    }
    // A folder that is not declared stays internal: exports refuses it.
    const refused = spawnSync(process.execPath, ['-e', "require('delta-sparsity/train/trainer')"], { cwd: root, encoding: 'utf8' });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  it('the root and a subpath give the same function object (one copy of the library)', () => {
    const same = nodeJson<boolean>(
      "console.log(JSON.stringify(require('delta-sparsity').estimateCost === require('delta-sparsity/hardware').estimateCost));",
    );
    expect(same).toBe(true);
  });

  it('each resolves for TypeScript with Node10 resolution (typesVersions) and with Node16 (exports)', () => {
    // A consumer file beside a node_modules/delta-sparsity that is this package (a symlink, as npm link makes).
    // Outside the repository, else Node16 resolution finds the package by self-reference instead.
    const consumer = fs.mkdtempSync(path.join(os.tmpdir(), 'delta-consumer-'));
    try {
      fs.mkdirSync(path.join(consumer, 'node_modules'));
      fs.symlinkSync(root, path.join(consumer, 'node_modules', 'delta-sparsity'), 'dir');
      const fromFile = path.join(consumer, 'script.ts');
      const host: ts.ModuleResolutionHost = { ...ts.sys, realpath: (p) => p }; // keep the consumer's view of the path
      for (const subpath of subpaths) {
        const expected = path.join(consumer, 'node_modules', 'delta-sparsity', 'dist', subpath, 'index.d.ts');
        const node10 = ts.resolveModuleName(`delta-sparsity/${subpath}`, fromFile, { moduleResolution: ts.ModuleResolutionKind.Node10 }, host);
        expect(node10.resolvedModule?.resolvedFileName, `node10 ${subpath}`).toBe(expected);
        const node16 = ts.resolveModuleName(
          `delta-sparsity/${subpath}`,
          fromFile,
          { moduleResolution: ts.ModuleResolutionKind.Node16, module: ts.ModuleKind.Node16 },
          host,
          undefined,
          undefined,
          ts.ModuleKind.CommonJS,
        );
        expect(node16.resolvedModule?.resolvedFileName, `node16 ${subpath}`).toBe(expected);
      }
      const rootTypes = ts.resolveModuleName('delta-sparsity', fromFile, { moduleResolution: ts.ModuleResolutionKind.Node10 }, host);
      expect(rootTypes.resolvedModule?.resolvedFileName).toBe(path.join(consumer, 'node_modules', 'delta-sparsity', 'dist', 'index.d.ts'));
    } finally {
      fs.rmSync(consumer, { recursive: true, force: true });
    }
  });
});
