/**
 * Evaluation of a video classifier on a dataset's test windows: clip accuracy, and video accuracy with
 * class probabilities averaged over all windows of a video (the paper's clip-averaged evaluation).
 */
import * as tf from '@tensorflow/tfjs';
import type { ClipBatch, VideoDataset } from '../data/types';

export interface Evaluation {
  /** Mean softmax cross-entropy over test clips. */
  loss: number;
  /** Fraction of test clips classified correctly. */
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

/** The first `count` test clips stacked into one tensor [N, T, H, W, 3] (for sparsity measurement). */
export async function firstTestClips(dataset: VideoDataset, count: number): Promise<tf.Tensor5D> {
  const parts: ClipBatch[] = [];
  let taken = 0;
  for await (const batch of dataset.testBatches({ batchSize: Math.min(count, 16) })) {
    parts.push(batch);
    taken += batch.labels.length;
    if (taken >= count) break;
  }
  return tf.tidy(() => {
    const stacked = tf.concat(parts.map((batch) => tf.tensor5d(batch.clips, batch.shape)), 0) as tf.Tensor5D;
    return stacked.shape[0] > count ? (tf.slice(stacked, 0, count) as tf.Tensor5D) : stacked;
  });
}
