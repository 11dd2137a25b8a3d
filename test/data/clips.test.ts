import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../lib/util/random';
import {
  assembleBatch,
  augmentClip,
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
