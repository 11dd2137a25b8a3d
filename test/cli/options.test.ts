/** `--set` values and option combinations as users type them (issue 13, minor items). */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSetOverrides, readConfigFile } from '../../lib/cli/options';
import { resolveTrainConfig } from '../../lib/train/config';

const root = path.resolve(__dirname, '../..');
const cli = path.join(root, 'dist/cli/main.js');

describe('--set', () => {
  it.each([
    ['sparsity.threshold=.5', 0.5],
    ['sparsity.threshold=5.', 5],
    ['sparsity.threshold=+0.25', 0.25],
    ['sparsity.threshold=2E-1', 0.2],
  ])('%s is a number', (assignment, value) => {
    expect(resolveTrainConfig(parseSetOverrides([assignment])).sparsity.threshold).toBe(value);
  });

  it('names the bad element of a list, not undefined', () => {
    expect(() => resolveTrainConfig(parseSetOverrides(['model.filters=[8,-1]']))).toThrow('Received: model.filters.1=-1');
    expect(() => resolveTrainConfig(parseSetOverrides(['model.filters=[8,2.5]']))).toThrow('Received: model.filters.1=2.5');
  });
});

describe('ablate option combinations', () => {
  it.each([
    [['--lambdas', '0.1'], '--lambdas', 'no value with --source'],
    [['--set', 'epochs=3'], '--set', 'no value with --source'],
    [['--variants', 'spatial-l1'], '--variants', 'delta \\(the only variant --source evaluates\\)'],
  ])('--source with %j is an error naming the option, not silently ignored', (extra, option, expected) => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'ablate-'));
    const result = spawnSync(process.execPath, [cli, 'ablate', '--source', folder, '--thresholds', '0.1', '--store', path.join(folder, 's.jsonl'), ...extra], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^error: ${option}: expected ${expected}.*\\n$`));
  });
});

describe('--config', () => {
  it('reads a relative initFrom against the file\'s folder, not the current one (a run folder\'s own config.json)', () => {
    const runs = fs.mkdtempSync(path.join(os.tmpdir(), 'config-file-'));
    fs.mkdirSync(path.join(runs, 'delta'));
    const file = path.join(runs, 'delta', 'config.json');
    fs.writeFileSync(file, JSON.stringify({ epochs: 2, initFrom: path.join('..', 'baseline') }));
    // The current folder (the repository, where vitest runs) is not the run's: ../baseline is <runs>/baseline.
    expect(readConfigFile(path.relative(process.cwd(), file))).toEqual({ epochs: 2, initFrom: path.join(runs, 'baseline') });
    fs.writeFileSync(file, JSON.stringify({ initFrom: '/elsewhere/baseline' }));
    expect(readConfigFile(file).initFrom).toBe('/elsewhere/baseline');
  });
});
