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

/** Fraction of values whose change from the previous frame exceeds `threshold` (in [0, 1] units). */
export function temporalChangeFraction(frames: FrameArray, frameCount: number, threshold: number): number {
  const size = frameSizeOf(frames, frameCount);
  const scale = scaleOf(frames);
  let changed = 0;
  for (let i = size; i < frames.length; i++) if (Math.abs(frames[i] - frames[i - size]) * scale > threshold) changed += 1;
  return changed / (frames.length - size);
}
