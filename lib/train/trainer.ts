/**
 * The training loop. A custom loop (not `model.fit`) because the sparsity penalty is computed from the
 * delta layers' outputs in the loss: tfjs-layers 4.22 cannot train on losses that layers add themselves.
 *
 * Each epoch: train on shuffled clips, evaluate on the test windows, measure per-layer spatial and temporal
 * density and MAC counts on a few test clips, log one row to `metrics.jsonl`/`metrics.csv`, write
 * `workload.json` for the cost model, and checkpoint. Rerunning with the same run folder resumes after the
 * last checkpointed epoch; the result is the same as an uninterrupted run (same seed, same data order,
 * optimizer state restored).
 */
import * as tf from '@tensorflow/tfjs';
import type { VideoDataset } from '../data/types';
import { DeltaActivation } from '../layers/deltaActivation';
import { meanThreshold } from '../models/thresholds';
import { createSparsityForward } from './sparsityForward';
import { learnedThresholds } from '../sparsity';
import type { SparsityMeasurement } from '../sparsity';
import { DeltaSparsityError, checkOptionKeys, optionKeys, requireNonEmptyString } from '../util/errors';
import { removeStrayTemporaries } from '../util/files';
import { createProgress, type ProgressMode } from '../util/progress';
import { resolveTrainConfig, type TrainConfig, type TrainConfigInput } from './config';
import { loadCheckpointModel, readCheckpointState, restoreOptimizer, saveCheckpoint } from './checkpoint';
import { batchTensors, evaluateAndMeasure, measureOnTestClips } from './evaluate';
import { datasetFromConfig, evaluationDatasetFor, modelFromConfig, writeSkippedVideos } from './fromConfig';
import { fitInputNormalization } from './inputStatistics';
import { createOptimizer, disposeOptimizer, learningRateAt, setLearningRate } from './optimizer';
import {
  type EpochMetrics,
  checkCheckpointPresent,
  checkRunFolder,
  lockRunFolder,
  logEpochMetrics,
  openRunFolder,
  readEpochMetrics,
  runWorkloadIsCurrent,
  truncateEpochMetrics,
  writeWorkload,
} from './runFolder';

export interface TrainOptions {
  /** The configuration (any subset; defaults and the preset fill the rest). */
  config?: TrainConfigInput;
  /** Preset whose overrides apply before `config`'s. Default 'default'. */
  preset?: string;
  /** Run folder: created, or resumed when it holds a checkpoint of the same configuration. Required. */
  runDir: string;
  /** A dataset to use instead of the one the configuration names (must match its clip length and size). */
  dataset?: VideoDataset;
  /** The dataset to evaluate on when `data.testClipLength` differs from `clipLength`. Default: built from the configuration. */
  testDataset?: VideoDataset;
  /** Progress display. Default 'auto'. */
  progress?: ProgressMode;
  /** Called after each epoch is logged and checkpointed (e.g. to refresh a notebook plot). */
  onEpoch?: (row: EpochMetrics) => void;
  /** Stop once this many epochs are done in total, as if interrupted (the run can be resumed). */
  stopAfterEpochs?: number;
}

const TRAIN_OPTION_KEYS = optionKeys<TrainOptions>({
  config: true, preset: true, runDir: true, dataset: true, testDataset: true, progress: true, onEpoch: true, stopAfterEpochs: true,
});

export interface TrainResult {
  runDir: string;
  config: TrainConfig;
  /** The trained model (the caller owns it: dispose when done). */
  model: tf.LayersModel;
  /** All epochs logged in the run folder, including those of earlier sessions. */
  metrics: EpochMetrics[];
  /** Epochs that were already done when this call started (0 for a fresh run). */
  resumedFromEpoch: number;
  /** Sparsity measured after the last epoch. */
  sparsity: SparsityMeasurement;
  /**
   * True when nothing was left to train and the run folder's `workload.json` had been measured by an older
   * version (`MEASUREMENT_VERSION`), so it was rewritten from this measurement of the checkpoint.
   */
  remeasured: boolean;
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

/**
 * The mean learned q of each delta layer as metric columns `<layer>.meanThreshold`, named after the layer the
 * delta layer feeds (as the sparsity columns are), so that `layerCurvesFigure` draws q per layer per epoch.
 * Empty for a model without delta layers.
 */
export function thresholdColumns(model: tf.LayersModel): Record<string, number> {
  return Object.fromEntries(learnedThresholds(model).map((entry) => [`${entry.layer}.meanThreshold`, entry.values.reduce((a, b) => a + b, 0) / entry.values.length]));
}

/** Flattens a sparsity measurement into metric columns: overall values, then `<layer>.<quantity>`. */
export function sparsityColumns(measurement: SparsityMeasurement): Record<string, number | null> {
  const { overall } = measurement;
  const columns: Record<string, number | null> = {
    spatialDensity: finiteOrNull(overall.spatialDensity),
    temporalDensity: finiteOrNull(overall.temporalDensity),
    denseMacsPerFrame: finiteOrNull(overall.denseMacsPerFrame),
    zeroSkippingMacsPerFrame: finiteOrNull(overall.zeroSkippingMacsPerFrame),
    deltaMacsPerFrame: finiteOrNull(overall.deltaMacsPerFrame),
    deltaMacsPerFrameFirstIncluded: finiteOrNull(overall.deltaMacsPerFrameFirstIncluded),
    deltaMacDensity: finiteOrNull(overall.deltaMacDensity),
    zeroSkippingMacDensity: finiteOrNull(overall.zeroSkippingMacDensity),
  };
  for (const layer of measurement.layers) {
    columns[`${layer.name}.spatialDensity`] = finiteOrNull(layer.spatialDensity);
    columns[`${layer.name}.temporalDensity`] = finiteOrNull(layer.temporalDensity);
    columns[`${layer.name}.deltaMacsPerFrame`] = finiteOrNull(layer.deltaMacsPerFrame);
  }
  return columns;
}

function checkDataset(dataset: VideoDataset, config: TrainConfig): void {
  if (dataset.trainClipCount === 0 || dataset.testClipCount === 0) {
    throw new DeltaSparsityError(
      `data: expected a subset with training and test clips. Received: ${dataset.trainClipCount} training and ${dataset.testClipCount} test clips (${dataset.name})`,
    );
  }
  if (dataset.clipLength !== config.data.clipLength || dataset.height !== config.data.size || dataset.width !== config.data.size) {
    throw new DeltaSparsityError(
      `dataset: expected clips of ${config.data.clipLength} frames at ${config.data.size}x${config.data.size} as configured. ` +
        `Received: ${dataset.clipLength} frames at ${dataset.height}x${dataset.width}`,
    );
  }
}

/** Trains (or resumes training) as configured. See the module comment. */
export async function train(options: TrainOptions): Promise<TrainResult> {
  // Plain-JavaScript callers get no compile-time check: a misspelt option or a missing runDir is named here.
  requireNonEmptyString('runDir', checkOptionKeys('train', options, TRAIN_OPTION_KEYS).runDir, 'a run folder path (created, or resumed when it holds a checkpoint)');
  const config = resolveTrainConfig(options.config ?? {}, options.preset ?? 'default');
  const progressMode = options.progress ?? 'auto';
  // A folder that holds another run is refused before any video is decoded.
  checkRunFolder(options.runDir, config);
  const dataset = options.dataset ?? (await datasetFromConfig(config, progressMode));
  checkDataset(dataset, config);
  const testDataset = options.testDataset ?? (await evaluationDatasetFor(config, dataset, progressMode));
  // Held until training ends: a second trainer on this folder (another process) stops here with an error
  // naming this one, instead of interleaving checkpoints and metric rows.
  const lock = lockRunFolder(options.runDir);
  try {
    return await trainLocked(options, config, dataset, testDataset, progressMode);
  } finally {
    lock.release();
  }
}

async function trainLocked(
  options: TrainOptions,
  config: TrainConfig,
  dataset: VideoDataset,
  testDataset: VideoDataset,
  progressMode: ProgressMode,
): Promise<TrainResult> {
  // Temporary files of a writer killed mid-write (kill -9): nobody else can be writing here now.
  removeStrayTemporaries(options.runDir);
  const state = readCheckpointState(options.runDir);
  if (state === undefined) checkCheckpointPresent(options.runDir);
  const resumedFromEpoch = state?.epochsDone ?? 0;
  const model = state ? await loadCheckpointModel(options.runDir) : await modelFromConfig(config, dataset);
  const optimizer = createOptimizer(config.optimizer);
  try {
    if (state) await restoreOptimizer(options.runDir, optimizer);
    // A fresh model learns its input statistics; a refinement (initFrom) keeps its source's.
    else if (config.initFrom === undefined) await fitInputNormalization(model, dataset);
  } catch (error) {
    model.dispose();
    disposeOptimizer(optimizer);
    throw error;
  }
  // Only now, when every check has passed: a run that failed to start leaves no folder behind to refuse later.
  openRunFolder(options.runDir, config);
  writeSkippedVideos(options.runDir, dataset);
  // Rows logged after the last checkpoint (a crash between logging and checkpointing) are redone.
  truncateEpochMetrics(options.runDir, resumedFromEpoch);
  const forward = createSparsityForward(model);
  const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  const classes = dataset.classNames.length;
  const lastEpoch = Math.min(config.epochs, options.stopAfterEpochs ?? config.epochs);
  let measurement: SparsityMeasurement | undefined;
  let remeasured = false;

  try {
    for (let epoch = resumedFromEpoch; epoch < lastEpoch; epoch++) {
      const startedAt = Date.now();
      const learningRate = learningRateAt(config.optimizer, epoch, config.epochs);
      setLearningRate(optimizer, learningRate);
      const progress = createProgress({
        label: `epoch ${epoch + 1}/${config.epochs}`,
        total: dataset.trainClipCount,
        unit: 'clips',
        mode: progressMode,
      });
      let seen = 0;
      let crossEntropySum = 0;
      let penaltySum = 0;
      let correct = 0;
      for await (const batch of dataset.trainBatches({ batchSize: config.batchSize, epoch })) {
        const { clips, labels } = batchTensors(batch, classes);
        let kept: tf.Tensor[] = [];
        let total: tf.Scalar | null = null;
        let crossEntropy: number;
        let penalty: number;
        let hits: number;
        try {
          total = optimizer.minimize(
            () => {
              const forwarded = forward.apply(clips, { training: true }); // output: logits [B, classes]
              const entropy = tf.losses.softmaxCrossEntropy(labels, forwarded.output) as tf.Scalar;
              const correctCount = tf.sum(tf.cast(tf.equal(tf.argMax(forwarded.output, 1), tf.argMax(labels, 1)), 'float32'));
              kept = [tf.keep(entropy.clone()), tf.keep(forwarded.penalty.clone()), tf.keep(correctCount)];
              return tf.add(entropy, forwarded.penalty) as tf.Scalar;
            },
            true,
            variables,
          );
          [crossEntropy, penalty, hits] = kept.map((tensor) => tensor.dataSync()[0]);
        } finally {
          tf.dispose([...kept, clips, labels]);
          if (total) total.dispose();
        }
        const size = batch.labels.length;
        crossEntropySum += crossEntropy * size;
        penaltySum += penalty * size;
        correct += hits;
        seen += size;
        progress.update(seen, `loss ${(crossEntropy + penalty).toFixed(3)}`);
      }
      progress.stop();
      const trainSeconds = (Date.now() - startedAt) / 1000;

      const measured = await evaluateAndMeasure(model, testDataset, config);
      const test = measured.test;
      measurement = measured.sparsity;

      const row: EpochMetrics = {
        epoch: epoch + 1,
        learningRate,
        trainLoss: (crossEntropySum + penaltySum) / seen,
        trainCrossEntropy: crossEntropySum / seen,
        trainPenalty: penaltySum / seen,
        trainAccuracy: correct / seen,
        testLoss: finiteOrNull(test.loss),
        testClipAccuracy: finiteOrNull(test.clipAccuracy),
        testVideoAccuracy: finiteOrNull(test.videoAccuracy),
        testVideos: test.videos,
        classes,
        meanThreshold: meanThreshold(model),
        trainFramesPerSec: (seen * dataset.clipLength) / trainSeconds,
        seconds: (Date.now() - startedAt) / 1000,
        ...sparsityColumns(measurement),
        ...thresholdColumns(model),
      };
      logEpochMetrics(options.runDir, row);
      writeWorkload(options.runDir, measurement, { model: `${config.model.architecture}/${config.model.variant}`, epoch: epoch + 1 });
      await saveCheckpoint(options.runDir, model, optimizer, { epochsDone: epoch + 1 });
      writeSkippedVideos(options.runDir, dataset); // background decoding may have found more
      options.onEpoch?.(row);
    }
    if (measurement === undefined) {
      // Nothing left to train (a finished run reopened): measure the model as it is. A workload.json measured
      // by an older version (average fan-out MACs) is rewritten from this measurement, not retrained.
      const stale = !runWorkloadIsCurrent(options.runDir);
      const progress = stale ? createProgress({ label: 're-measured: executed MACs', total: 1, unit: 'runs', mode: progressMode }) : null;
      measurement = await measureOnTestClips(model, testDataset, config.sparsityClips);
      if (stale) {
        writeWorkload(options.runDir, measurement, { model: `${config.model.architecture}/${config.model.variant}`, epoch: resumedFromEpoch });
        remeasured = true;
        progress?.update(1);
        progress?.stop();
      }
    }
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    disposeOptimizer(optimizer);
  }
  return {
    runDir: options.runDir,
    config,
    model,
    metrics: readEpochMetrics(options.runDir),
    resumedFromEpoch,
    sparsity: measurement,
    remeasured,
  };
}
