import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WindowedDataset, resolveAugmentation } from '../../lib/data/clips';
import { measureInputTemporalDensity } from '../../lib/data/density';
import { FfmpegDecoder } from '../../lib/data/ffmpeg';
import { bundledWeizmannRoot } from '../../lib/data/folder';
import { inputTemporalDensity } from '../../lib/data/stats';
import { createSyntheticDataset } from '../../lib/data/synthetic';

describe('input temporal density (y = q round(x / q), share of values changing level per frame)', () => {
  it('counts level changes over the T-1 transitions, for uint8 and float frames', () => {
    // Two values, three frames, q = 0.05 = 12.75/255: levels round(v / 12.75).
    // Frame 0: 0 -> 0, 100 -> round(7.84) = 8. Frame 1: 6 -> round(0.47) = 0, 100 -> 8: no change.
    // Frame 2: 7 -> round(0.55) = 1, 120 -> round(9.41) = 9: both change. 2 changes / (2 transitions x 2) = 0.5.
    const frames = Uint8Array.from([0, 100, 6, 100, 7, 120]);
    expect(inputTemporalDensity(frames, 3)).toBe(0.5);
    expect(inputTemporalDensity(Float32Array.from(frames, (v) => v / 255), 3)).toBe(0.5);
    // A coarser step (q = 0.5: levels round(v / 127.5)) sees no change at all.
    expect(inputTemporalDensity(frames, 3, 0.5)).toBe(0);
    expect(() => inputTemporalDensity(frames, 3, 0)).toThrowError(/threshold: expected a positive/);
  });

  it('measures a dataset clip by clip, per class', async () => {
    // Video i: every value of frame k is 13 * k * i, so video 0 is still (density 0) and in video 1 each value
    // climbs 13/12.75 ~ 1 level per frame (density 1).
    const videos = [0, 1].map((i) => ({ id: `v${i}`, label: i, frameCount: 6 }));
    const dataset = new WindowedDataset({
      name: 'ramp',
      classNames: ['still', 'ramp'],
      clipLength: 4,
      height: 2,
      width: 2,
      train: videos,
      test: videos,
      testWindowsPerVideo: 2,
      augmentation: resolveAugmentation(undefined),
      seed: 0,
      source: { readWindow: async (video, offset, count) => Uint8Array.from({ length: count * 12 }, (_, j) => 13 * (offset + Math.floor(j / 12)) * Number(video.id.slice(1))) },
    });
    const result = await measureInputTemporalDensity(dataset);
    // 2 training clips + 2 x 2 test clips; half of them at 0 and half at 1.
    expect(result.clips).toBe(6);
    expect(result.mean).toBe(0.5);
    expect([result.min, result.median, result.max]).toEqual([0, 0.5, 1]);
    expect(result.perClass).toEqual([{ name: 'still', clips: 3, mean: 0 }, { name: 'ramp', clips: 3, mean: 1 }]);
    const testOnly = await measureInputTemporalDensity(dataset, { parts: ['test'] });
    expect(testOnly.clips).toBe(4);
  });

  it('the synthetic set lies in the band of real footage (0.03-0.16 at 64 px, every frame); it did not with the old noise', async () => {
    const result = await measureInputTemporalDensity(createSyntheticDataset({ height: 64, width: 64, clipLength: 16, trainPerClass: 10, testPerClass: 5 }));
    // Measured when written (defaults, 300 clips): 0.041-0.145, mean 0.084 (data/README.md).
    expect(result.min).toBeGreaterThanOrEqual(0.03);
    expect(result.max).toBeLessThanOrEqual(0.16);
    // Regression (issue 10): sensor noise 1.5/255 gave 0.13-0.27 (mean 0.18), mostly noise crossing levels.
    const old = await measureInputTemporalDensity(createSyntheticDataset({ height: 64, width: 64, clipLength: 16, trainPerClass: 10, testPerClass: 5, noise: 1.5 }));
    expect(old.mean).toBeGreaterThan(0.16);
  });

  it('real Weizmann clips (static camera) are at the low end of the band', async () => {
    for (const file of ['bend/daria_bend.avi', 'run/ido_run.avi']) {
      const video = await new FfmpegDecoder().decode(path.join(bundledWeizmannRoot(), file), { height: 64, width: 64, frameStride: 1 });
      const density = inputTemporalDensity(video.frames, video.frameCount);
      expect(density, file).toBeGreaterThan(0.01);
      expect(density, file).toBeLessThan(0.16);
    }
  });
});
