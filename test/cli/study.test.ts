/** `delta-sparsity study`'s data and protocol options: mistakes end at once with one line naming the option. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { studyOptionsFromCommand } from '../../lib/cli/commands/study';
import { studySubjects } from '../../lib/study/lopoStudy';
import { studyPaths, studyRecipe } from '../../lib/study/settings';

const root = path.resolve(__dirname, '../..');
const cli = path.join(root, 'dist/cli/main.js');

function run(args: string[]) {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'study-cli-'));
  const result = spawnSync(process.execPath, [cli, 'study', '--out', out, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, DELTA_BACKEND: 'wasm' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, out };
}

describe('study options', () => {
  it('rejects unknown data, a protocol a dataset cannot run and a folder without a subject pattern, before any work', () => {
    const cases: [string[], RegExp][] = [
      [['--data', 'kth'], /--data: expected weizmann, synthetic, ucf101, folder\. Received: --data=/],
      [['--protocol', 'lopo', '--data', 'synthetic'], /--protocol: expected "split" for data "synthetic"/],
      [['--folder', '/tmp'], /--subject: expected a regex with one capture group/],
      [['--seeds', '0'], /--seeds: expected a positive integer/],
      [['--protocol', 'kfold'], /--protocol: expected split or lopo/],
      // Options of another data source are refused, not silently ignored.
      [['--subject', '^([a-z]+)_'], /--subject: expected no subject pattern for data "weizmann"/],
      [['--classes', '3'], /--classes: expected UCF101 classes and videos per class only with data "ucf101"/],
      [['--data', 'synthetic', '--test-subjects', 'eli'], /--test-subjects: expected no test subjects for data "synthetic"/],
    ];
    for (const [args, message] of cases) {
      const { status, stderr, out } = run(args);
      expect(status, args.join(' ')).toBe(1);
      expect(stderr.trim().split('\n').at(-1), args.join(' ')).toMatch(message);
      expect(stderr, args.join(' ')).not.toMatch(/\n\s+at /); // no stack trace
      expect(fs.readdirSync(out), 'nothing written').toEqual([]);
    }
  });

  it('refuses an --out below a file with one line, not an ENOTDIR stack trace', () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'study-cli-'));
    const file = path.join(folder, 'a-file');
    fs.writeFileSync(file, '');
    const result = spawnSync(process.execPath, [cli, 'study', '--fast', '--out', path.join(file, 'sub')], { cwd: root, encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`error: --out: ${path.join(file, 'sub')} is below ${file}, which is a file, where a folder is expected. Pick another path.\n`);
  });

  it('defaults to the embedded Weizmann footage, keeps each fold and seed in its own run folders, and lists the subjects', () => {
    const options = studyOptionsFromCommand({ protocol: 'lopo' });
    expect(options.protocol).toBe('lopo');
    const subjects = studySubjects(options);
    // Weizmann: 9 people, in sorted order (data/weizmann/README.md).
    expect(subjects).toEqual(['daria', 'denis', 'eli', 'ido', 'ira', 'lena', 'lyova', 'moshe', 'shahar']);
    const a = studyRecipe(options, { fold: 2, seed: 1 }).root;
    const b = studyRecipe(options, { fold: 2, seed: 2 }).root;
    const c = studyRecipe(options, { fold: 3, seed: 1 }).root;
    expect(new Set([a, b, c]).size).toBe(3);
    expect(a.startsWith(studyPaths(options).runs)).toBe(true);
    expect(studyPaths(options).runs).toContain(`${path.sep}weizmann${path.sep}`);
    // The fold reaches the data configuration (the dataset then holds out subjects[2]).
    expect(studyRecipe(options, { fold: 2 }).config?.data).toMatchObject({ source: 'weizmann', fold: 2 });
  });

  it('with several seeds, prints the mean ± std of every model and of the headline gain over them', () => {
    const result = run(['--fast', '--data', 'synthetic', '--seeds', '2']);
    expect(result.status, result.stderr).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines).toContain('seed 1 (its models feed the ablation, the cost estimate and the report\'s figures):');
    const over = lines.indexOf('over seeds 1, 2 (mean ± std):');
    expect(over).toBeGreaterThan(0);
    const summary = JSON.parse(fs.readFileSync(path.join(result.out, 'summary.json'), 'utf8'));
    // The printed means are those of summary.json's aggregate, model by model.
    for (const [i, a] of (summary.aggregate as { name: string; runs: number; testVideoAccuracy: { mean: number; std: number } }[]).entries()) {
      expect(a.runs).toBe(2);
      expect(lines[over + 1 + i]).toContain(`${a.name.padEnd(11)} test video accuracy ${(100 * a.testVideoAccuracy.mean).toFixed(1)} ± ${(100 * a.testVideoAccuracy.std).toFixed(1)}%`);
    }
    const gain = summary.deltaGainOverSeeds as { gain: { firstFrameIncluded: { mean: number; n: number } } | null; withheld: string[] };
    // Every seed is either in the gain or named as left out.
    expect((gain.gain?.firstFrameIncluded.n ?? 0) + gain.withheld.length).toBe(2);
    if (gain.gain) expect(result.stdout).toContain(`${gain.gain.firstFrameIncluded.mean.toFixed(2)} ± `);
    else expect(result.stdout).toContain('no headline gain over the seeds');
  }, 180_000);
});
