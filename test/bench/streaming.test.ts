/** The streaming benchmark's clips, densities and JSON output (no timing assertions). */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runStreamingBench, timeDensityPoints } from '../../lib/bench';
import { buildSmallCnn } from '../../lib/models/smallCnn';
import { saveModelToFolder } from '../../lib/train/fileModelIO';
import { leastSquares } from '../../lib/util/leastSquares';

const root = path.resolve(__dirname, '../..');

describe('leastSquares', () => {
  it('fits a line by hand', () => {
    expect(leastSquares([0, 1, 2], [1, 3, 5])).toEqual({ slope: 2, intercept: 1 });
    // x̄ = 1, ȳ = 2/3; Σ(x − x̄)(y − ȳ) = (−1)(−2/3) + 0 + (1)(1/3) = 1; Σ(x − x̄)² = 2 → slope 0.5, intercept 1/6.
    const fit = leastSquares([0, 1, 2], [0, 1, 1]);
    expect(fit.slope).toBeCloseTo(0.5, 12);
    expect(fit.intercept).toBeCloseTo(1 / 6, 12);
    expect(() => leastSquares([1, 1], [0, 2])).toThrow(/two distinct x/);
  });
});

describe('runStreamingBench', () => {
  it('measures a static, a real and a noise clip, with op densities the engine counted', async () => {
    const T = 6;
    const missing = path.join(os.tmpdir(), 'no-weizmann-here');
    const result = await runStreamingBench({ frames: T, repeats: 1, backend: 'cpu', weizmannRoot: missing, quiet: true, run: undefined });
    const s = result.streaming;
    expect(s.model.trained).toBe(s.model.run !== null); // untrained unless the study's delta run exists
    expect(s.clips.map((c) => c.name)).toEqual(['static', 'ucf101', 'noise']);
    expect(s.notes.join(' ')).toContain(missing);
    const [still, , noise] = s.clips;
    // Static: only the first frame is sent (whole), so at most 1/T of the dense operations; noise changes
    // nearly every input each frame.
    expect(still.macDensity).toBeGreaterThan(0);
    expect(still.macDensity).toBeLessThanOrEqual(1 / T + 1e-12);
    expect(noise.macDensity).toBeGreaterThan(0.2);
    for (const c of s.clips) {
      for (const key of ['sparseMsPerFrame', 'denseMsPerFrame', 'denseClipMsPerFrame'] as const) expect(c[key]).toBeGreaterThan(0);
    }
    const fit = leastSquares(s.clips.map((c) => c.macDensity), s.clips.map((c) => c.sparseMsPerFrame));
    expect(s.fit).toEqual({ slopeMs: fit.slope, interceptMs: fit.intercept });
    expect(timeDensityPoints(result).map((p) => p.name)).toEqual(['static', 'ucf101', 'noise']);
  }, 120_000);
});

describe('runStreamingBench loops', () => {
  it('runs the TypeScript fallback on request, with the op densities of the wasm loops, and says which ran', async () => {
    const missing = path.join(os.tmpdir(), 'no-weizmann-here');
    const common = { frames: 4, repeats: 1, backend: 'cpu' as const, weizmannRoot: missing, quiet: true };
    const wasm = await runStreamingBench({ ...common, loops: 'wasm' });
    const typescript = await runStreamingBench({ ...common, loops: 'typescript' });
    expect([wasm.streaming.loops, typescript.streaming.loops]).toEqual(['wasm', 'typescript']);
    expect(typescript.streaming.clips.map((c) => c.macDensity)).toEqual(wasm.streaming.clips.map((c) => c.macDensity));
    expect(wasm.streaming.denseConvolutions).toBeNull(); // the cpu backend has no conv provider choice
    expect(wasm.streaming.machine.cpus).toBeGreaterThan(0);
  }, 120_000);
});

describe('runStreamingBench --run', () => {
  it('uses the model of a run folder with a checkpoint, and rejects a folder without one', async () => {
    const run = fs.mkdtempSync(path.join(os.tmpdir(), 'stream-run-'));
    // A run folder as the trainer leaves it: checkpoint/model (tfjs Layers format) and checkpoint/state.json.
    const model = buildSmallCnn({ inputShape: [null, 16, 16, 3], classes: 2, filters: [4], variant: 'delta' });
    await saveModelToFolder(model, path.join(run, 'checkpoint', 'model'));
    fs.writeFileSync(path.join(run, 'checkpoint', 'state.json'), JSON.stringify({ epochsDone: 1, savedAt: '2026-01-01T00:00:00Z' }));
    model.dispose();
    const result = await runStreamingBench({ run, frames: 3, repeats: 1, backend: 'cpu', weizmannRoot: run, quiet: true });
    expect(result.streaming.model).toMatchObject({ trained: true, run, frameShape: [16, 16, 3] });
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'stream-empty-'));
    await expect(runStreamingBench({ run: empty, frames: 3, repeats: 1, backend: 'cpu', quiet: true })).rejects.toThrow(/run: expected a run folder with a checkpoint/);
  }, 120_000);
});

describe('runStreamingBench on a baseline run', () => {
  it('notes that a model without delta layers skips nothing for being unchanged', async () => {
    const run = fs.mkdtempSync(path.join(os.tmpdir(), 'stream-baseline-'));
    const model = buildSmallCnn({ inputShape: [null, 16, 16, 3], classes: 2, filters: [4], variant: 'baseline' });
    await saveModelToFolder(model, path.join(run, 'checkpoint', 'model'));
    fs.writeFileSync(path.join(run, 'checkpoint', 'state.json'), JSON.stringify({ epochsDone: 1, savedAt: '2026-01-01T00:00:00Z' }));
    model.dispose();
    const result = await runStreamingBench({ run, frames: 3, repeats: 1, backend: 'cpu', weizmannRoot: run, quiet: true });
    expect(result.streaming.notes.join(' ')).toContain('no delta layers');
  }, 120_000);
});

describe('delta-sparsity bench --streaming --json', () => {
  const cli = path.join(root, 'dist/cli/main.js');
  it.skipIf(!fs.existsSync(cli))('prints the clips with the fields of the issue', () => {
    const stdout = execFileSync(process.execPath, [cli, 'bench', '--streaming', '--quick', '--json', '--backend', 'cpu'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const document = JSON.parse(stdout) as { streaming: { clips: Record<string, unknown>[] } };
    expect(document.streaming.clips.length).toBeGreaterThanOrEqual(3);
    for (const clip of document.streaming.clips) {
      expect(Object.keys(clip)).toEqual(expect.arrayContaining(['name', 'macDensity', 'sparseMsPerFrame', 'denseMsPerFrame', 'denseClipMsPerFrame']));
    }
  }, 120_000);
});
