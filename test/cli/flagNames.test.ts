/**
 * Command-line mistakes name the flag the user typed, not the library option behind it (a tester saw
 * `ucf101Classes ... Received: ucf101Classes=2` for `--videos-per-class 2`), `cost` says what it needs, a
 * misspelt command gets a suggestion and `--version` answers. Runs the built CLI (npm test builds dist/ first).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, requireBuiltCli, runBuiltCli } from './builtCli';
import { ABLATE_FLAGS, STUDY_FLAGS, withFlagNames } from '../../lib/cli/flagNames';

const root = repoRoot;
const run = (args: string[]) => runBuiltCli(args, { DELTA_BACKEND: 'wasm', UCF101_ROOT: undefined });

/** The last stderr line of a run that must fail with a one-line error and no stack trace. */
function failure(args: string[]): string {
  const { status, stderr } = run(args);
  expect(status, args.join(' ')).toBe(1);
  expect(stderr, args.join(' ')).not.toMatch(/\n\s+at /);
  return stderr.trim().split('\n').at(-1) ?? '';
}

beforeAll(requireBuiltCli);

describe('CLI errors name flags', () => {
  it('study: each mistake names the flag that was given', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'flags-'));
    const study = (...args: string[]) => failure(['study', '--out', out, ...args]);
    expect(study('--fast', '--videos-per-class', '2')).toBe(
      'error: --videos-per-class: expected UCF101 classes and videos per class only with data "ucf101" (--ucf101 ROOT). Received: --videos-per-class=2',
    );
    expect(study('--thresholds', '0.1,-0.1')).toBe('error: --thresholds: expected a positive finite number. Received: --thresholds=-0.1');
    expect(study('--data', 'ucf101')).toMatch(/^error: --ucf101: expected the UCF-101 folder for data "ucf101"\. Received: --ucf101=undefined$/);
    expect(study('--data', 'folder')).toMatch(/^error: --folder: expected a folder <root>\/<class>\/<video> for data "folder"\. Received: --folder=undefined$/);
    expect(study('--data', 'folder', '--folder', path.join(root, 'data', 'weizmann'))).toMatch(/^error: --subject: expected a regex with one capture group/);
    // A name far from every preset suggests none (it used to list them all as "closest").
    expect(study('--hardware', 'nope')).toBe(
      'error: --hardware: expected a preset name (eyeriss-v2-like, horowitz-45nm-fp32, horowitz-45nm-int8) or a path to a hardware JSON file. Received: --hardware="nope"',
    );
    expect(fs.readdirSync(out)).toEqual([]);
  });

  it('ablate: a source run of another variant names --source, with the run folder as the received value', () => {
    // The sweep's message for a baseline run given as --source (lib/ablation/sparsitySweeps.ts), as `ablate` prints it.
    const library = 'sourceRunDir: expected a run of variant "delta" (this run\'s variant is "baseline"). Received: sourceRunDir="runs/base"';
    expect(withFlagNames(library, ABLATE_FLAGS)).toBe('--source: expected a run of variant "delta" (this run\'s variant is "baseline"). Received: --source="runs/base"');
    // A list entry's index goes with the name; other words that merely start like an option are left alone.
    expect(withFlagNames('thresholds[2]: expected a positive finite number. Received: thresholds[2]=0', STUDY_FLAGS)).toBe(
      '--thresholds: expected a positive finite number. Received: --thresholds=0',
    );
    expect(withFlagNames('dataset: expected clips. Received: dataset="x"', STUDY_FLAGS)).toBe('dataset: expected clips. Received: dataset="x"');
  });

  it('train: --run, --preset and --epochs by their flags; configuration keys set by --set keep their names', () => {
    const run = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'flags-')), 'run');
    expect(failure(['train', '--run', run, '--epochs', 'abc'])).toBe('error: --epochs: expected a positive integer. Received: --epochs="abc"');
    // 'nope' is no likely misspelling of default, quick or paper: no suggestion (it used to suggest paper).
    expect(failure(['train', '--run', run, '--preset', 'nope'])).toBe('error: --preset: expected one of default, quick, paper. Received: --preset="nope"');
    expect(failure(['train', '--run', run, '--set', 'epochs=abc'])).toMatch(/epochs: Invalid input: expected number, received string\. Received: epochs="abc"$/);
    expect(fs.existsSync(run)).toBe(false);
  });

  it('cost with no layers says what it needs', () => {
    expect(failure(['cost'])).toMatch(/^error: cost: expected the layers to estimate, from exactly one of --run .*, --example .*, --layer .* \(repeatable\); --list-hardware lists the presets and examples\. Received: none of them$/);
    expect(failure(['cost', '--run', 'a', '--example', 'b'])).toMatch(/Received: --run and --example$/);
  });

  it('suggests the closest command and prints the version', () => {
    const misspelt = run(['stduy']);
    expect(misspelt.status).toBe(1);
    expect(misspelt.stderr).toContain("error: unknown command 'stduy'\n(Did you mean study?)");
    const version = run(['--version']);
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toBe((JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version);
  });

  it('scripts/run-notebooks.sh --help prints its header comment only', () => {
    const help = spawnSync('bash', [path.join(root, 'scripts', 'run-notebooks.sh'), '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    const header = fs.readFileSync(path.join(root, 'scripts', 'run-notebooks.sh'), 'utf8').split('\n').slice(1);
    const comment = header.slice(0, header.findIndex((line) => !line.startsWith('#'))).map((line) => line.replace(/^# ?/, ''));
    expect(help.stdout).toBe(`${comment.join('\n')}\n`);
    expect(help.stdout).not.toContain('set -euo pipefail');
  });
});
