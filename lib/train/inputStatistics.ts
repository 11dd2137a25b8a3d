/** Training-set statistics that a model stores: the per-channel mean and std its input normalisation uses. */
import * as tf from '@tensorflow/tfjs';
import type { VideoDataset } from '../data/types';
import { isInputNormalization } from '../layers/inputNormalization';

/** Per-channel mean and standard deviation of pixel values (RGB in [0, 1]). */
export interface ChannelStatistics {
  mean: number[];
  std: number[];
  /** Clips the statistics were computed on. */
  clips: number;
}

/**
 * Mean and std per channel over the training clips of epoch 0, at most `maxClips` of them (default 256: the
 * statistics of a few hundred clips are as good as those of all, and a dataset still decoding in the
 * background is not waited for to the end). Accumulates in float64.
 */
export async function channelStatistics(dataset: VideoDataset, maxClips = 256): Promise<ChannelStatistics> {
  const sums: number[] = [];
  const squares: number[] = [];
  let clips = 0;
  let values = 0;
  for await (const batch of dataset.trainBatches({ batchSize: 16, epoch: 0 })) {
    const channels = batch.shape[4];
    const take = Math.min(batch.labels.length, maxClips - clips);
    const n = (batch.clips.length / batch.labels.length) * take;
    for (let c = 0; c < channels; c++) {
      let sum = 0;
      let square = 0;
      for (let i = c; i < n; i += channels) {
        const v = batch.clips[i];
        sum += v;
        square += v * v;
      }
      sums[c] = (sums[c] ?? 0) + sum;
      squares[c] = (squares[c] ?? 0) + square;
    }
    values += n / channels;
    clips += take;
    if (clips >= maxClips) break;
  }
  const mean = sums.map((sum) => sum / values);
  // A constant channel would divide by 0: floor the std at one grey level.
  const std = squares.map((square, c) => Math.max(Math.sqrt(Math.max(0, square / values - mean[c] * mean[c])), 1 / 255));
  return { mean, std, clips };
}

/**
 * Sets the input normalisation of a fresh `model` (if it has one) from `dataset`'s training clips.
 * Returns the statistics set, or null when the model has no `InputNormalization` layer.
 */
export async function fitInputNormalization(model: tf.LayersModel, dataset: VideoDataset): Promise<ChannelStatistics | null> {
  const layer = model.layers.find(isInputNormalization);
  if (layer === undefined) return null;
  const statistics = await channelStatistics(dataset);
  layer.setStatistics(statistics.mean, statistics.std);
  return statistics;
}
