/**
 * The published recipe: train a baseline, then refine from its weights with delta layers inserted (and,
 * for comparison, with spatial-L1 layers). Each run lives in its own folder under `root`, so rerunning
 * the recipe resumes or, when everything is done, only reloads the models.
 */
import * as path from 'node:path';
import type { VideoDataset } from '../data/types';
import { checkOptionKeys, optionKeys, requireNonEmptyString } from '../util/errors';
import { prefixProgress, type ProgressMode } from '../util/progress';
import { mergeConfig, resolveTrainConfig, type TrainConfigInput } from './config';
import { datasetFromConfig } from './fromConfig';
import type { EpochMetrics } from './runFolder';
import { train, type TrainResult } from './trainer';

export type RefinedVariant = 'delta' | 'spatial-l1';

export interface RecipeOptions {
  /** Folder holding one run folder per model: `baseline/`, `delta/`, `spatial-l1/`. Required. */
  root: string;
  /** Overrides shared by every run (data, architecture, seed, ...). */
  config?: TrainConfigInput;
  /** Preset applied before `config`. Default 'default'. */
  preset?: string;
  /** Epochs of baseline training. Default: the configuration's `epochs`. */
  baselineEpochs?: number;
  /** Epochs of each refinement. Default: the configuration's `epochs`. */
  refineEpochs?: number;
  /** Which sparse variants to refine. Default both. */
  variants?: RefinedVariant[];
  /** Overrides for the refinements only (e.g. `{ sparsity: { sparsityWeight: 0.3 } }`). */
  refineConfig?: TrainConfigInput;
  /** Overrides for one variant's refinement, applied after `refineConfig` (e.g. its own λ). */
  variantConfigs?: Partial<Record<RefinedVariant, TrainConfigInput>>;
  /** Reuse a dataset already built for this configuration. */
  dataset?: VideoDataset;
  /**
   * Progress display. A `ProgressSink` (e.g. a notebook's `notebookProgress()`) gets one line per running
   * step, prefixed by the run's name ("delta · epoch 3/8: ...").
   */
  progress?: ProgressMode;
  /** Called after every epoch of every run. */
  onEpoch?: (run: string, row: EpochMetrics) => void;
}

export interface RecipeResult {
  /** Every trained run by name (`baseline`, `delta`, `spatial-l1`). The caller disposes the models. */
  runs: Record<string, TrainResult>;
  dataset: VideoDataset;
}

const RECIPE_OPTION_KEYS = optionKeys<RecipeOptions>({
  root: true, config: true, preset: true, baselineEpochs: true, refineEpochs: true, variants: true, refineConfig: true,
  variantConfigs: true, dataset: true, progress: true, onEpoch: true,
});

/** Trains the baseline and the refined sparse variants (see the module comment). */
export async function trainRecipe(rawOptions: RecipeOptions): Promise<RecipeResult> {
  const options = checkOptionKeys('trainRecipe', rawOptions, RECIPE_OPTION_KEYS);
  requireNonEmptyString('root', options.root, 'a folder for the runs (one sub-folder per variant)');
  const shared = options.config ?? {};
  const preset = options.preset ?? 'default';
  const baseConfig = resolveTrainConfig(shared, preset);
  const dataset = options.dataset ?? (await datasetFromConfig(baseConfig, prefixProgress(options.progress, 'data')));
  const runs: Record<string, TrainResult> = {};
  const baselineDir = path.join(options.root, 'baseline');
  runs.baseline = await train({
    runDir: baselineDir,
    preset,
    config: mergeConfig(shared as object, { epochs: options.baselineEpochs ?? baseConfig.epochs, model: { variant: 'baseline' } }),
    dataset,
    progress: prefixProgress(options.progress, 'baseline'),
    onEpoch: (row) => options.onEpoch?.('baseline', row),
  });
  for (const variant of options.variants ?? ['delta', 'spatial-l1']) {
    const overrides = mergeConfig(options.refineConfig ?? {}, options.variantConfigs?.[variant] ?? {});
    const refined = mergeConfig(mergeConfig(shared as object, overrides), {
      epochs: options.refineEpochs ?? baseConfig.epochs,
      model: { variant },
      initFrom: path.resolve(baselineDir),
      initFromEpochs: runs.baseline.metrics.length,
    });
    runs[variant] = await train({
      runDir: path.join(options.root, variant),
      preset,
      config: refined,
      dataset,
      progress: prefixProgress(options.progress, variant),
      onEpoch: (row) => options.onEpoch?.(variant, row),
    });
  }
  return { runs, dataset };
}
