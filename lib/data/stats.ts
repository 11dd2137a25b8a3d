/**
 * Temporal redundancy of clips: how much consecutive frames differ. Used to check that the synthetic set is as
 * redundant as real footage (data/README.md gives the measured numbers), and handy in notebooks.
 */
import { invalidArgument } from '../util/errors';

/** Pixel values as uint8 (0..255) or float (0..1). Layout [T, H, W, C]. */
export type FrameArray = Uint8Array | Float32Array;

function scaleOf(frames: FrameArray): number {
  return frames instanceof Uint8Array ? 1 / 255 : 1;
}

function frameSizeOf(frames: FrameArray, frameCount: number): number {
  if (!Number.isInteger(frameCount) || frameCount < 2 || frames.length % frameCount !== 0) {
    throw invalidArgument('frameCount', `an integer >= 2 that divides the array length ${frames.length}`, frameCount);
  }
  return frames.length / frameCount;
}

/** Mean |x[t+1] - x[t]| over all values and consecutive frame pairs, in [0, 1] units. */
export function meanAbsoluteFrameDifference(frames: FrameArray, frameCount: number): number {
  const size = frameSizeOf(frames, frameCount);
  let sum = 0;
  for (let i = size; i < frames.length; i++) sum += Math.abs(frames[i] - frames[i - size]);
  return (sum * scaleOf(frames)) / (frames.length - size);
}

/**
 * Fraction of pixel values whose change from the previous frame exceeds `minChange` (in [0, 1] units of
 * intensity; 0 counts every change). A property of the footage, not of a delta layer's threshold q.
 */
export function pixelChangeDensity(frames: FrameArray, frameCount: number, minChange: number): number {
  const size = frameSizeOf(frames, frameCount);
  const scale = scaleOf(frames);
  let changed = 0;
  for (let i = size; i < frames.length; i++) if (Math.abs(frames[i] - frames[i - size]) * scale > minChange) changed += 1;
  return changed / (frames.length - size);
}

/** The threshold q of `inputTemporalDensity` by default (pixels in [0, 1]; issue 10's measurement). */
export const DEFAULT_INPUT_THRESHOLD = 0.05;

/**
 * Input temporal density: the fraction of pixel values a delta layer placed on the input would send, i.e. of
 * y = q·round(x / q) (x in [0, 1], uint8 input scaled by 1/255) the share with y[t] != y[t-1], over the T−1
 * frame transitions of a clip [T, H, W, C] (the first frame, always sent whole, is not counted). 0 = a still
 * clip, 1 = every value changes level every frame.
 */
export function inputTemporalDensity(frames: FrameArray, frameCount: number, threshold: number = DEFAULT_INPUT_THRESHOLD): number {
  if (!(threshold > 0)) throw invalidArgument('threshold', 'a positive threshold q in [0, 1] pixel units', threshold);
  const size = frameSizeOf(frames, frameCount);
  const scale = scaleOf(frames) / threshold;
  let changed = 0;
  let previous = new Int32Array(size);
  let current = new Int32Array(size);
  for (let i = 0; i < size; i++) previous[i] = Math.round(frames[i] * scale);
  for (let t = 1; t < frameCount; t++) {
    const base = t * size;
    for (let i = 0; i < size; i++) {
      const level = Math.round(frames[base + i] * scale);
      current[i] = level;
      if (level !== previous[i]) changed += 1;
    }
    [previous, current] = [current, previous];
  }
  return changed / (frames.length - size);
}
