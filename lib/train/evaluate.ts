/**
 * Evaluation of a video classifier on a dataset's test windows: clip accuracy (per window: each test window
 * of T frames classified on its own, the metric the paper's published code reports: Keras `model.evaluate` on
 * 32-frame sliding windows) and video accuracy (class probabilities averaged over all test windows of a
 * video, then one verdict per video; the paper reports no per-video figure).
 */
import * as tf from '@tensorflow/tfjs';
import { invalidArgument, requireInteger } from '../util/errors';
import type { ClipBatch, VideoDataset } from '../data/types';
import { checkDatasetFitsModel } from './datasetFit';
import { measureSparsity, type SparsityMeasurement } from '../sparsity';

export interface Evaluation {
  /** Mean softmax cross-entropy over test clips. */
  loss: number;
  /** Fraction of test clips (windows) classified correctly: per-window accuracy, like the paper's. */
  clipAccuracy: number;
  /** Fraction of test videos whose window-averaged probabilities pick the right class. */
  videoAccuracy: number;
  clips: number;
  videos: number;
}

/** Turns a batch into tensors: clips [B, T, H, W, 3] and one-hot labels [B, classes]. */
export function batchTensors(batch: ClipBatch, classes: number): { clips: tf.Tensor5D; labels: tf.Tensor2D } {
  return tf.tidy(() => ({
    clips: tf.tensor5d(batch.clips, batch.shape),
    labels: tf.oneHot(tf.tensor1d(batch.labels, 'int32'), classes).toFloat() as tf.Tensor2D,
  }));
}

export async function evaluate(model: tf.LayersModel, dataset: VideoDataset, batchSize: number): Promise<Evaluation> {
  checkDatasetFitsModel(model, dataset);
  const classes = dataset.classNames.length;
  let lossSum = 0;
  let correct = 0;
  let clips = 0;
  const perVideo = new Map<string, { probabilities: Float64Array; label: number }>();
  for await (const batch of dataset.testBatches({ batchSize })) {
    const { clips: x, labels } = batchTensors(batch, classes);
    let lossValues: Float32Array | Int32Array | Uint8Array;
    let probabilityValues: Float32Array | Int32Array | Uint8Array;
    try {
      [lossValues, probabilityValues] = tf.tidy(() => {
        const logits = model.predict(x) as tf.Tensor2D; // [B, classes]
        const losses = tf.losses.softmaxCrossEntropy(labels, logits, undefined, undefined, tf.Reduction.NONE);
        return [losses.dataSync(), tf.softmax(logits).dataSync()];
      });
    } finally {
      tf.dispose([x, labels]);
    }
    for (let i = 0; i < batch.labels.length; i++) {
      const row = probabilityValues.subarray(i * classes, (i + 1) * classes);
      let best = 0;
      for (let c = 1; c < classes; c++) if (row[c] > row[best]) best = c;
      if (best === batch.labels[i]) correct += 1;
      lossSum += lossValues[i];
      clips += 1;
      const entry = perVideo.get(batch.videoIds[i]) ?? { probabilities: new Float64Array(classes), label: batch.labels[i] };
      for (let c = 0; c < classes; c++) entry.probabilities[c] += row[c];
      perVideo.set(batch.videoIds[i], entry);
    }
  }
  let videoCorrect = 0;
  for (const { probabilities, label } of perVideo.values()) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (probabilities[c] > probabilities[best]) best = c;
    if (best === label) videoCorrect += 1;
  }
  return {
    loss: clips > 0 ? lossSum / clips : Number.NaN,
    clipAccuracy: clips > 0 ? correct / clips : Number.NaN,
    videoAccuracy: perVideo.size > 0 ? videoCorrect / perVideo.size : Number.NaN,
    clips,
    videos: perVideo.size,
  };
}

/**
 * Picks `count` of `total` items spread evenly (first, last and equal steps between), as indices in
 * increasing order; all of them when count >= total.
 */
export function evenlySpaced(total: number, count: number): number[] {
  if (count >= total) return Array.from({ length: total }, (_, i) => i);
  if (count <= 0) return [];
  if (count === 1) return [Math.floor((total - 1) / 2)];
  return Array.from({ length: count }, (_, i) => Math.round((i * (total - 1)) / (count - 1)));
}

/** Which test clips (positions in the test set's fixed order) a stratified sample takes, and their labels. */
export interface TestSelection {
  indices: number[];
  labels: number[];
}

// The test set's order is fixed: its labels are read once per dataset, not once per epoch.
const testLabelCache = new WeakMap<VideoDataset, { clips: number[]; videos: number[] }>();

/** The labels of the test clips (in test order) and of the test videos (in order of first clip), one pass. */
async function readTestLabels(dataset: VideoDataset): Promise<{ clips: number[]; videos: number[] }> {
  const cached = testLabelCache.get(dataset);
  if (cached) return cached;
  const clips: number[] = [];
  const videos = new Map<string, number>();
  for await (const batch of dataset.testBatches({ batchSize: 64 })) {
    clips.push(...batch.labels);
    batch.videoIds.forEach((id, i) => {
      if (!videos.has(id)) videos.set(id, batch.labels[i]);
    });
  }
  const labels = { clips, videos: [...videos.values()] };
  testLabelCache.set(dataset, labels);
  return labels;
}

async function testLabels(dataset: VideoDataset): Promise<number[]> {
  return (await readTestLabels(dataset)).clips;
}

/**
 * The class index of every test video of `dataset` (one per video, in the order of each video's first test
 * window), as `evaluate` counts videos: what the chance accuracy of a video accuracy is computed from
 * (`testAgainstChance(accuracy, videos, { testVideoLabels })`). Read once per dataset (cached).
 */
export async function testVideoLabels(dataset: VideoDataset): Promise<number[]> {
  return (await readTestLabels(dataset)).videos;
}

/**
 * The positions of `count` test clips stratified by class (see `stratifiedTestClips`), in increasing order.
 * Reads the test set's labels once per dataset (cached).
 */
export async function stratifiedTestSelection(dataset: VideoDataset, count: number): Promise<TestSelection> {
  const total = requireInteger('count', count, 1);
  const labels = await testLabels(dataset);
  const byClass = new Map<number, number[]>();
  labels.forEach((label, index) => byClass.set(label, [...(byClass.get(label) ?? []), index]));
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  const quota = new Map(classes.map((c) => [c, 0]));
  let left = Math.min(total, labels.length);
  while (left > 0) {
    for (const c of classes) {
      if (left > 0 && (quota.get(c) as number) < (byClass.get(c) as number[]).length) {
        quota.set(c, (quota.get(c) as number) + 1);
        left -= 1;
      }
    }
  }
  const indices = classes
    .flatMap((c) => {
      const members = byClass.get(c) as number[];
      return evenlySpaced(members.length, quota.get(c) as number).map((i) => members[i]);
    })
    .sort((a, b) => a - b);
  return { indices, labels: indices.map((i) => labels[i]) };
}

/**
 * `count` test clips stratified by class, stacked into one tensor [N, T, H, W, 3] (for sparsity measurement):
 * each class gets an equal share (the remainder going to the first classes, a class with fewer clips giving
 * its spare share to the others), spread evenly over that class's clips, so that neither the first classes
 * nor the first videos of a class dominate. All test clips when `count` is at least their number.
 * One pass over the test set; only the chosen clips are kept.
 */
export async function stratifiedTestClips(dataset: VideoDataset, count: number): Promise<tf.Tensor5D> {
  const chosen = new Set((await stratifiedTestSelection(dataset, count)).indices);
  const parts: tf.Tensor5D[] = [];
  let index = 0;
  try {
    for await (const batch of dataset.testBatches({ batchSize: 16 })) {
      const keep: number[] = [];
      for (let i = 0; i < batch.labels.length; i++) if (chosen.has(index + i)) keep.push(i);
      index += batch.labels.length;
      if (keep.length === 0) continue;
      parts.push(
        tf.tidy(() => tf.gather(tf.tensor5d(batch.clips, batch.shape), keep) as tf.Tensor5D),
      );
    }
    if (parts.length === 0) throw invalidArgument('dataset', 'a dataset with test clips', `${dataset.name} with none`);
    return tf.concat(parts, 0);
  } finally {
    tf.dispose(parts);
  }
}

/**
 * Sparsity of `model` (see `measureSparsity`) measured on `clips` test clips of `dataset`, stratified by class
 * (`stratifiedTestClips`). The clips are disposed; the result holds plain numbers only.
 */
export async function measureOnTestClips(model: tf.LayersModel, dataset: VideoDataset, clips: number): Promise<SparsityMeasurement> {
  const sample = await stratifiedTestClips(dataset, clips); // [N, T, H, W, 3]
  try {
    return measureSparsity(model, sample);
  } finally {
    sample.dispose();
  }
}

/** What `evaluateAndMeasure` returns: plain numbers, no tensors. */
export interface EvaluationAndSparsity {
  test: Evaluation;
  sparsity: SparsityMeasurement;
}

/**
 * The end-of-epoch measurement shared by the trainer and the sweeps: accuracy and loss on all of `dataset`'s
 * test windows (`evaluate`, batches of `batchSize` clips), then density and MACs on `sparsityClips` stratified
 * test clips (`measureOnTestClips`). Leaves no tensors behind.
 */
export async function evaluateAndMeasure(
  model: tf.LayersModel,
  dataset: VideoDataset,
  options: { batchSize: number; sparsityClips: number },
): Promise<EvaluationAndSparsity> {
  const test = await evaluate(model, dataset, options.batchSize);
  const sparsity = await measureOnTestClips(model, dataset, options.sparsityClips);
  return { test, sparsity };
}
