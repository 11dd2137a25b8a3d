/** `--set` values and option combinations as users type them (issue 13, minor items). */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSetOverrides } from '../../lib/cli/options';
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
