/**
 * Input temporal density of a whole dataset (see `inputTemporalDensity`): how much of its pixels a delta layer
 * on the input would send per frame. data/README.md gives the figures for the real and synthetic sets and the
 * command that measures them (`delta-sparsity data density`).
 */
import { checkOptionKeys, invalidArgument, optionKeys, requireInteger } from '../util/errors';
import { DEFAULT_INPUT_THRESHOLD, inputTemporalDensity } from './stats';
import type { ClipBatch, VideoDataset } from './types';

/** Options of `measureInputTemporalDensity`. */
export interface InputDensityOptions {
  /** Threshold q of the input quantisation y = q·round(x / q), in [0, 1] pixel units. Default 0.05. */
  threshold?: number;
  /** Which clips: the test clips (deterministic windows), the training clips of epoch 0, or both. Default both. */
  parts?: ('train' | 'test')[];
  /** Clips per batch while reading. Default 8. */
  batchSize?: number;
}

/** Per-clip densities and their summary. */
export interface InputDensityResult {
  dataset: string;
  /** The threshold q used, in [0, 1] pixel units. */
  threshold: number;
  /** Frames per clip and frame size measured. */
  clipLength: number;
  height: number;
  width: number;
  clips: number;
  mean: number;
  min: number;
  /** Median of the clip densities. */
  median: number;
  max: number;
  /** Mean density per class, in `classNames` order (NaN for a class without clips). */
  perClass: { name: string; clips: number; mean: number }[];
}

/** Measures `inputTemporalDensity` on every clip of the chosen parts of `dataset` (augmentation as configured). */
export async function measureInputTemporalDensity(dataset: VideoDataset, options: InputDensityOptions = {}): Promise<InputDensityResult> {
  checkOptionKeys('measureInputTemporalDensity', options, optionKeys<InputDensityOptions>({ threshold: true, parts: true, batchSize: true }));
  const threshold = options.threshold ?? DEFAULT_INPUT_THRESHOLD;
  const parts = options.parts ?? ['train', 'test'];
  if (parts.length === 0 || parts.some((part) => part !== 'train' && part !== 'test')) throw invalidArgument('parts', '"train" and/or "test"', parts);
  const batchSize = requireInteger('batchSize', options.batchSize ?? 8, 1);
  const densities: number[] = [];
  const sums = dataset.classNames.map(() => ({ clips: 0, sum: 0 }));
  const take = (batch: ClipBatch): void => {
    const [B, T, H, W, C] = batch.shape;
    const clipSize = T * H * W * C;
    for (let b = 0; b < B; b++) {
      const density = inputTemporalDensity(batch.clips.subarray(b * clipSize, (b + 1) * clipSize), T, threshold);
      densities.push(density);
      sums[batch.labels[b]].clips += 1;
      sums[batch.labels[b]].sum += density;
    }
  };
  if (parts.includes('train')) for await (const batch of dataset.trainBatches({ batchSize, epoch: 0 })) take(batch);
  if (parts.includes('test')) for await (const batch of dataset.testBatches({ batchSize })) take(batch);
  if (densities.length === 0) throw invalidArgument('dataset', 'at least one clip in the chosen parts', parts);
  const sorted = [...densities].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return {
    dataset: dataset.name,
    threshold,
    clipLength: dataset.clipLength,
    height: dataset.height,
    width: dataset.width,
    clips: densities.length,
    mean: densities.reduce((a, b) => a + b, 0) / densities.length,
    min: sorted[0],
    median: sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2,
    max: sorted[sorted.length - 1],
    perClass: dataset.classNames.map((name, index) => ({ name, clips: sums[index].clips, mean: sums[index].clips > 0 ? sums[index].sum / sums[index].clips : Number.NaN })),
  };
}
