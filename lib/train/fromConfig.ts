/** Turning a resolved training configuration into the dataset and the model it describes. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createSyntheticDataset, createUcf101Dataset } from '../data';
import type { VideoDataset } from '../data/types';
import { buildMobileNet, buildSmallCnn, insertDeltaLayers } from '../models';
import type { SparsityLayerArgs } from '../models';
import type { ProgressMode } from '../util/progress';
import { DeltaSparsityError } from '../util/errors';
import type { TrainConfig } from './config';
import { loadCheckpointModel, readCheckpointState } from './checkpoint';

/** The dataset a configuration names: the embedded synthetic set, or a UCF101 subset decoded (and cached). */
export async function datasetFromConfig(config: TrainConfig, progress: ProgressMode = 'auto'): Promise<VideoDataset> {
  const data = config.data;
  const augmentation = data.augment ? { horizontalFlip: true, randomCrop: true } : undefined;
  if (data.source === 'synthetic') {
    return createSyntheticDataset({
      height: data.size,
      width: data.size,
      clipLength: data.clipLength,
      // The same videos whatever the clip length, so that training and longer test clips see one set.
      videoLength: Math.max(data.clipLength, data.testClipLength ?? 0) + 4,
      trainPerClass: data.syntheticTrainPerClass,
      testPerClass: data.syntheticTestPerClass,
      testWindowsPerVideo: data.testWindowsPerVideo,
      appearanceCue: data.syntheticAppearanceCue,
      augmentation,
      seed: config.seed,
    });
  }
  if (data.root === undefined) {
    throw new DeltaSparsityError('data.root: expected the UCF101 folder for data.source "ucf101". Received: data.root=undefined');
  }
  return createUcf101Dataset({
    root: data.root,
    split: data.split,
    classes: data.classes,
    firstClasses: data.classes ? undefined : data.firstClasses,
    videosPerClass: data.videosPerClass,
    frameStride: data.frameStride,
    size: data.size,
    clipLength: data.clipLength,
    testWindowsPerVideo: data.testWindowsPerVideo,
    augmentation,
    cacheDir: data.cacheDir,
    decode: data.decode,
    seed: config.seed >>> 0, // the dataset takes seeds >= 0; this keeps distinct seeds distinct
    badVideos: 'skip',
    progress,
  });
}

/**
 * The dataset to evaluate on: `dataset` itself, or, when `data.testClipLength` differs from `clipLength`,
 * the same data cut into test clips of that length.
 */
export async function evaluationDatasetFor(config: TrainConfig, dataset: VideoDataset, progress: ProgressMode = 'auto'): Promise<VideoDataset> {
  const length = config.data.testClipLength;
  if (length === undefined || length === dataset.clipLength) return dataset;
  return datasetFromConfig({ ...config, data: { ...config.data, clipLength: length } }, progress);
}

/** The sparsity-layer arguments of a configuration. */
export function sparsityArgsFromConfig(config: TrainConfig): SparsityLayerArgs {
  return {
    variant: config.model.variant,
    threshold: config.sparsity.threshold,
    granularity: config.sparsity.granularity,
    sparsityWeight: config.sparsity.sparsityWeight,
    invertThresholdGradient: config.sparsity.thresholdGrowsWithPenalty,
  };
}

/**
 * A fresh model for `config` and `dataset`. With `initFrom`, the weights come from that run's checkpoint
 * (the refinement recipe: a trained baseline gets delta or spatial-L1 layers inserted, keeping its weights).
 * Time is left open (T = null) so that evaluation may use longer clips than training.
 */
export async function modelFromConfig(config: TrainConfig, dataset: VideoDataset): Promise<tf.LayersModel> {
  const sparsity = sparsityArgsFromConfig(config);
  if (config.initFrom !== undefined) {
    if (!fs.existsSync(config.initFrom) || readCheckpointState(config.initFrom) === undefined) {
      throw new DeltaSparsityError(
        `initFrom: expected a run folder with a checkpoint (${path.join(config.initFrom, 'checkpoint')}). Received: initFrom=${JSON.stringify(config.initFrom)}`,
      );
    }
    const sourceEpochs = readCheckpointState(config.initFrom)?.epochsDone;
    if (config.initFromEpochs !== undefined && sourceEpochs !== config.initFromEpochs) {
      throw new DeltaSparsityError(
        `initFromEpochs: expected ${config.initFrom} to have finished ${config.initFromEpochs} epochs. Received: ${sourceEpochs} epochs`,
      );
    }
    const source = await loadCheckpointModel(config.initFrom);
    try {
      // The source's input and output must fit this run's data, else tfjs would fail deep inside training.
      const frame = source.inputs[0].shape.slice(2); // [H, W, C] of [B, T, H, W, C]
      const expected = [dataset.height, dataset.width, 3];
      if (frame.length !== 3 || frame.some((size, i) => size !== expected[i])) {
        throw new DeltaSparsityError(
          `initFrom: expected a model for ${expected.join('x')} frames, as data.size configures. Received: ${config.initFrom} takes ${frame.join('x')} frames`,
        );
      }
      const outputs = source.outputs[0].shape[source.outputs[0].shape.length - 1];
      if (outputs !== dataset.classNames.length) {
        throw new DeltaSparsityError(
          `initFrom: expected a model with ${dataset.classNames.length} outputs (one per class of ${dataset.name}). Received: ${config.initFrom} has ${outputs}`,
        );
      }
      return insertDeltaLayers(source, { ...sparsity, perFrame: false, name: `${config.model.architecture}_${config.model.variant}` });
    } finally {
      source.dispose();
    }
  }
  const common = {
    ...sparsity,
    inputShape: [null, dataset.height, dataset.width, 3] as [null, number, number, number],
    classes: dataset.classNames.length,
    seed: config.seed,
    batchNorm: config.model.batchNorm,
    inputNormalization: config.model.inputNormalization,
  };
  return config.model.architecture === 'mobilenet'
    ? buildMobileNet({ ...common, widthMultiplier: config.model.widthMultiplier })
    : buildSmallCnn({ ...common, filters: config.model.filters });
}
