/**
 * Damaged run folders and paths of the wrong kind give a one-line error naming the file and what to do
 * (issue 13, item 7 and the minor items), and a second trainer on a run folder is refused (item 4).
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../lib/backend';
import { readCheckpointState } from '../../lib/train/checkpoint';
import { logEpochMetrics, readEpochMetrics, truncateEpochMetrics } from '../../lib/train/runFolder';
import { train } from '../../lib/train/trainer';
import { DeltaSparsityError } from '../../lib/util/errors';

const root = path.resolve(__dirname, '../..');
const cli = path.join(root, 'dist/cli/main.js');
const quick = { progress: 'silent' as const, preset: 'quick', config: { epochs: 2 } };
const temporary = () => fs.mkdtempSync(path.join(os.tmpdir(), 'damage-'));
let trained: string;

function runCli(args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, DELTA_BACKEND: 'cpu' } });
}

beforeAll(async () => {
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` (npm test does it)`);
  await initBackend({ backend: 'wasm', quiet: true });
  trained = path.join(temporary(), 'run');
  (await train({ ...quick, runDir: trained })).model.dispose();
});

/** A copy of the trained 2-epoch run folder, damaged by `damage`. */
function damagedCopy(damage: (runDir: string) => void): string {
  const runDir = path.join(temporary(), 'run');
  fs.cpSync(trained, runDir, { recursive: true });
  damage(runDir);
  return runDir;
}

const truncate = (file: string, keep: number) => fs.writeFileSync(file, fs.readFileSync(file).subarray(0, keep));

describe('a damaged run folder', () => {
  it.each([
    ['checkpoint/state.json truncated', (d: string) => truncate(path.join(d, 'checkpoint/state.json'), 10), /checkpoint\/state\.json: not valid JSON .*: the file is damaged\. If it belongs to a run folder, delete that folder/],
    ['config.json not JSON', (d: string) => fs.writeFileSync(path.join(d, 'config.json'), 'epochs: 2'), /config\.json: not valid JSON .*Delete .* to start the run over, or pick another folder/],
    ['weights.bin truncated', (d: string) => truncate(path.join(d, 'checkpoint/model/weights.bin'), 88), /weights\.bin: holds 88 bytes of weights where model\.json needs \d+: the file is damaged/],
    ['optimizer.bin truncated', (d: string) => truncate(path.join(d, 'checkpoint/optimizer.bin'), 16), /optimizer\.bin: holds 16 bytes where optimizer\.json needs \d+: the file is damaged/],
    ['model.json not JSON', (d: string) => fs.writeFileSync(path.join(d, 'checkpoint/model/model.json'), '{'), /model\.json: not valid JSON/],
    ['a garbage line in metrics.jsonl', (d: string) => fs.writeFileSync(path.join(d, 'metrics.jsonl'), `{"epoch":1}\nxx\n{"epoch":2}\n`), /metrics\.jsonl:2: not valid JSON/],
  ])('%s: one-line error naming the file', async (_label, damage, message) => {
    const runDir = damagedCopy(damage);
    const attempt = train({ ...quick, runDir });
    await expect(attempt).rejects.toThrow(DeltaSparsityError);
    await expect(train({ ...quick, runDir })).rejects.toThrow(message);
  });

  it('missing only checkpoint/state.json: an error naming it, and the logged epochs are kept', async () => {
    const runDir = damagedCopy((d) => fs.rmSync(path.join(d, 'checkpoint/state.json')));
    const metrics = fs.readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8');
    await expect(train({ ...quick, runDir })).rejects.toThrow(
      `runDir: ${path.join(runDir, 'checkpoint/state.json')} is missing, though ${runDir} holds 2 logged epoch(s)`,
    );
    expect(fs.readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8')).toBe(metrics);
  });

  it('a stray temporary file of a killed writer is removed on resume', async () => {
    const stray = '.metrics.csv.999999.3.tmp';
    const runDir = damagedCopy((d) => fs.writeFileSync(path.join(d, stray), 'epoch,trainLoss\n1,'));
    (await train({ ...quick, runDir })).model.dispose();
    expect(fs.readdirSync(runDir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(readCheckpointState(runDir)?.epochsDone).toBe(2);
  });

  it('a file where the run folder belongs', async () => {
    const file = path.join(temporary(), 'run');
    fs.writeFileSync(file, '');
    await expect(train({ ...quick, runDir: file })).rejects.toThrow(`runDir: ${file} is a file, where a folder is expected. Pick another path.`);
  });
});

describe('metrics.jsonl whose last row lacks its newline (issue 13, item 3)', () => {
  it('keeps the complete row: epochs [1, 2] stay [1, 2] and the next is 3', () => {
    const runDir = temporary();
    logEpochMetrics(runDir, { epoch: 1, trainLoss: 1 });
    logEpochMetrics(runDir, { epoch: 2, trainLoss: 0.9 });
    const file = path.join(runDir, 'metrics.jsonl');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/\n$/, ''));
    expect(readEpochMetrics(runDir).map((row) => row.epoch)).toEqual([1, 2]);
    truncateEpochMetrics(runDir, 2);
    logEpochMetrics(runDir, { epoch: 3, trainLoss: 0.8 });
    expect(readEpochMetrics(runDir).map((row) => row.epoch)).toEqual([1, 2, 3]);
    expect(fs.readFileSync(path.join(runDir, 'metrics.csv'), 'utf8').trim().split('\n')).toHaveLength(4);
  });
});

describe('two trainers on one run folder (issue 13, item 4)', () => {
  it('the second process is refused, naming the first, and the folder is left as it was', async () => {
    const runDir = damagedCopy(() => undefined);
    const go = path.join(temporary(), 'go');
    // A real process holding the run folder as a trainer does, until `go` exists.
    const holder = spawn(process.execPath, ['-e', `
      const fs = require('node:fs');
      const lock = require(${JSON.stringify(path.join(root, 'dist/train/runFolder.js'))}).lockRunFolder(${JSON.stringify(runDir)});
      const timer = setInterval(() => { if (fs.existsSync(${JSON.stringify(go)})) { clearInterval(timer); lock.release(); } }, 20);
    `]);
    const done = new Promise<number | null>((resolve) => holder.on('close', resolve));
    while (!fs.existsSync(path.join(runDir, '.lock'))) await new Promise((resolve) => setTimeout(resolve, 20));
    const before = fs.readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8');

    const second = runCli(['train', '--run', runDir, '--preset', 'quick', '--epochs', '3']);
    expect(second.status).toBe(1);
    // The CLI names its flag (lib/cli/flagNames.ts), not the library's runDir.
    expect(second.stderr).toContain(`error: --run: ${runDir} is in use by process ${holder.pid}`);
    expect(fs.readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8')).toBe(before);
    expect(readCheckpointState(runDir)?.epochsDone).toBe(2);

    fs.writeFileSync(go, '');
    expect(await done).toBe(0);
    expect(fs.existsSync(path.join(runDir, '.lock'))).toBe(false);
  });
});

describe('paths of the wrong kind on the command line', () => {
  it.each([
    ['train --run <file>', (file: string) => ['train', '--run', file, '--preset', 'quick'], '--run'],
    ['study --out <file>', (file: string) => ['study', '--fast', '--out', file], '--out'],
    ['ablate --runs-root <file>', (file: string) => ['ablate', '--baseline', path.dirname(file), '--runs-root', file, '--thresholds', '0.1', '--store', `${file}.jsonl`], '--runs-root'],
    ['ablate --source <file>', (file: string) => ['ablate', '--source', file, '--thresholds', '0.1', '--store', `${file}.jsonl`], '--source'],
    ['data prepare --cache <file>', (file: string) => ['data', 'prepare', '--root', path.dirname(file), '--cache', file], '--cache'],
  ])('%s: one line naming the option and the path', (_label, args, option) => {
    const file = path.join(temporary(), 'a-file');
    fs.writeFileSync(file, '');
    const result = runCli(args(file));
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`error: ${option}: ${file} is a file, where a folder is expected. Pick another path.\n`);
  });

  it('train --config <folder>: one line naming the option', () => {
    const folder = temporary();
    const result = runCli(['train', '--run', path.join(folder, 'run'), '--config', folder]);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`error: --config: ${folder} is a folder, where a file is expected. Pick another path.\n`);
  });
});
