import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../lib/util/random';
import {
  WindowedDataset,
  assembleBatch,
  augmentClip,
  deriveSeed,
  cropAndResizeClip,
  flipClipHorizontal,
  randomWindowOffset,
  resolveAugmentation,
  testWindowOffsets,
} from '../../lib/data/clips';

describe('window offsets', () => {
  it('test windows spread evenly and deterministically', () => {
    // 20 frames, T=8: offsets 0..12. Three windows: 0, 12/2 = 6, 12. One window: centred at floor(12/2) = 6.
    expect(testWindowOffsets(20, 8, 3)).toEqual([0, 6, 12]);
    expect(testWindowOffsets(20, 8, 1)).toEqual([6]);
    // 9 frames, T=8: offsets 0..1, four windows round(i/3): 0, 0, 1, 1.
    expect(testWindowOffsets(9, 8, 4)).toEqual([0, 0, 1, 1]);
    expect(() => testWindowOffsets(7, 8, 1)).toThrowError(/at least clipLength=8/);
  });

  it('random offsets stay inside the video and cover every offset', () => {
    const random = new SeededRandom(3);
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) seen.add(randomWindowOffset(12, 8, random));
    expect([...seen].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('uint8 augmentation', () => {
  // A 1-frame 2x3 clip whose pixel (y, x) has channels [10y + x, 100 + x, 200].
  const clip = Uint8Array.from([0, 100, 200, 1, 101, 200, 2, 102, 200, 10, 100, 200, 11, 101, 200, 12, 102, 200]);

  it('horizontal flip mirrors each row and is its own inverse', () => {
    const flipped = flipClipHorizontal(clip, 1, 2, 3);
    expect(Array.from(flipped)).toEqual([2, 102, 200, 1, 101, 200, 0, 100, 200, 12, 102, 200, 11, 101, 200, 10, 100, 200]);
    expect(flipClipHorizontal(flipped, 1, 2, 3)).toEqual(clip);
  });

  it('crop-and-resize by nearest neighbour', () => {
    // Crop the right 2x2 block (columns 1..2) and resize to 2x4: each source column repeats twice.
    const out = cropAndResizeClip(clip, 1, 2, 3, { top: 0, left: 1, height: 2, width: 2 }, 2, 4);
    expect(Array.from(out.filter((_, i) => i % 3 === 0))).toEqual([1, 1, 2, 2, 11, 11, 12, 12]);
    // The full box at the same size is the identity.
    expect(cropAndResizeClip(clip, 1, 2, 3, { top: 0, left: 0, height: 2, width: 3 })).toEqual(clip);
  });

  it('the same seed gives the same augmentation', () => {
    const options = resolveAugmentation({ horizontalFlip: true, randomCrop: true, minCropScale: 0.5 });
    const big = Uint8Array.from({ length: 2 * 8 * 8 * 3 }, (_, i) => i % 251);
    const a = augmentClip(big, 2, 8, 8, options, new SeededRandom(7));
    const b = augmentClip(big, 2, 8, 8, options, new SeededRandom(7));
    expect(a.clip).toEqual(b.clip);
    expect(a.flipped).toBe(b.flipped);
    expect(a.clip.length).toBe(big.length);
    expect(() => resolveAugmentation({ minCropScale: 1.5 })).toThrowError(/minCropScale: expected a number in \(0, 1\]/);
  });
});

describe('batch assembly', () => {
  it('scales uint8 to [0, 1] floats in [B, T, H, W, 3] order', () => {
    const a = Uint8Array.from([0, 255, 51, 102, 204, 153]); // T=2, 1x1
    const b = Uint8Array.from([255, 0, 0, 0, 0, 255]);
    const batch = assembleBatch(
      [{ frames: a, label: 2, videoId: 'x', offset: 0 }, { frames: b, label: 0, videoId: 'y', offset: 3 }],
      2, 1, 1,
    );
    expect(batch.shape).toEqual([2, 2, 1, 1, 3]);
    expect(Array.from(batch.labels)).toEqual([2, 0]);
    expect(batch.videoIds).toEqual(['x', 'y']);
    expect(Array.from(batch.offsets)).toEqual([0, 3]);
    // 51/255 = 0.2, 102/255 = 0.4, 204/255 = 0.8, 153/255 = 0.6.
    const expected = [0, 1, 0.2, 0.4, 0.8, 0.6, 1, 0, 0, 0, 0, 1];
    Array.from(batch.clips).forEach((value, i) => expect(value).toBeCloseTo(expected[i], 6));
  });
});

describe('augmentation is one crop and one flip per clip', () => {
  it('every frame of a clip gets the same crop and flip', () => {
    // Frame t = frame 0 + 10 t on every value: if all frames are cut and mirrored alike, the output keeps
    // out[t] = out[0] + 10 t exactly (nearest-neighbour resizing copies values, flipping moves them).
    const frames = 4;
    const size = 12;
    const frameBytes = size * size * 3;
    const clip = new Uint8Array(frames * frameBytes);
    for (let i = 0; i < frameBytes; i++) {
      const value = (i * 37) % 200; // a texture, so that a different crop or flip would show
      for (let t = 0; t < frames; t++) clip[t * frameBytes + i] = value + 10 * t;
    }
    const options = resolveAugmentation({ horizontalFlip: true, randomCrop: true, minCropScale: 0.5 });
    let flips = 0;
    let changed = 0;
    for (let seed = 0; seed < 20; seed++) {
      const { clip: out, flipped } = augmentClip(clip, frames, size, size, options, new SeededRandom(seed));
      if (flipped) flips += 1;
      if (!Buffer.from(out.subarray(0, frameBytes)).equals(Buffer.from(clip.subarray(0, frameBytes)))) changed += 1;
      for (let t = 1; t < frames; t++) {
        for (let i = 0; i < frameBytes; i++) {
          if (out[t * frameBytes + i] !== out[i] + 10 * t) throw new Error(`seed ${seed}: frame ${t} value ${i} differs from frame 0 + ${10 * t}`);
        }
      }
    }
    // Over 20 seeds the augmentation did something, and both flip outcomes occurred.
    expect(changed).toBeGreaterThan(15);
    expect(flips).toBeGreaterThan(0);
    expect(flips).toBeLessThan(20);
  });
});

describe('several clips per video per epoch', () => {
  function dataset(clipsPerVideo?: number) {
    const videos = Array.from({ length: 5 }, (_, i) => ({ id: `v${i}`, label: i % 2, frameCount: 20 }));
    return new WindowedDataset({
      name: 'test',
      classNames: ['a', 'b'],
      clipLength: 4,
      height: 1,
      width: 1,
      train: videos,
      test: videos.slice(0, 2),
      testWindowsPerVideo: 1,
      clipsPerVideo,
      augmentation: resolveAugmentation(undefined),
      seed: 9,
      // Frame k of video vi has value 10 i + k, so a window says where it starts.
      source: { readWindow: async (video, offset, count) => Uint8Array.from({ length: count * 3 }, (_, j) => Number(video.id.slice(1)) * 10 + offset + Math.floor(j / 3)) },
    });
  }

  async function clips(set: WindowedDataset<{ id: string; label: number; frameCount: number }>, epoch: number): Promise<string[]> {
    const out: string[] = [];
    for await (const batch of set.trainBatches({ batchSize: 4, epoch })) {
      batch.videoIds.forEach((id, b) => out.push(`${id}@${batch.offsets[b]}`));
    }
    return out;
  }

  it('each video gives clipsPerVideo clips, with their own random windows', async () => {
    const three = dataset(3);
    expect(three.trainClipCount).toBe(15);
    const epoch = await clips(three, 0);
    expect(epoch.length).toBe(15);
    for (let i = 0; i < 5; i++) expect(epoch.filter((clip) => clip.startsWith(`v${i}@`)).length).toBe(3);
    // 17 possible offsets per video: 15 draws all equal would mean the windows are not drawn per clip.
    expect(new Set(epoch.map((clip) => clip.split('@')[1])).size).toBeGreaterThan(3);
    expect(await clips(three, 0)).toEqual(epoch);
    expect(await clips(three, 1)).not.toEqual(epoch);
    expect(three.trainOrder(0).length).toBe(15);
    expect(three.describe().clipsPerVideo).toBe(3);
    expect(() => dataset(0)).toThrowError(/clipsPerVideo: expected an integer >= 1/);
  });

  it('one clip per video is the default and reads what it read before the option existed', async () => {
    const one = dataset(1);
    expect(one.trainClipCount).toBe(5);
    expect(await clips(dataset(), 0)).toEqual(await clips(one, 0));
    // Before: the epoch order was SeededRandom(deriveSeed(seed, 'train-epoch', epoch)).shuffle([0..4]).
    const expectedOrder = new SeededRandom(deriveSeed(9, 'train-epoch', 0)).shuffle([0, 1, 2, 3, 4]).map((i) => `v${i}`);
    expect(one.trainOrder(0).map((video) => video.id)).toEqual(expectedOrder);
  });
});
