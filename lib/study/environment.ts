/**
 * The setup of notebooks 02-04 in one call: which data, fast or full mode, and where the study's runs live,
 * read from the environment so that CI (DELTA_FAST=1) and a UCF101 user (UCF101_ROOT) need no code change.
 */
import * as path from 'node:path';
import { invalidArgument, requireOneOf } from '../util/errors';
import { warnIfStaleBuild } from '../util/staleBuild';
import { studyPaths, type StudyData, type StudyOptions } from './settings';

export interface StudyEnvironment {
  /** DELTA_FAST=1: tiny settings (seconds), for CI. */
  fast: boolean;
  /** The data source (see `studyFromEnvironment`). */
  data: StudyData;
  /** Options for `studyRecipe`, `studyPaths`, `studyThresholds`, `studyTrainConfig`. */
  study: StudyOptions;
  /** Absolute paths: the report folder, this mode's run folders and the ablation results store. */
  paths: { root: string; out: string; runs: string; ablationStore: string };
  /** One line to print: data, mode and run folder. */
  description: string;
}

export interface StudyEnvironmentOptions {
  /** Environment to read. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Report folder. Default `<repository root>/reports/study`, whatever the notebook's folder. */
  out?: string;
}

/** The repository (package) root: this file is lib/study/environment.ts or dist/study/environment.js. */
const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');

const DATA_DESCRIPTIONS: Record<StudyData, string> = {
  weizmann: 'the embedded Weizmann footage (real video: 10 actions, 6 people train, 3 test)',
  synthetic: 'the embedded synthetic set (generated moving shapes; the fast mode\'s data)',
  ucf101: 'a UCF101 subset (first 5 classes, official split 1)',
  folder: 'a folder of labelled videos',
};

/**
 * Reads the notebooks' settings from the environment:
 * - `DELTA_FAST`: `1` for fast mode, `0` or unset for full mode;
 * - the data: `DELTA_DATA` (`weizmann` | `synthetic` | `ucf101`) when set; else UCF101 when `UCF101_ROOT` is
 *   set; else the synthetic set in fast mode and the embedded Weizmann footage in full mode.
 *
 * Also prints the "restart the kernel" hint when dist/ was rebuilt under a running kernel.
 * Throws `DeltaSparsityError` for another DELTA_FAST or DELTA_DATA value, and for DELTA_DATA=ucf101 without
 * UCF101_ROOT.
 */
export function studyFromEnvironment(options: StudyEnvironmentOptions = {}): StudyEnvironment {
  warnIfStaleBuild();
  const env = options.env ?? process.env;
  const fastValue = env.DELTA_FAST ?? '';
  if (!['', '0', '1'].includes(fastValue)) throw invalidArgument('DELTA_FAST', '1 (fast mode) or 0 / unset (full mode)', fastValue);
  const fast = fastValue === '1';
  const ucf101Root = env.UCF101_ROOT || undefined;
  const requested = env.DELTA_DATA || undefined;
  const data: StudyData = requested !== undefined
    ? requireOneOf('DELTA_DATA', requested, ['weizmann', 'synthetic', 'ucf101'] as const)
    : ucf101Root ? 'ucf101' : fast ? 'synthetic' : 'weizmann';
  if (data === 'ucf101' && !ucf101Root) throw invalidArgument('UCF101_ROOT', 'the UCF-101 folder for DELTA_DATA=ucf101', ucf101Root);
  const out = path.resolve(options.out ?? path.join(PACKAGE_ROOT, 'reports', 'study'));
  const study: StudyOptions = { fast, out, data, ...(data === 'ucf101' ? { ucf101Root } : {}) };
  const paths = studyPaths(study);
  const where = data === 'ucf101' ? ` from ${ucf101Root}` : '';
  const description =
    `Data: ${DATA_DESCRIPTIONS[data]}${where}; ${fast ? 'fast mode (DELTA_FAST=1)' : 'full mode'}; ` +
    `runs in ${path.relative(PACKAGE_ROOT, paths.runs) || '.'}`;
  return { fast, data, study, paths: { root: PACKAGE_ROOT, ...paths }, description };
}
