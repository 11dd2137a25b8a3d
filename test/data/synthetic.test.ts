import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../lib/util/random';
import { FfmpegDecoder } from '../../lib/data/ffmpeg';
import { meanAbsoluteFrameDifference } from '../../lib/data/stats';
import { createSyntheticDataset, renderSyntheticVideo, type SyntheticMotion } from '../../lib/data/synthetic';
import type { ClipBatch, VideoDataset } from '../../lib/data/types';

/** Every frame of every clip the generator yields, as [H, W, 3] float views, with the clip's label. */
async function collectFrames(generator: AsyncGenerator<ClipBatch>): Promise<{ frame: Float32Array; label: number }[]> {
  const frames: { frame: Float32Array; label: number }[] = [];
  for await (const batch of generator) {
    const [clips, steps] = batch.shape;
    const clipSize = batch.clips.length / clips;
    const frameSize = clipSize / steps;
    for (let b = 0; b < clips; b++) {
      for (let t = 0; t < steps; t++) {
        const start = b * clipSize + t * frameSize;
        frames.push({ frame: batch.clips.subarray(start, start + frameSize), label: batch.labels[b] });
      }
    }
  }
  return frames;
}

/** Joint RGB histogram of one frame with 4 bins per channel (64 bins), normalised to sum 1. */
function colorHistogram(frame: Float32Array): number[] {
  const histogram = new Array<number>(64).fill(0);
  const bin = (value: number): number => Math.min(3, Math.floor(value * 4));
  const pixels = frame.length / 3;
  for (let p = 0; p < frame.length; p += 3) histogram[bin(frame[p]) * 16 + bin(frame[p + 1]) * 4 + bin(frame[p + 2])] += 1 / pixels;
  return histogram;
}

/**
 * The simplest per-frame classifier: the mean colour histogram of each class over all training frames, and each
 * test frame assigned to the nearest class mean (Euclidean). Returns the fraction of test frames it gets right.
 */
async function nearestClassMeanAccuracy(dataset: VideoDataset): Promise<number> {
  const classes = dataset.classNames.length;
  const sums = Array.from({ length: classes }, () => new Array<number>(64).fill(0));
  const counts = new Array<number>(classes).fill(0);
  for (const { frame, label } of await collectFrames(dataset.trainBatches({ batchSize: 64, epoch: 0 }))) {
    colorHistogram(frame).forEach((value, i) => (sums[label][i] += value));
    counts[label] += 1;
  }
  const means = sums.map((sum, label) => sum.map((value) => value / counts[label]));
  const test = await collectFrames(dataset.testBatches({ batchSize: 64 }));
  let correct = 0;
  for (const { frame, label } of test) {
    const histogram = colorHistogram(frame);
    const distances = means.map((mean) => mean.reduce((total, value, i) => total + (value - histogram[i]) ** 2, 0));
    if (distances.indexOf(Math.min(...distances)) === label) correct += 1;
  }
  return correct / test.length;
}

async function collect(generator: AsyncGenerator<ClipBatch>): Promise<ClipBatch[]> {
  const batches: ClipBatch[] = [];
  for await (const batch of generator) batches.push(batch);
  return batches;
}

/** Batches equal in shape, labels, ids, offsets and every clip byte (Buffer comparison: deep equality is slow). */
function expectSameBatches(actual: ClipBatch[], expected: ClipBatch[]): void {
  expect(actual.map((batch) => [batch.shape, Array.from(batch.labels), batch.videoIds, Array.from(batch.offsets)])).toEqual(
    expected.map((batch) => [batch.shape, Array.from(batch.labels), batch.videoIds, Array.from(batch.offsets)]),
  );
  actual.forEach((batch, i) => expect(Buffer.from(batch.clips.buffer).equals(Buffer.from(expected[i].clips.buffer))).toBe(true));
}

describe('synthetic dataset', () => {
  it('has the documented defaults and balanced classes', () => {
    const dataset: VideoDataset = createSyntheticDataset();
    expect(dataset.name).toBe('synthetic');
    expect(dataset.classNames).toEqual(['move-right', 'move-left', 'move-up', 'move-down', 'rotate', 'scale']);
    expect([dataset.clipLength, dataset.height, dataset.width]).toEqual([8, 32, 32]);
    // 40 train and 10 test videos per class, one test window each: 6 * 40 = 240, 6 * 10 = 60.
    expect(dataset.trainClipCount).toBe(240);
    expect(dataset.testClipCount).toBe(60);
    expect(dataset.describe().classes.every((entry) => entry.train === 40 && entry.test === 10)).toBe(true);
  });

  it('yields [B, T, H, W, 3] batches in [0, 1] covering each training video once per epoch', async () => {
    const dataset = createSyntheticDataset({ trainPerClass: 5, testPerClass: 2, height: 16, width: 16, clipLength: 4 });
    const batches = await collect(dataset.trainBatches({ batchSize: 8, epoch: 0 }));
    // 30 videos in batches of 8: 8, 8, 8, 6.
    expect(batches.map((batch) => batch.shape[0])).toEqual([8, 8, 8, 6]);
    expect(batches[0].shape).toEqual([8, 4, 16, 16, 3]);
    const ids = batches.flatMap((batch) => batch.videoIds);
    expect(new Set(ids).size).toBe(30);
    for (const batch of batches) {
      expect(batch.clips.length).toBe(batch.shape.reduce((a, b) => a * b, 1));
      expect(batch.clips.every((value) => value >= 0 && value <= 1)).toBe(true);
      batch.videoIds.forEach((id, i) => expect(batch.labels[i]).toBe(Number(id.split('/')[2]) % 6));
    }
    const test = await collect(dataset.testBatches({ batchSize: 5 }));
    expect(test.flatMap((batch) => batch.videoIds)).toEqual(Array.from({ length: 12 }, (_, i) => `synthetic/test/${i}`));
  });

  it('same seed, same batches; another epoch or seed, different ones', async () => {
    const options = { trainPerClass: 3, testPerClass: 1, augmentation: { horizontalFlip: true, randomCrop: true } };
    const a = await collect(createSyntheticDataset({ ...options, seed: 5 }).trainBatches({ batchSize: 4, epoch: 2 }));
    const b = await collect(createSyntheticDataset({ ...options, seed: 5 }).trainBatches({ batchSize: 4, epoch: 2 }));
    expectSameBatches(b, a);
    const otherEpoch = await collect(createSyntheticDataset({ ...options, seed: 5 }).trainBatches({ batchSize: 4, epoch: 3 }));
    expect(otherEpoch.flatMap((batch) => batch.videoIds)).not.toEqual(a.flatMap((batch) => batch.videoIds));
    const otherSeed = await collect(createSyntheticDataset({ ...options, seed: 6 }).trainBatches({ batchSize: 4, epoch: 2 }));
    expect(Buffer.from(otherSeed[0].clips.buffer).equals(Buffer.from(a[0].clips.buffer))).toBe(false);
    const testA = await collect(createSyntheticDataset({ ...options, seed: 5 }).testBatches({ batchSize: 4 }));
    const testB = await collect(createSyntheticDataset({ ...options, seed: 5 }).testBatches({ batchSize: 4 }));
    expectSameBatches(testB, testA);
  });

  it('a horizontal flip swaps move-left and move-right labels', async () => {
    const dataset = createSyntheticDataset({ classes: ['move-right', 'move-left'], trainPerClass: 20, testPerClass: 0, augmentation: { horizontalFlip: true } });
    let swapped = 0;
    for (const batch of await collect(dataset.trainBatches({ batchSize: 40, epoch: 0 }))) {
      batch.videoIds.forEach((id, i) => {
        if (batch.labels[i] !== Number(id.split('/')[2]) % 2) swapped += 1;
      });
    }
    // About half of 40 clips are mirrored (probability 0.5 each); all-or-none would mean the flip is ignored.
    expect(swapped).toBeGreaterThan(5);
    expect(swapped).toBeLessThan(35);
    expect(() => createSyntheticDataset({ classes: ['move-right', 'rotate'], augmentation: { horizontalFlip: true } })).toThrowError(/horizontalFlip/);
  });

  it('each motion moves the object the way its name says (centroid of changed pixels, no noise)', () => {
    // The changed-pixel mask between frames t and t+1 sits on the object; its centroid moves with the object.
    const centroid = (video: Uint8Array, t: number, size: number): [number, number] => {
      const frame = size * size * 3;
      let sx = 0;
      let sy = 0;
      let n = 0;
      for (let p = 0; p < size * size; p++) {
        let change = 0;
        for (let c = 0; c < 3; c++) change += Math.abs(video[(t + 1) * frame + p * 3 + c] - video[t * frame + p * 3 + c]);
        if (change > 0) {
          sx += p % size;
          sy += Math.floor(p / size);
          n += 1;
        }
      }
      return [sx / n, sy / n];
    };
    const size = 32;
    const frames = 12;
    const expected: [SyntheticMotion, number, number][] = [['move-right', 1, 0], ['move-left', -1, 0], ['move-down', 0, 1], ['move-up', 0, -1]];
    for (const [motion, dx, dy] of expected) {
      for (let seed = 0; seed < 8; seed++) {
        const appearanceCue = seed % 2 === 0; // with the class look (arrowheads) and without (random shapes)
        const video = renderSyntheticVideo(motion, frames, size, size, 0, new SeededRandom(seed), { appearanceCue });
        const [x0, y0] = centroid(video, 0, size);
        const [x1, y1] = centroid(video, frames - 2, size);
        // Speed >= 0.6 px/frame over 10 frames: at least 6 px along the motion; across it drift is <= 0.15 of that.
        if (dx !== 0) expect((x1 - x0) * dx).toBeGreaterThan(3);
        if (dy !== 0) expect((y1 - y0) * dy).toBeGreaterThan(3);
      }
    }
    // 'still' with no noise changes nothing.
    const still = renderSyntheticVideo('still', 4, size, size, 0, new SeededRandom(1));
    expect(meanAbsoluteFrameDifference(still, 4)).toBe(0);
  });

  it('consecutive frames are about as redundant as the real sample clip', async () => {
    // Real: v_ApplyEyeMakeup_g01_c01 decoded at 32x32, stride 2 (data/README.md: mean |dx| about 0.016).
    const sample = path.resolve(__dirname, '..', '..', 'data', 'ucf101-samples', 'ApplyEyeMakeup', 'v_ApplyEyeMakeup_g01_c01.avi');
    const real = await new FfmpegDecoder().decode(sample, { height: 32, width: 32, frameStride: 2 });
    const realDifference = meanAbsoluteFrameDifference(real.frames, real.frameCount);
    const dataset = createSyntheticDataset({ trainPerClass: 4, testPerClass: 0 });
    const differences: number[] = [];
    for await (const batch of dataset.trainBatches({ batchSize: 24, epoch: 0 })) {
      const clipSize = batch.clips.length / batch.shape[0];
      for (let b = 0; b < batch.shape[0]; b++) {
        differences.push(meanAbsoluteFrameDifference(batch.clips.subarray(b * clipSize, (b + 1) * clipSize), batch.shape[1]));
      }
    }
    const synthetic = differences.reduce((a, b) => a + b, 0) / differences.length;
    // Same order of magnitude: within a factor of 3 either way. Static images would give 0, white noise ~0.33.
    expect(synthetic).toBeGreaterThan(realDifference / 3);
    expect(synthetic).toBeLessThan(realDifference * 3);
  });
});

describe('synthetic dataset: per-frame class looks (appearanceCue)', () => {
  it('single frames tell the classes apart with the look, and not without it', async () => {
    // Nearest class mean of 64-bin colour histograms, trained on the 240 training clips' frames (epoch 0
    // windows), scored on the 480 frames of the 60 test clips; chance is 1/6 = 0.167. Measured when written:
    // seed 0 gives 0.792 with the look and 0.171 without; seeds 1-5 gave 0.79-0.82 and 0.09-0.20.
    // A histogram cannot see left from right (move-left and move-right share a hue family and are mirror images),
    // so the expected ceiling is (4 + 2 * 0.5) / 6 = 0.833; the bounds leave room for sampling (60 test videos,
    // standard error of an accuracy near 0.17 about sqrt(0.17 * 0.83 / 60) = 0.05).
    const withLook = await nearestClassMeanAccuracy(createSyntheticDataset());
    expect(withLook).toBeGreaterThan(0.6);
    expect(withLook).toBeLessThan(0.9);
    // Motion only: object colours and backgrounds are drawn from the same distribution for every class.
    const motionOnly = await nearestClassMeanAccuracy(createSyntheticDataset({ appearanceCue: false }));
    expect(motionOnly).toBeLessThan(0.3);
  });

  it('appearanceCue false renders exactly the motion-only videos of before the looks existed', () => {
    // First 16 hex digits of the SHA-256 of 12 frames at 32x32, noise 1.5, SeededRandom(3), computed with the
    // generator as it was before appearanceCue was added (same random draws in the same order).
    const expected: [SyntheticMotion, string][] = [
      ['move-right', '0073f3ef524dad11'],
      ['rotate', '49c75b397923d78b'],
      ['scale', '75c68ae77ee4195d'],
    ];
    for (const [motion, hash] of expected) {
      const video = renderSyntheticVideo(motion, 12, 32, 32, 1.5, new SeededRandom(3), { appearanceCue: false });
      expect(createHash('sha256').update(video).digest('hex').slice(0, 16)).toBe(hash);
    }
    // The default now adds the look, so the same seed gives another video.
    const withLook = renderSyntheticVideo('move-right', 12, 32, 32, 1.5, new SeededRandom(3));
    expect(createHash('sha256').update(withLook).digest('hex').slice(0, 16)).not.toBe('0073f3ef524dad11');
  });
});
