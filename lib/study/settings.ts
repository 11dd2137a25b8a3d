/**
 * The settings of the main job ("study") and of the notebooks, in one place so that notebooks 02-04 and
 * `delta-sparsity study` share run folders: whatever one of them trained, the others reuse.
 */
import * as path from 'node:path';
import type { TrainConfigInput } from '../train/config';
import type { RecipeOptions } from '../train/recipe';
import type { ProgressMode } from '../util/progress';
import { requirePositive } from '../util/errors';
import { stableHash } from '../util/stableHash';

export interface StudyOptions {
  /** Report folder; run folders go to `<out>/runs`. Default `reports/study`. */
  out?: string;
  /** Tiny settings (seconds): for CI and `DELTA_FAST=1`. Default false. */
  fast?: boolean;
  /** UCF101 folder (the `UCF-101` class folders; split lists beside it or bundled). Default: the synthetic set. */
  ucf101Root?: string;
  /** UCF101 classes: names, or the first N of classInd.txt. Default 5. */
  ucf101Classes?: string[] | number;
  /** UCF101 training videos per class (test videos likewise). Default: all. */
  ucf101VideosPerClass?: number;
  /** Hardware preset or JSON file for the cost estimate. Default `eyeriss-v2-like`. */
  hardware?: string;
  /** q values of the fixed-threshold ablation (at least 4). Default [0.025, 0.05, 0.1, 0.2, 0.4]. */
  thresholds?: number[];
  /** Progress display. Default 'auto'. */
  progress?: ProgressMode;
}

/** Data options that follow from fast/full mode alone (the `<fast|full>` folder level already tells them apart). */
const MODE_DATA_FIELDS = new Set(['size', 'clipLength', 'syntheticTrainPerClass', 'syntheticTestPerClass']);

/**
 * The folder name that keeps the runs of one dataset apart from another's: the data source, plus a short
 * hash of the remaining data options when there are any (root, classes, videos per class), e.g. `synthetic`
 * or `ucf101-3f2a9c1e`. Without it a UCF101 study and the synthetic one shared run folders, and the second
 * refused to resume the first's runs ("different configuration … data.source").
 */
export function dataSourceKey(data: TrainConfigInput['data'] = {}): string {
  const rest = Object.fromEntries(
    Object.entries(data)
      .filter(([key, value]) => key !== 'source' && !MODE_DATA_FIELDS.has(key) && value !== undefined)
      // `./ucf` and `/home/me/ucf` are one dataset.
      .map(([key, value]) => [key, key === 'root' && typeof value === 'string' ? path.resolve(value) : value]),
  );
  const source = (data.source ?? 'synthetic').replace(/[^A-Za-z0-9_-]/g, '_');
  return Object.keys(rest).length === 0 ? source : `${source}-${stableHash(rest, 8)}`;
}

/** Where `runStudy` and the notebooks keep things for `options`: runs in `<out>/runs/<dataSourceKey>/<fast|full>`. */
export function studyPaths(options: StudyOptions): { out: string; runs: string; ablationStore: string } {
  const out = path.resolve(options.out ?? path.join('reports', 'study'));
  const runs = path.join(out, 'runs', dataSourceKey(studyTrainConfig(options).data), options.fast ? 'fast' : 'full');
  return { out, runs, ablationStore: path.join(runs, 'ablation.jsonl') };
}

/** The shared training configuration: small enough to train in minutes on two CPU cores. */
export function studyTrainConfig(options: StudyOptions): TrainConfigInput {
  const data: TrainConfigInput['data'] = options.ucf101Root
    ? {
        source: 'ucf101',
        root: options.ucf101Root,
        ...(Array.isArray(options.ucf101Classes) ? { classes: options.ucf101Classes } : { firstClasses: options.ucf101Classes ?? 5 }),
        ...(options.ucf101VideosPerClass ? { videosPerClass: options.ucf101VideosPerClass } : {}),
        size: options.fast ? 16 : 32,
        clipLength: options.fast ? 4 : 8,
      }
    : { source: 'synthetic', size: options.fast ? 16 : 32, clipLength: options.fast ? 4 : 8 };
  return {
    data: options.fast ? { ...data, syntheticTrainPerClass: 8, syntheticTestPerClass: 4 } : data,
    model: { architecture: 'small-cnn', filters: options.fast ? [8, 16] : [16, 32, 64] },
    batchSize: options.fast ? 8 : 16,
    sparsityClips: options.fast ? 8 : 24,
  };
}

/** The recipe (baseline, then delta and spatial-L1 refinements) of the study. */
export function studyRecipe(options: StudyOptions): RecipeOptions {
  return {
    root: studyPaths(options).runs,
    config: studyTrainConfig(options),
    baselineEpochs: options.fast ? 2 : 8,
    refineEpochs: options.fast ? 2 : 6,
    // λ per variant, from a sweep over 1e-4..1 on the synthetic set (`delta-sparsity ablate --baseline ...
    // --lambdas ...`; README): delta 0.3 brings temporal density under 10% at the baseline's accuracy (1.0 goes
    // further at equal accuracy there, but leaves less margin on harder data); spatial-L1 0.1 is the largest
    // value before its accuracy collapses.
    variantConfigs: {
      delta: { sparsity: { sparsityWeight: 0.3 } },
      'spatial-l1': { sparsity: { sparsityWeight: 0.1 } },
    },
    progress: options.progress,
  };
}

/** The fixed-threshold ablation's q values. */
export function studyThresholds(options: StudyOptions): number[] {
  const thresholds = options.thresholds ?? [0.025, 0.05, 0.1, 0.2, 0.4];
  thresholds.forEach((q, i) => requirePositive(`thresholds[${i}]`, q));
  return thresholds;
}
