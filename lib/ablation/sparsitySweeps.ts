/**
 * Threshold and λ ablations, resumable through the results store:
 *
 * - `fixedThresholdSweep`: take one trained delta model and evaluate it with every delta layer's threshold q
 *   fixed to each value (no training: seconds per point). Shows what q alone buys and costs.
 * - `trainingSweep`: refine from a trained baseline once per (variant, initial q, λ), each in its own run
 *   folder (itself resumable), and record the final accuracy and densities.
 *
 * Every finished point is appended to a JSONL store keyed by a hash of its full configuration, so a rerun
 * computes only the points it has not seen. The configuration includes how sparsity was measured
 * (`measurement`, lib/train's MEASUREMENT_VERSION): a point stored by an earlier way of counting MACs is not
 * reused but measured again (a trained point from its cached run folder, which is re-measured, not retrained).
 */
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as z from 'zod';
import type { VideoDataset } from '../data/types';
import { setAllThresholds } from '../models/thresholds';
import { upgradeMetricRow } from '../util/legacyNames';
import type { SparsityMeasurement } from '../sparsity';
import { loadCheckpointModel } from '../train/checkpoint';
import { mergeConfig, resolveTrainConfig, type TrainConfig, type TrainConfigInput } from '../train/config';
import { evaluateAndMeasure, type Evaluation } from '../train/evaluate';
import { datasetFromConfig, evaluationDatasetFor } from '../train/fromConfig';
import { sparsityColumns, train } from '../train/trainer';
import { MEASUREMENT_VERSION, readFinishedRun } from '../train/runFolder';
import { checkOptionKeys, invalidArgument, optionKeys, requireNonEmptyString, requirePositive, requireNonNegative } from '../util/errors';
import { prefixProgress, type ProgressMode } from '../util/progress';
import { stableHash } from '../util/stableHash';
import { expectFolderOrNothing } from '../util/files';
import { ResultsStore, type SweepRecord } from './resultsStore';
import { expandGrid, runSweep, type SweepOutcome } from './sweep';

/** One point of an ablation. */
export interface AblationPoint {
  /** `fixed-threshold`: q set at evaluation; `trained`: q is the initial threshold of a refinement. */
  mode: 'fixed-threshold' | 'trained';
  variant: 'delta' | 'spatial-l1';
  /** q (fixed or initial). */
  threshold: number;
  /** λ used in training (for fixed-threshold points: the source run's). */
  sparsityWeight: number;
  /** Identity of what the point starts from (a hash of the source run's configuration and epochs). */
  source: string;
  /**
   * How the point's sparsity was measured (MEASUREMENT_VERSION). Absent in stores written before executed-MAC
   * counting (version 2), whose points are therefore never reused.
   */
  measurement?: number;
}

/** What a point measured. Densities refer to the inputs of the linear layers (see lib/sparsity). */
export interface AblationResult {
  testClipAccuracy: number;
  testVideoAccuracy: number;
  testLoss: number;
  spatialDensity: number | null;
  temporalDensity: number | null;
  denseMacsPerFrame: number | null;
  zeroSkippingMacsPerFrame: number | null;
  deltaMacsPerFrame: number | null;
  deltaMacDensity: number | null;
  /** Mean learned (or fixed) q after training. */
  meanThreshold: number | null;
  /** The run folder of a trained point. */
  runDir?: string;
}

export type AblationRecord = SweepRecord<AblationPoint, AblationResult>;

/** A number that JSON may have written as null (NaN and ±Infinity become null in JSON): read back as NaN. */
const numberOrNaN = z.number().nullable().transform((value) => value ?? Number.NaN);

/** What a line of an ablation store must hold (checked on every read and append). */
export const ablationPointSchema: z.ZodType<AblationPoint> = z.object({
  mode: z.enum(['fixed-threshold', 'trained']),
  variant: z.enum(['delta', 'spatial-l1']),
  threshold: z.number(),
  sparsityWeight: z.number(),
  source: z.string(),
  measurement: z.number().int().optional(),
});

export const ablationResultSchema = z.object({
  testClipAccuracy: numberOrNaN,
  testVideoAccuracy: numberOrNaN,
  testLoss: numberOrNaN,
  spatialDensity: z.number().nullable(),
  temporalDensity: z.number().nullable(),
  denseMacsPerFrame: z.number().nullable(),
  zeroSkippingMacsPerFrame: z.number().nullable(),
  deltaMacsPerFrame: z.number().nullable(),
  deltaMacDensity: z.number().nullable(),
  meanThreshold: z.number().nullable(),
  runDir: z.string().optional(),
}) as unknown as z.ZodType<AblationResult>;

/** Opens an ablation results store (validating every line; see `ResultsStore`). */
export function openAblationStore(file: string): ResultsStore<AblationPoint, AblationResult> {
  // Stores written before the vocabulary clean-up hold results under retired names (lib/util/legacyNames).
  const result = z.preprocess((value) => (value !== null && typeof value === 'object' ? upgradeMetricRow(value as Record<string, unknown>, 'ablation result') : value), ablationResultSchema);
  return new ResultsStore<AblationPoint, AblationResult>(file, { config: ablationPointSchema, result });
}


function checkThresholds(thresholds: number[]): void {
  if (!Array.isArray(thresholds) || thresholds.length === 0) throw invalidArgument('thresholds', 'at least one value', thresholds);
  thresholds.forEach((q, i) => requirePositive(`thresholds[${i}]`, q));
}

/**
 * A finished run's identity as a sweep's source: its configuration and finished epochs, with `initFrom` relative
 * to the run folder, so that a tree of run folders copied elsewhere keeps its stored results.
 */
function runIdentity(runDir: string): string {
  const { config, epochsDone } = readFinishedRun(runDir);
  const located = config.initFrom === undefined ? config : { ...config, initFrom: path.relative(path.resolve(runDir), config.initFrom) || '.' };
  return stableHash({ config: located, epochs: epochsDone });
}

/** A point's result from an evaluation and a sparsity measurement. */
function resultOf(
  test: Pick<Evaluation, 'clipAccuracy' | 'videoAccuracy' | 'loss'>,
  measurement: SparsityMeasurement,
): Omit<AblationResult, 'meanThreshold' | 'runDir'> {
  const columns = sparsityColumns(measurement);
  return {
    testClipAccuracy: test.clipAccuracy,
    testVideoAccuracy: test.videoAccuracy,
    testLoss: test.loss,
    spatialDensity: columns.spatialDensity,
    temporalDensity: columns.temporalDensity,
    denseMacsPerFrame: columns.denseMacsPerFrame,
    zeroSkippingMacsPerFrame: columns.zeroSkippingMacsPerFrame,
    deltaMacsPerFrame: columns.deltaMacsPerFrame,
    deltaMacDensity: columns.deltaMacDensity,
  };
}

/** Accuracy and sparsity of `model` on `testDataset` (the evaluation clips of `config`). */
async function measurePoint(model: tf.LayersModel, testDataset: VideoDataset, config: TrainConfig): Promise<Omit<AblationResult, 'meanThreshold' | 'runDir'>> {
  const { test, sparsity } = await evaluateAndMeasure(model, testDataset, config);
  return resultOf(test, sparsity);
}

export interface FixedThresholdSweepOptions {
  /** A trained delta run folder. */
  sourceRunDir: string;
  /** The q values to evaluate. */
  thresholds: number[];
  /** JSONL results store. */
  storeFile: string;
  /** The source run's dataset, if already built. */
  dataset?: VideoDataset;
  progress?: ProgressMode;
  onPoint?: (record: AblationRecord, reused: boolean) => void;
}

const FIXED_THRESHOLD_SWEEP_OPTION_KEYS = optionKeys<FixedThresholdSweepOptions>({
  sourceRunDir: true, thresholds: true, storeFile: true, dataset: true, progress: true, onPoint: true,
});

/**
 * Evaluates a trained delta model with q fixed to each value (see the module comment). Throws a
 * DeltaSparsityError, before any point runs, for an unknown option, a missing `sourceRunDir` or `storeFile`, a
 * bad threshold or a source run that is not a finished delta run.
 */
export async function fixedThresholdSweep(rawOptions: FixedThresholdSweepOptions): Promise<SweepOutcome<AblationPoint, AblationResult>> {
  const options = checkOptionKeys('fixedThresholdSweep', rawOptions, FIXED_THRESHOLD_SWEEP_OPTION_KEYS);
  requireNonEmptyString('sourceRunDir', options.sourceRunDir, 'a trained delta run folder');
  requireNonEmptyString('storeFile', options.storeFile, 'a results file path (JSONL)');
  checkThresholds(options.thresholds);
  const { config } = readFinishedRun(options.sourceRunDir);
  if (config.model.variant !== 'delta') {
    throw invalidArgument('sourceRunDir', `a run of variant "delta" (this run's variant is "${config.model.variant}")`, options.sourceRunDir);
  }
  const source = runIdentity(options.sourceRunDir);
  const points = options.thresholds.map<AblationPoint>((threshold) => ({
    mode: 'fixed-threshold',
    variant: 'delta',
    threshold,
    sparsityWeight: config.sparsity.sparsityWeight,
    source,
    measurement: MEASUREMENT_VERSION,
  }));
  let testDataset: VideoDataset | undefined;
  let model: tf.LayersModel | undefined;
  try {
    const store = openAblationStore(options.storeFile);
    return await runSweep({
      points,
      store,
      progress: options.progress,
      onPoint: options.onPoint,
      runPoint: async (point) => {
        // Loaded lazily, so that a sweep whose points are all stored touches neither data nor model.
        testDataset ??= await evaluationDatasetFor(config, options.dataset ?? (await datasetFromConfig(config, prefixProgress(options.progress, 'data'))), prefixProgress(options.progress, 'data'));
        model ??= await loadCheckpointModel(options.sourceRunDir);
        setAllThresholds(model, point.threshold);
        return { ...(await measurePoint(model, testDataset, config)), meanThreshold: point.threshold };
      },
    });
  } finally {
    model?.dispose();
  }
}

export interface TrainingSweepOptions {
  /** A trained baseline run folder to refine from. */
  baselineRunDir: string;
  /** Folder for the refinement runs (one sub-folder per point). */
  runsRoot: string;
  /** JSONL results store. */
  storeFile: string;
  /** Initial q values. */
  thresholds: number[];
  /** λ values. Default: the configuration's. */
  sparsityWeights?: number[];
  /** Variants. Default ['delta']. */
  variants?: ('delta' | 'spatial-l1')[];
  /** Overrides of the baseline's configuration for the refinements (e.g. `{ epochs: 3 }`). */
  config?: TrainConfigInput;
  dataset?: VideoDataset;
  progress?: ProgressMode;
  onPoint?: (record: AblationRecord, reused: boolean) => void;
}

const TRAINING_SWEEP_OPTION_KEYS = optionKeys<TrainingSweepOptions>({
  baselineRunDir: true, runsRoot: true, storeFile: true, thresholds: true, sparsityWeights: true, variants: true, config: true,
  dataset: true, progress: true, onPoint: true,
});

/** What a training sweep will run: its points and the configuration every refinement starts from. */
export interface TrainingSweepPlan {
  /** One point per (variant, initial q, λ), in grid order. */
  points: AblationPoint[];
  /** The baseline's configuration with the sweep's overrides (no initFrom); each point sets variant, q and λ. */
  refinementBase: TrainConfig;
  /** Epochs the baseline has finished (the refinements check it). */
  baselineEpochs: number | undefined;
}

/**
 * The points of a training sweep and their shared refinement configuration, from the baseline run folder;
 * trains nothing. Throws the same DeltaSparsityErrors as `trainingSweep` for bad options.
 */
export function planTrainingSweep(options: Omit<TrainingSweepOptions, 'storeFile' | 'dataset' | 'progress' | 'onPoint'>): TrainingSweepPlan {
  requireNonEmptyString('baselineRunDir', options.baselineRunDir, 'a trained baseline run folder');
  requireNonEmptyString('runsRoot', options.runsRoot, 'a folder for the refinement runs');
  checkThresholds(options.thresholds);
  options.sparsityWeights?.forEach((w, i) => requireNonNegative(`sparsityWeights[${i}]`, w));
  expectFolderOrNothing(options.runsRoot, 'runsRoot');
  const { config: baseline, epochsDone: baselineEpochs } = readFinishedRun(options.baselineRunDir);
  const { initFrom: _ignored, ...baselineRest } = baseline;
  const refinementBase = resolveTrainConfig(mergeConfig(baselineRest, options.config ?? {}));
  const source = stableHash({ baseline: runIdentity(options.baselineRunDir), refinement: refinementBase });
  const points = expandGrid<AblationPoint>(
    { mode: 'trained', variant: 'delta', threshold: refinementBase.sparsity.threshold, sparsityWeight: refinementBase.sparsity.sparsityWeight, source, measurement: MEASUREMENT_VERSION },
    {
      variant: options.variants ?? ['delta'],
      threshold: options.thresholds,
      sparsityWeight: options.sparsityWeights ?? [refinementBase.sparsity.sparsityWeight],
    },
  );
  return { points, refinementBase, baselineEpochs };
}

/**
 * The run folder name of a refinement point, under the sweep's runs root. What was trained does not depend on how
 * it is measured, so `measurement` is left out: a point measured anew finds its trained run folder.
 */
export function refinementRunName(point: AblationPoint): string {
  const { measurement: _measurement, ...trained } = point;
  return `${point.variant}-q${point.threshold}-l${point.sparsityWeight}-${stableHash(trained, 8)}`;
}

/**
 * Trains one point of a training sweep: refines `baselineRunDir` with the point's variant, initial q and λ
 * in `runDir` (resumable), and returns what the last epoch measured. Used by `trainingSweep` and by queue
 * workers (lib/queue), which pass their own copy of the baseline.
 */
export async function runRefinementPoint(args: {
  point: AblationPoint;
  refinementBase: TrainConfig;
  baselineRunDir: string;
  baselineEpochs: number | undefined;
  runDir: string;
  dataset: VideoDataset;
  progress?: ProgressMode;
}): Promise<AblationResult> {
  const { point } = args;
  const result = await train({
    runDir: args.runDir,
    dataset: args.dataset,
    progress: args.progress,
    config: mergeConfig(args.refinementBase, {
      model: { variant: point.variant },
      sparsity: { threshold: point.threshold, sparsityWeight: point.sparsityWeight },
      initFrom: path.resolve(args.baselineRunDir),
      initFromEpochs: args.baselineEpochs,
    }),
  });
  result.model.dispose();
  // train() has just evaluated and measured the last epoch: reuse that instead of measuring again.
  const last = result.metrics[result.metrics.length - 1];
  const number = (key: string) => (typeof last?.[key] === 'number' ? (last[key] as number) : Number.NaN);
  return {
    ...resultOf({ clipAccuracy: number('testClipAccuracy'), videoAccuracy: number('testVideoAccuracy'), loss: number('testLoss') }, result.sparsity),
    meanThreshold: typeof last?.meanThreshold === 'number' ? last.meanThreshold : null,
    runDir: args.runDir,
  };
}

/** Refines from a baseline once per (variant, initial q, λ) and records the results (see the module comment). */
export async function trainingSweep(rawOptions: TrainingSweepOptions): Promise<SweepOutcome<AblationPoint, AblationResult>> {
  const options = checkOptionKeys('trainingSweep', rawOptions, TRAINING_SWEEP_OPTION_KEYS);
  requireNonEmptyString('storeFile', options.storeFile, 'a results file path (JSONL)');
  const { points, refinementBase, baselineEpochs } = planTrainingSweep(options);
  let dataset = options.dataset;
  return runSweep({
    points,
    store: openAblationStore(options.storeFile),
    progress: options.progress,
    onPoint: options.onPoint,
    runPoint: async (point) => {
      dataset ??= await datasetFromConfig(refinementBase, prefixProgress(options.progress, 'data'));
      return runRefinementPoint({
        point,
        refinementBase,
        baselineRunDir: options.baselineRunDir,
        baselineEpochs,
        runDir: path.join(options.runsRoot, refinementRunName(point)),
        dataset,
        progress: prefixProgress(options.progress, `${point.variant} q=${point.threshold} λ=${point.sparsityWeight}`),
      });
    },
  });
}

/** Flat rows (point fields then result fields) for tables, CSV and DataFrames (`dataFrameOf(ablationRows(records))`). */
export function ablationRows(records: AblationRecord[]): Record<string, string | number | null>[] {
  return records.map((record) => {
    const { runDir: _runDir, ...result } = record.result;
    return { key: record.key, ...record.config, ...result, seconds: record.seconds };
  });
}
