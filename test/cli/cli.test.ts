/**
 * The built command line (`npm test` builds dist/ first): every command has --help, --json prints one JSON
 * document, and user mistakes end with a message and a non-zero exit instead of a stack trace.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const cli = path.join(root, 'dist/cli/main.js');

function run(args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, DELTA_BACKEND: 'wasm' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` (npm test does it)`);
});

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
    expect(unknownCommand.stderr).toContain('Usage: delta-sparsity');
    const unknownOption = run(['train', '--run', 'x', '--epoch', '3']);
    expect(unknownOption.status).not.toBe(0);
    expect(unknownOption.stderr).toMatch(/unknown option '--epoch'/);
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
