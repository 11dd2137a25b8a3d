import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSyntheticDataset } from '../../lib/data/synthetic';
import { evenlySpaced, stratifiedTestClips, stratifiedTestSelection, testVideoLabels } from '../../lib/train/evaluate';
import type { ClipBatch, VideoDataset } from '../../lib/data/types';
import { channelStatistics } from '../../lib/train/inputStatistics';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('stratified test samples', () => {
  it('spreads picks evenly, ends included', () => {
    expect(evenlySpaced(10, 3)).toEqual([0, 5, 9]); // round(0), round(4.5) = 5, round(9)
    expect(evenlySpaced(4, 9)).toEqual([0, 1, 2, 3]);
    expect(evenlySpaced(7, 1)).toEqual([3]);
  });

  it('covers every class, equally, and never just the first clips in list order', async () => {
    // 6 classes x 3 test videos x 2 windows = 36 test clips, listed class by class.
    const dataset = createSyntheticDataset({ trainPerClass: 1, testPerClass: 3, testWindowsPerVideo: 2, height: 8, width: 8, clipLength: 2 });
    const first = await stratifiedTestSelection(dataset, 6);
    expect([...first.labels].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    const twelve = await stratifiedTestSelection(dataset, 12);
    const perClass = [0, 1, 2, 3, 4, 5].map((c) => twelve.labels.filter((l) => l === c).length);
    expect(perClass).toEqual([2, 2, 2, 2, 2, 2]);
    // The first 12 clips in list order would hold only 2 classes.
    const all = await stratifiedTestSelection(dataset, 1000);
    expect(all.indices.length).toBe(36);
    const clips = await stratifiedTestClips(dataset, 12);
    expect(clips.shape).toEqual([12, 2, 8, 8, 3]);
    clips.dispose();
  });
});

describe('testVideoLabels', () => {
  it('gives one label per test video, however many windows it has and however they are batched', async () => {
    // Unbalanced test set: videos a (class 0, 3 windows), b (class 0, 1 window), c (class 2, 2 windows), in
    // batches of 4 that split c's windows: one label per video in order of first window → [0, 0, 2].
    const windows: [string, number][] = [['a', 0], ['a', 0], ['a', 0], ['b', 0], ['c', 2], ['c', 2]];
    const batch = (part: [string, number][]): ClipBatch => ({
      clips: new Float32Array(part.length * 3),
      shape: [part.length, 1, 1, 1, 3],
      labels: Int32Array.from(part.map(([, label]) => label)),
      videoIds: part.map(([id]) => id),
      offsets: new Int32Array(part.length),
    });
    const dataset = {
      name: 'fake',
      classNames: ['x', 'y', 'z'],
      async *testBatches() {
        yield batch(windows.slice(0, 4));
        yield batch(windows.slice(4));
      },
    } as unknown as VideoDataset;
    expect(await testVideoLabels(dataset)).toEqual([0, 0, 2]);
  });

  it('matches the synthetic set\'s test videos (6 classes x 3 videos, 2 windows each)', async () => {
    const dataset = createSyntheticDataset({ trainPerClass: 1, testPerClass: 3, testWindowsPerVideo: 2, height: 8, width: 8, clipLength: 2 });
    const labels = await testVideoLabels(dataset);
    expect(labels.length).toBe(18);
    expect([0, 1, 2, 3, 4, 5].map((c) => labels.filter((l) => l === c).length)).toEqual([3, 3, 3, 3, 3, 3]);
  });
});

describe('channelStatistics', () => {
  it('equals a direct computation over the training clips', async () => {
    const dataset = createSyntheticDataset({ trainPerClass: 2, testPerClass: 1, height: 8, width: 8, clipLength: 2 });
    const stats = await channelStatistics(dataset);
    const sums = [0, 0, 0];
    const squares = [0, 0, 0];
    let n = 0;
    for await (const batch of dataset.trainBatches({ batchSize: 5, epoch: 0 })) {
      for (let i = 0; i < batch.clips.length; i++) {
        sums[i % 3] += batch.clips[i];
        squares[i % 3] += batch.clips[i] ** 2;
      }
      n += batch.clips.length / 3;
    }
    const mean = sums.map((s) => s / n);
    stats.mean.forEach((m, c) => expect(m).toBeCloseTo(mean[c], 6));
    stats.std.forEach((s, c) => expect(s).toBeCloseTo(Math.sqrt(squares[c] / n - mean[c] ** 2), 6));
    expect(stats.clips).toBe(12);
  });
});
