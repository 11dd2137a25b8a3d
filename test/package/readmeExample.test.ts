/**
 * README's "Training a model you built yourself" example runs as written, against the built package (issue:
 * a user's own model had no documented training route): the snippet is cut from README.md, its types stripped,
 * and run with node from inside this package, so that `delta-sparsity` and `delta-sparsity/train` resolve
 * through package.json `exports` as in a user's project. Needs dist/ (npm test builds it first).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');

/** The first ```ts block after `heading` in README.md. */
function readmeBlock(heading: string): string {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const at = readme.indexOf(heading);
  expect(at, `README.md has no "${heading}"`).toBeGreaterThanOrEqual(0);
  const match = /```ts\n([\s\S]*?)```/.exec(readme.slice(at));
  expect(match, `no ts block after "${heading}"`).not.toBeNull();
  return match![1];
}

describe("README's own-model training example", () => {
  it('trains, evaluates on all test clips and prints the accuracy', () => {
    expect(fs.existsSync(path.join(root, 'dist/index.js')), 'run `npm run build` first (npm test does)').toBe(true);
    const source = readmeBlock('### Training a model you built yourself');
    // ES module output keeps the example's top-level await.
    const { outputText, diagnostics } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      reportDiagnostics: true,
    });
    expect(diagnostics ?? []).toEqual([]);
    // Inside the package (the ignored cache folder), so that the package resolves itself by name.
    const folder = path.join(root, '.cache', 'readme-example');
    fs.mkdirSync(folder, { recursive: true });
    const file = path.join(folder, `example-${process.pid}.mjs`);
    fs.writeFileSync(file, outputText);
    try {
      const run = spawnSync(process.execPath, [file], { cwd: root, encoding: 'utf8', env: { ...process.env, DELTA_BACKEND: 'cpu' } });
      expect(run.status, run.stderr).toBe(0);
      const printed = /test clip accuracy ([\d.]+) on (\d+) clips/.exec(run.stdout);
      expect(printed, run.stdout).not.toBeNull();
      // 2 classes x testPerClass 2 videos x 1 test window each = 4 clips; an accuracy is a fraction of them.
      expect(Number(printed![2])).toBe(4);
      expect(Number(printed![1]) * 4).toBeCloseTo(Math.round(Number(printed![1]) * 4), 9);
    } finally {
      fs.rmSync(file, { force: true });
    }
  });
});
