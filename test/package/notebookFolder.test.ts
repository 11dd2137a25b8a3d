/**
 * Notebooks in any folder of the repository import the package by name. tslab type-checks cells with
 * TypeScript's Node10 resolution (no self-reference), so the stub <root>/node_modules/delta-sparsity written by
 * scripts/link-package.js must be found from a new folder, and resolve to the same dist/ as Node does.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const folder = path.join(root, `.tmp-mywork-${process.pid}`);

beforeAll(() => {
  expect(spawnSync(process.execPath, [path.join(root, 'scripts', 'link-package.js')]).status).toBe(0);
  fs.mkdirSync(folder, { recursive: true });
});
afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));

describe('importing delta-sparsity from a new folder of the repository', () => {
  it('resolves for the type-checker (Node10, as tslab) and for Node to the built package', () => {
    const fromFile = path.join(folder, 'cell.ts');
    const resolved = ts.resolveModuleName('delta-sparsity', fromFile, { moduleResolution: ts.ModuleResolutionKind.Node10 }, ts.sys);
    expect(resolved.resolvedModule?.resolvedFileName).toBe(path.join(root, 'dist', 'index.d.ts'));
    expect(require.resolve('delta-sparsity', { paths: [folder] })).toBe(path.join(root, 'dist', 'index.js'));
  });

  it('resolves every subpath of package.json exports (delta-sparsity/data, ...) the same way, through the stub', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
    const subpaths = Object.keys(manifest.exports).filter((key) => key.startsWith('./') && key !== './package.json').map((key) => key.slice(2));
    expect(subpaths).toContain('viz');
    const fromFile = path.join(folder, 'cell.ts');
    for (const subpath of subpaths) {
      const resolved = ts.resolveModuleName(`delta-sparsity/${subpath}`, fromFile, { moduleResolution: ts.ModuleResolutionKind.Node10 }, ts.sys);
      expect(resolved.resolvedModule?.resolvedFileName, subpath).toBe(path.join(root, 'dist', subpath, 'index.d.ts'));
      expect(require.resolve(`delta-sparsity/${subpath}`, { paths: [folder] }), subpath).toBe(path.join(root, 'dist', subpath, 'index.js'));
    }
  });

  const tslab = path.join(root, 'node_modules', '.bin', 'tslab');
  const jupyter = spawnSync('jupyter', ['nbconvert', '--version']).status === 0;
  it.skipIf(!jupyter || !fs.existsSync(tslab))('runs a notebook there under tslab, headless', () => {
    // A kernelspec of our own (the machine's may point at another checkout).
    const jupyterPath = path.join(folder, 'jupyter');
    fs.mkdirSync(path.join(jupyterPath, 'kernels', 'tslab'), { recursive: true });
    fs.writeFileSync(
      path.join(jupyterPath, 'kernels', 'tslab', 'kernel.json'),
      JSON.stringify({ argv: [tslab, 'kernel', '--config-path', '{connection_file}'], display_name: 'TypeScript', language: 'typescript' }),
    );
    const cell =
      "import { studyFromEnvironment } from 'delta-sparsity';\nimport { formatSignificant } from 'delta-sparsity/viz';\n" +
      "console.log('data=' + studyFromEnvironment({ env: {} }).data + ' ' + formatSignificant(0.123456, 2));";
    const notebook = {
      cells: [{ cell_type: 'code', id: 'c1', metadata: {}, execution_count: null, outputs: [], source: cell }],
      metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } },
      nbformat: 4,
      nbformat_minor: 5,
    };
    fs.writeFileSync(path.join(folder, 'test.ipynb'), JSON.stringify(notebook));
    const run = spawnSync(
      'jupyter',
      ['nbconvert', '--to', 'notebook', '--execute', '--allow-errors', '--ExecutePreprocessor.kernel_name=tslab', '--output', 'executed', 'test.ipynb'],
      { cwd: folder, encoding: 'utf8', env: { ...process.env, JUPYTER_PATH: jupyterPath }, timeout: 300_000 },
    );
    expect(run.status, run.stderr).toBe(0);
    const executed = JSON.parse(fs.readFileSync(path.join(folder, 'executed.ipynb'), 'utf8')) as {
      cells: { outputs: { name?: string; text?: string | string[] }[] }[];
    };
    const text = executed.cells[0].outputs.map((o) => (Array.isArray(o.text) ? o.text.join('') : (o.text ?? ''))).join('');
    expect(text).not.toMatch(/Cannot find module/);
    expect(text).toContain('data=weizmann 0.12');
  }, 300_000);
});
