/**
 * The built command line (`npm test` builds dist/ first): every command has --help, --json prints one JSON
 * document, and user mistakes end with a message and a non-zero exit instead of a stack trace.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltCli, runBuiltCli } from './builtCli';

const run = (args: string[]) => runBuiltCli(args, { DELTA_BACKEND: 'wasm' });

beforeAll(requireBuiltCli);

describe('delta-sparsity CLI', () => {
  it('has --help on every command', () => {
    for (const command of ['study', 'train', 'ablate', 'cost', 'data', 'bench', 'worker']) {
      const { status, stdout } = run([command, '--help']);
      expect(status, command).toBe(0);
      expect(stdout, command).toContain(`Usage: delta-sparsity ${command}`);
    }
  });

  it('rejects an unknown command and an unknown option with usage and a non-zero exit', () => {
    const unknownCommand = run(['trian']);
    expect(unknownCommand.status).not.toBe(0);
    expect(unknownCommand.stderr).toMatch(/unknown command 'trian'/);
    // The error, a suggestion, and where the usage is: not the whole help text.
    expect(unknownCommand.stderr).toContain('(add --help for usage)');
    expect(unknownCommand.stderr).not.toContain('Usage: delta-sparsity');
    const unknownOption = run(['train', '--run', 'x', '--epoch', '3']);
    expect(unknownOption.status).not.toBe(0);
    expect(unknownOption.stderr).toMatch(/unknown option '--epoch'/);
    expect(unknownOption.stderr.trim().split('\n')).toEqual(["error: unknown option '--epoch'", '(Did you mean --epochs?)', '(add --help for usage)']);
  });

  it('trains, resumes and ablates with --json documents that parse', () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-'));
    const baseline = run(['train', '--run', path.join(folder, 'base'), '--preset', 'quick', '--epochs', '1', '--json']);
    expect(baseline.status, baseline.stderr).toBe(0);
    const trained = JSON.parse(baseline.stdout) as { metrics: { epoch: number }[]; resumedFromEpoch: number };
    expect(trained.metrics.map((row) => row.epoch)).toEqual([1]);

    const delta = run(['train', '--run', path.join(folder, 'delta'), '--preset', 'quick', '--epochs', '1', '--variant', 'delta', '--init-from', path.join(folder, 'base'), '--json']);
    expect(delta.status, delta.stderr).toBe(0);

    const store = path.join(folder, 'ablation.jsonl');
    const first = JSON.parse(run(['ablate', '--source', path.join(folder, 'delta'), '--thresholds', '0.1,0.3', '--store', store, '--json']).stdout) as { ran: number; rows: { threshold: number }[] };
    expect(first.ran).toBe(2);
    const second = JSON.parse(run(['ablate', '--source', path.join(folder, 'delta'), '--thresholds', '0.1,0.3,0.5', '--store', store, '--json']).stdout) as { ran: number; reused: number; rows: { threshold: number }[] };
    // Only the new threshold is computed on the rerun.
    expect([second.ran, second.reused]).toEqual([1, 2]);
    expect(second.rows.map((row) => row.threshold)).toEqual([0.1, 0.3, 0.5]);

    // Without --json every number says what it was measured on. Reopening the finished runs trains nothing.
    type Overall = { deltaMacDensity: number; zeroSkippingMacDensity: number };
    const config = JSON.parse(fs.readFileSync(path.join(folder, 'base', 'config.json'), 'utf8')) as { seed: number; data: { source: string; clipLength: number; size: number } };
    const metrics = fs.readFileSync(path.join(folder, 'base', 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { testVideos: number });
    const dataLine =
      `data: synthetic (generated moving shapes, not real video; --set data.source=weizmann trains on the bundled Weizmann clips, as study does), ` +
      `generated train/test sets, clips of ${config.data.clipLength} frames × ${config.data.size}×${config.data.size} px, seed ${config.seed}, ${metrics[metrics.length - 1].testVideos} test videos`;
    expect(config.data.source).toBe('synthetic');
    const baseText = run(['train', '--run', path.join(folder, 'base'), '--preset', 'quick', '--epochs', '1']);
    expect(baseText.status, baseText.stderr).toBe(0);
    const baseOverall = (trained as unknown as { sparsity: { overall: Overall } }).sparsity.overall;
    expect(baseText.stdout).toContain(`\n${dataLine}\n`);
    // A baseline has no delta layers: its saving is zero-skipping's, 1 / zeroSkippingMacDensity.
    expect(baseText.stdout).toContain(`zero-skipping execution: ${(1 / baseOverall.zeroSkippingMacDensity).toFixed(2)}x fewer MACs than dense (a baseline model has no delta layers)`);
    expect(baseText.stdout).not.toContain('delta execution');
    const deltaOverall = (JSON.parse(delta.stdout) as { sparsity: { overall: Overall } }).sparsity.overall;
    const deltaText = run(['train', '--run', path.join(folder, 'delta'), '--preset', 'quick', '--epochs', '1', '--variant', 'delta', '--init-from', path.join(folder, 'base')]);
    expect(deltaText.status, deltaText.stderr).toBe(0);
    // Delta execution in steady state: 1 / deltaMacDensity against dense, zeroSkipping / delta against zero-skipping.
    expect(deltaText.stdout).toContain(
      `delta execution, steady state (each clip's first frame left out): ${(1 / deltaOverall.deltaMacDensity).toFixed(2)}x fewer MACs than dense, ` +
        `${(deltaOverall.zeroSkippingMacDensity / deltaOverall.deltaMacDensity).toFixed(2)}x fewer than zero-skipping`,
    );

    const workload = JSON.parse(fs.readFileSync(path.join(folder, 'delta', 'workload.json'), 'utf8')) as { clips: number; framesPerClip: number; model: string; epoch: number };
    const cost = run(['cost', '--run', path.join(folder, 'delta')]);
    expect(cost.status, cost.stderr).toBe(0);
    expect(cost.stdout).toContain(`  measured on ${workload.clips} test clips of ${workload.framesPerClip} frames (model ${workload.model}, epoch ${workload.epoch})\n  ${dataLine}\n`);

    // ablate's table is labelled as study's: accuracies in %, q and λ by their symbols.
    const table = run(['ablate', '--source', path.join(folder, 'delta'), '--thresholds', '0.1,0.3', '--store', store]);
    expect(table.status, table.stderr).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[1].split(/\s{2,}/)).toEqual([
      'mode', 'variant', 'q', 'λ', 'test clip accuracy (%)', 'test video accuracy (%)', 'spatial density', 'temporal density', 'delta MAC density, steady state',
    ]);
    const stored = second.rows as unknown as { testVideoAccuracy: number }[];
    // In percent, to 3 significant figures (so within 0.05 points of 100 × the stored fraction).
    expect(Math.abs(Number(lines[2].trim().split(/\s+/)[5]) - 100 * stored[0].testVideoAccuracy)).toBeLessThanOrEqual(0.05 + 1e-9);
  });

  it('names a misspelt configuration option and lists the valid ones', () => {
    const { status, stderr } = run(['train', '--run', path.join(os.tmpdir(), 'never'), '--set', 'sparsity.treshold=0.2']);
    expect(status).toBe(1);
    expect(stderr).toMatch(/unknown option sparsity\.treshold \(did you mean threshold\?\)/);
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace for a user mistake
  });

  it('rejects an unknown preset and an unknown backend', () => {
    const preset = run(['train', '--run', path.join(os.tmpdir(), 'never'), '--preset', 'fast']);
    expect(preset.status).toBe(1);
    expect(preset.stderr).toMatch(/preset: expected one of default, quick, paper/);
    const backend = run(['train', '--run', path.join(os.tmpdir(), 'never'), '--backend', 'gpu']);
    expect(backend.status).toBe(1);
    expect(backend.stderr).toMatch(/--backend: expected one of tensorflow, wasm, cpu\. Received: --backend="gpu"/);
  });
});
