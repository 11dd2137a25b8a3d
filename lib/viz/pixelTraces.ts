/**
 * Choosing which pixels of a clip to plot over time, by what they show: a still background pixel (the
 * lowest temporal variance) and a moving pixel (the highest), away from the border where crops and
 * compression artefacts sit. Plain numbers in (a clip as a flat array), no TensorFlow.
 */
import { invalidArgument } from '../util/errors';

/** A clip as a flat row-major array `[T, H, W, C]` (e.g. one clip of a `[1, T, H, W, C]` tensor's `dataSync()`). */
export interface FlatClip {
  values: ArrayLike<number>;
  /** `[T, H, W, C]`. */
  shape: readonly [number, number, number, number];
}

/** A chosen pixel and why it was chosen. */
export interface NamedPixel {
  /** `'still background pixel'` or `'moving pixel'`. */
  name: string;
  row: number;
  col: number;
  /** Temporal variance of its channel mean over the T frames (value units squared). */
  temporalVariance: number;
}

export interface PickPixelsOptions {
  /** Pixels left out at each border. Default: round(10 % of min(H, W)). */
  margin?: number;
}

function checkClip(clip: FlatClip): [number, number, number, number] {
  const shape = clip?.shape;
  if (!Array.isArray(shape) || shape.length !== 4 || shape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw invalidArgument('clip.shape', '[T, H, W, C] of positive integers', shape);
  }
  const [t, h, w, c] = shape as [number, number, number, number];
  if (clip.values == null || clip.values.length !== t * h * w * c) {
    throw invalidArgument('clip.values', `T·H·W·C = ${t * h * w * c} values`, clip.values?.length);
  }
  return [t, h, w, c];
}

/** The channel mean of pixel (row, col) in every frame: T values. */
export function pixelSeries(clip: FlatClip, row: number, col: number): number[] {
  const [t, h, w, c] = checkClip(clip);
  if (!Number.isInteger(row) || row < 0 || row >= h) throw invalidArgument('row', `an integer in [0, ${h - 1}]`, row);
  if (!Number.isInteger(col) || col < 0 || col >= w) throw invalidArgument('col', `an integer in [0, ${w - 1}]`, col);
  return Array.from({ length: t }, (_, f) => {
    const base = ((f * h + row) * w + col) * c;
    let sum = 0;
    for (let k = 0; k < c; k++) sum += clip.values[base + k];
    return sum / c;
  });
}

function variance(values: readonly number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return values.reduce((a, v) => a + (v - mean) * (v - mean), 0) / values.length;
}

/**
 * The still background pixel (lowest temporal variance of the channel mean) and the moving pixel (highest),
 * among pixels at least `margin` from every border. Among equally still pixels (real footage has many
 * constant black or saturated ones) the one whose mean is closest to the middle of the clip's value range
 * wins, so that its trace is not a line along 0; other ties go to the first in row-major order.
 * Returns `[still, moving]`. Throws a DeltaSparsityError when the margin leaves no pixel or the clip is malformed.
 */
export function pickTracePixels(clip: FlatClip, options: PickPixelsOptions = {}): [NamedPixel, NamedPixel] {
  const [, h, w] = checkClip(clip);
  const margin = options.margin ?? Math.round(0.1 * Math.min(h, w));
  if (!Number.isInteger(margin) || margin < 0 || 2 * margin >= Math.min(h, w)) {
    throw invalidArgument('margin', `an integer in [0, ${Math.ceil(Math.min(h, w) / 2) - 1}] (pixels left at each border)`, margin);
  }
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < clip.values.length; i++) {
    low = Math.min(low, clip.values[i]);
    high = Math.max(high, clip.values[i]);
  }
  const middle = (low + high) / 2;
  let still = { row: -1, col: -1, temporalVariance: Number.POSITIVE_INFINITY, offMiddle: Number.POSITIVE_INFINITY };
  let moving = { row: -1, col: -1, temporalVariance: Number.NEGATIVE_INFINITY };
  for (let row = margin; row < h - margin; row++) {
    for (let col = margin; col < w - margin; col++) {
      const series = pixelSeries(clip, row, col);
      const v = variance(series);
      const offMiddle = Math.abs(series.reduce((a, b) => a + b, 0) / series.length - middle);
      if (v < still.temporalVariance || (v === still.temporalVariance && offMiddle < still.offMiddle)) still = { row, col, temporalVariance: v, offMiddle };
      if (v > moving.temporalVariance) moving = { row, col, temporalVariance: v };
    }
  }
  return [
    { name: 'still background pixel', row: still.row, col: still.col, temporalVariance: still.temporalVariance },
    { name: 'moving pixel', ...moving },
  ];
}
