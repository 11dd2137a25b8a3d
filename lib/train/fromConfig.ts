/** Turning a resolved training configuration into the dataset and the model it describes. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  WEIZMANN_SUBJECT_PATTERN,
  bundledWeizmannRoot,
  createFolderDataset,
  createSyntheticDataset,
  createUcf101Dataset,
  createWeizmannDataset,
  describeSplit,
  folderDatasetIdentity,
  loadUcf101Split,
  resolveSplitDir,
  resolveSubjectSplit,
  resolveUcf101Root,
  scanVideoFolder,
  selectUcf101Subset,
} from '../data';
import { stableHash } from '../util/stableHash';
import type { VideoDataset } from '../data/types';
import { buildMobileNet, buildSmallCnn, insertSparsityLayers } from '../models';
import type { SparsityLayerArgs } from '../models';
import type { ProgressMode } from '../util/progress';
import { DeltaSparsityError } from '../util/errors';
import type { TrainConfig } from './config';
import { checkpointFolder, loadCheckpointModel, readCheckpointState } from './checkpoint';
import { writeSkippedVideosFile } from './runFolderFiles';

/**
 * The dataset a configuration names: the embedded synthetic set, a UCF101 subset, a folder of labelled videos
 * or the bundled Weizmann set (the file-based ones decoded and cached). Videos left out (data.badVideos
 * 'skip') are printed on stderr, one line each, and stay listed in the dataset's `skippedVideos`.
 */
export async function datasetFromConfig(config: TrainConfig, progress: ProgressMode = 'auto'): Promise<VideoDataset> {
  const dataset = await buildDataset(config, progress);
  if (progress !== 'silent') reportSkippedVideos(dataset);
  return dataset;
}

/** Prints each skipped video of `dataset` on stderr, one line each (nothing when none was skipped). */
export function reportSkippedVideos(dataset: VideoDataset, write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): void {
  const skipped = dataset.skippedVideos ?? [];
  if (skipped.length === 0) return;
  write(`${dataset.name}: ${skipped.length} video${skipped.length === 1 ? '' : 's'} skipped (data.badVideos 'error' stops at the first instead):`);
  for (const item of skipped) write(`  skipped ${item.video}: ${item.reason}`);
}

/** What data a configuration trains and tests on, for run-folder and results keys. */
export interface DataIdentity {
  /** "synthetic", "ucf101", "folder" or "weizmann". */
  name: string;
  /** The data folder (absolute), or null for the generated synthetic set. */
  root: string | null;
  /** The split in words, e.g. "split 1" or "fixed subjects (test: lyova, moshe, shahar; train: ...)". */
  split: string;
  /** Folder datasets: the leave-one-subject-out fold, else null. */
  fold: number | null;
  /** Hash of the listed videos (paths, classes, subjects, sizes) or, for the synthetic set, of its generator settings. */
  fileListHash: string;
  /** Videos listed (train + test). */
  videos: number;
  /** 12 hex digits over all of the above: differs whenever the data differ. */
  key: string;
}

/**
 * The identity of the data `config` names, from the file lists only (decodes nothing, so run folders can be
 * keyed before any work starts). Throws the same one-line errors as `datasetFromConfig` for a bad root,
 * pattern, subject or fold.
 */
export function dataIdentityFromConfig(config: TrainConfig): DataIdentity {
  const data = config.data;
  let identity: Omit<DataIdentity, 'key'>;
  if (data.source === 'synthetic') {
    const generator = {
      size: data.size,
      clipLength: data.clipLength,
      testClipLength: data.testClipLength,
      train: data.syntheticTrainPerClass,
      test: data.syntheticTestPerClass,
      appearanceCue: data.syntheticAppearanceCue,
      seed: config.seed,
    };
    identity = { name: 'synthetic', root: null, split: 'generated', fold: null, fileListHash: stableHash(generator), videos: 6 * (generator.train + generator.test) };
  } else if (data.source === 'ucf101') {
    const root = resolveUcf101Root(data.root);
    const subset = selectUcf101Subset(loadUcf101Split(data.split, resolveSplitDir(root, data.splitDir)), {
      classes: data.classes,
      firstClasses: data.classes ? undefined : data.firstClasses,
      videosPerClass: data.videosPerClass,
    });
    const files = [...subset.train.map((entry) => ['train', entry.path]), ...subset.test.map((entry) => ['test', entry.path])];
    identity = { name: 'ucf101', root, split: `split ${subset.split}`, fold: null, fileListHash: stableHash(files), videos: files.length };
  } else {
    const root = data.root ?? (data.source === 'weizmann' ? bundledWeizmannRoot() : undefined);
    const pattern = data.subjectPattern ?? (data.source === 'weizmann' ? WEIZMANN_SUBJECT_PATTERN : undefined);
    if (root === undefined) throw new DeltaSparsityError('data.root: expected the folder holding <class>/<video> for data.source "folder". Received: data.root=undefined');
    if (pattern === undefined) {
      throw new DeltaSparsityError('data.subjectPattern: expected a regular expression with one capture group for data.source "folder". Received: data.subjectPattern=undefined');
    }
    const scan = scanVideoFolder(root, pattern);
    const folder = folderDatasetIdentity(scan, resolveSubjectSplit(scan, { testSubjects: data.testSubjects, fold: data.fold }), data.source);
    identity = { name: data.source, root: folder.root, split: describeSplit(folder.split), fold: folder.split.fold ?? null, fileListHash: folder.fileListHash, videos: folder.videos };
  }
  return { ...identity, key: stableHash(identity, 12) };
}

/**
 * Writes `<runDir>/skipped-videos.json`: `{ dataset, skipped: [{ video, file, reason }] }` (an empty list when
 * nothing was skipped), so a run folder says which listed videos its numbers do not include.
 */
export function writeSkippedVideos(runDir: string, dataset: VideoDataset): void {
  writeSkippedVideosFile(runDir, dataset.name, dataset.skippedVideos ?? []);
}

async function buildDataset(config: TrainConfig, progress: ProgressMode): Promise<VideoDataset> {
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
      clipsPerVideo: data.clipsPerVideo,
      appearanceCue: data.syntheticAppearanceCue,
      augmentation,
      seed: config.seed,
    });
  }
  const badVideos = data.badVideos;
  // What every decoded source (folder, Weizmann, UCF101) takes alike.
  const decoded = {
    frameStride: data.frameStride,
    size: data.size,
    clipLength: data.clipLength,
    testWindowsPerVideo: data.testWindowsPerVideo,
    clipsPerVideo: data.clipsPerVideo,
    augmentation,
    cacheDir: data.cacheDir,
    seed: config.seed >>> 0, // the datasets take seeds >= 0; this keeps distinct seeds distinct
    badVideos,
    progress,
  } as const;
  if (data.source === 'folder' || data.source === 'weizmann') {
    if (data.source === 'folder' && data.root === undefined) {
      throw new DeltaSparsityError('data.root: expected the folder holding <class>/<video> for data.source "folder". Received: data.root=undefined');
    }
    if (data.source === 'folder' && data.subjectPattern === undefined) {
      throw new DeltaSparsityError(
        'data.subjectPattern: expected a regular expression with one capture group (the subject in each file name, e.g. "^([a-z]+)_") for data.source "folder". Received: data.subjectPattern=undefined',
      );
    }
    const common = { ...decoded, testSubjects: data.testSubjects, fold: data.fold };
    return data.source === 'weizmann'
      ? createWeizmannDataset({ ...common, root: data.root, subjectPattern: data.subjectPattern })
      : createFolderDataset({ ...common, root: data.root as string, subjectPattern: data.subjectPattern as string });
  }
  if (data.root === undefined) {
    throw new DeltaSparsityError('data.root: expected the UCF101 folder for data.source "ucf101". Received: data.root=undefined');
  }
  return createUcf101Dataset({
    root: data.root,
    splitDir: data.splitDir,
    split: data.split,
    classes: data.classes,
    firstClasses: data.classes ? undefined : data.firstClasses,
    videosPerClass: data.videosPerClass,
    decode: data.decode,
    ...decoded,
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
    thresholdGrowsWithPenalty: config.sparsity.thresholdGrowsWithPenalty,
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
        `initFrom: expected a run folder with a checkpoint (${checkpointFolder(config.initFrom)}). Received: initFrom=${JSON.stringify(config.initFrom)}`,
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
      return insertSparsityLayers(source, { ...sparsity, perFrame: false, name: `${config.model.architecture}_${config.model.variant}` });
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
