import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { applyDensityOverrides, parseLayerSpec, registerCostCommand } from '../../lib/cli/commands/cost';
import { CostResult, LayerWorkload, estimateCost, loadExampleWorkload } from '../../lib/hardware';
import { MEASUREMENT_VERSION } from '../../lib/train/runFolder';

const temporary = fs.mkdtempSync(path.join(os.tmpdir(), 'ds-cost-cli-'));
afterAll(() => fs.rmSync(temporary, { recursive: true, force: true }));
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

/** Runs `delta-sparsity cost ...args` in-process and returns what it wrote. */
async function runCost(args: string[]): Promise<{ stdout: string; stderr: string; exitCode: number | undefined }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  const program = new Command('delta-sparsity').exitOverride();
  registerCostCommand(program);
  await program.parseAsync(['node', 'delta-sparsity', 'cost', ...args]);
  const exitCode = typeof process.exitCode === 'number' ? process.exitCode : undefined;
  vi.restoreAllMocks();
  return { stdout, stderr, exitCode };
}

const layer: LayerWorkload = {
  name: 'fc',
  kind: 'dense',
  inputActivations: 1024,
  fanOut: 256,
  weights: 262144,
  outputs: 256,
  spatialDensity: 0.4,
  temporalDensity: 0.1,
};

describe('argument parsing', () => {
  it('parses --layer specs', () => {
    expect(parseLayerSpec('fc:dense:1024:256:262144:256:0.4:0.1')).toEqual(layer);
    expect(parseLayerSpec('fc:dense:1024:256:262144:256:0.4:0.1:0.5').weightDensity).toBe(0.5);
    expect(() => parseLayerSpec('fc:dense:1024')).toThrow(/--layer: expected name:kind:/);
    expect(() => parseLayerSpec('fc:dense:x:256:262144:256:0.4:0.1')).toThrow(/--layer fc inputs: expected a number/);
  });

  it('applies --densities to all layers or one', () => {
    const layers = [layer, { ...layer, name: 'fc2' }];
    const changed = applyDensityOverrides(layers, ['temporal=0.3,spatial=0.2', 'fc2.temporal=0.05']);
    expect(changed.map((l) => [l.spatialDensity, l.temporalDensity])).toEqual([
      [0.2, 0.3],
      [0.2, 0.05],
    ]);
    expect(layers[0].temporalDensity).toBe(0.1); // inputs are not mutated
    expect(() => applyDensityOverrides(layers, ['nope.temporal=0.1'])).toThrow(/a layer name \(one of fc, fc2\)/);
    expect(() => applyDensityOverrides(layers, ['speed=2'])).toThrow(/--densities: expected key=value/);
  });

  it('moves a measured workload\'s MAC densities with the densities it overrides (regression: --densities temporal=0.9 left delta MACs at the measured 0.05)', () => {
    const measured: LayerWorkload = { ...layer, zeroSkippingMacDensity: 0.3, deltaMacDensity: 0.05 };
    const [changed] = applyDensityOverrides([measured], ['temporal=0.3,spatial=0.2']);
    // In proportion to the measured ratios: 0.3 · 0.05 / 0.1 = 0.15 and 0.2 · 0.3 / 0.4 = 0.15.
    expect(changed.deltaMacDensity).toBeCloseTo(0.15, 12);
    expect(changed.zeroSkippingMacDensity).toBeCloseTo(0.15, 12);
    // Clamped at 1: 0.9 · 0.05 / 0.1 = 0.45; 0.9 · 0.3 / 0.4 = 0.675; a ratio above 1 would stop at 1.
    const [high] = applyDensityOverrides([{ ...measured, deltaMacDensity: 0.2 }], ['temporal=0.9']);
    expect(high.deltaMacDensity).toBe(1);
    // The same what-if as the cost model's own temporalDensity option (the cross-over's assumption).
    const viaOverride = estimateCost([changed], 'eyeriss-v2-like').totals.delta;
    const viaOption = estimateCost([measured], 'eyeriss-v2-like', { temporalDensity: 0.3 }).totals.delta;
    expect(viaOverride.macs).toBeCloseTo(viaOption.macs, 6);
    expect(viaOverride.energyPj.total).toBeCloseTo(viaOption.energyPj.total, 6);
    expect(viaOverride.macs).toBeCloseTo(0.15 * 1024 * 256, 6);
  });
});

describe('delta-sparsity cost', () => {
  it('--run <folder> --json prints one JSON document equal to estimateCost on <run>/workload.json', async () => {
    const run = path.join(temporary, 'run1');
    fs.mkdirSync(run);
    fs.writeFileSync(path.join(run, 'workload.json'), JSON.stringify({ layers: [layer] }));
    const { stdout, stderr, exitCode } = await runCost(['--run', run, '--hardware', 'horowitz-45nm-int8', '--json']);
    expect(exitCode).toBeUndefined();
    const document = JSON.parse(stdout) as CostResult & { source: string };
    expect(document.source).toBe(path.join(run, 'workload.json'));
    const { source: _source, ...result } = document;
    expect(result).toEqual(JSON.parse(JSON.stringify(estimateCost([layer], 'horowitz-45nm-int8'))));
    expect(stderr).toContain('cross-over temporal density');
  });

  it('--run on a workload measured by an earlier version says so and how to re-measure it; a current one does not', async () => {
    const old = path.join(temporary, 'old-run');
    fs.mkdirSync(old);
    fs.writeFileSync(path.join(old, 'workload.json'), JSON.stringify({ layers: [layer] }));
    const stale = await runCost(['--run', old]);
    expect(stale.stderr).toMatch(/^note: .*workload\.json was measured by an earlier version .*train --config <run>\/config\.json --run <run>/m);
    const current = path.join(temporary, 'current-run');
    fs.mkdirSync(current);
    fs.writeFileSync(path.join(current, 'workload.json'), JSON.stringify({ measurementVersion: MEASUREMENT_VERSION, layers: [layer] }));
    expect((await runCost(['--run', current])).stderr).not.toContain('note:');
  });

  it('--example with --densities prints a table', async () => {
    const { stdout, exitCode } = await runCost(['--example', 'example-video-cnn', '--densities', 'temporal=0.05']);
    expect(exitCode).toBeUndefined();
    expect(stdout).toMatch(/conv2\s+delta\s+0\.050/);
    expect(stdout).toMatch(/^total\s+dense/m);
    const expected = estimateCost(loadExampleWorkload('example-video-cnn'), 'eyeriss-v2-like', { temporalDensity: 0.05 });
    expect(stdout).toContain(`overall  ${expected.crossover.vsDense.toFixed(4)}`);
  });

  it('a bad density in a workload file ends with a one-line error naming the layer and the value', async () => {
    const file = path.join(temporary, 'bad.json');
    fs.writeFileSync(file, JSON.stringify({ layers: [{ ...layer, spatialDensity: 1.5 }] }));
    const { stderr, exitCode } = await runCost(['--run', file]);
    expect(exitCode).toBe(1);
    expect(stderr).toMatch(/^error: .*bad\.json: spatialDensity of layer "fc": expected a density in \[0, 1\]\. Received: .*=1\.5\n$/);
  });

  it('needs exactly one source of layers', async () => {
    const { stderr, exitCode } = await runCost([]);
    expect(exitCode).toBe(1);
    expect(stderr).toMatch(/exactly one of --run/);
  });
});
