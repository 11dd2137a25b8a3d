import { describe, expect, it } from 'vitest';
import { pickTracePixels, pixelSeries, type FlatClip } from '../../lib/viz';
import { DeltaSparsityError } from '../../lib/util/errors';

/**
 * A synthetic clip [T=8, H=10, W=10, C=2] whose answer is known: every pixel (r, c) oscillates as
 * 0.5 + a(r, c)·(−1)^t with a = 0.01·(1 + (r + c) % 3), except
 *   - (4, 6): still (a = 0) at the mid-range value 0.5: the still background pixel;
 *   - (2, 7): still but dark (value 0): as still, but further from the middle of the range, so not chosen;
 *   - (6, 3): a = 0.4: the moving pixel;
 *   - (0, 0): a = 0.5, louder still, but on the border, which the margin of 1 leaves out.
 */
function syntheticClip(): FlatClip {
  const [T, H, W, C] = [8, 10, 10, 2];
  const values = new Float32Array(T * H * W * C);
  for (let t = 0; t < T; t++) {
    for (let r = 0; r < H; r++) {
      for (let c = 0; c < W; c++) {
        let amplitude = 0.01 * (1 + ((r + c) % 3));
        let base = 0.5;
        if (r === 4 && c === 6) amplitude = 0;
        if (r === 2 && c === 7) [amplitude, base] = [0, 0];
        if (r === 6 && c === 3) amplitude = 0.4;
        if (r === 0 && c === 0) amplitude = 0.5;
        for (let k = 0; k < C; k++) values[((t * H + r) * W + c) * C + k] = base + amplitude * (t % 2 === 0 ? 1 : -1);
      }
    }
  }
  return { values, shape: [T, H, W, C] };
}

describe('pickTracePixels', () => {
  it('finds the still background pixel and the moving pixel of a clip where they are known', () => {
    const [still, moving] = pickTracePixels(syntheticClip(), { margin: 1 });
    expect([still.name, still.row, still.col, still.temporalVariance]).toEqual(['still background pixel', 4, 6, 0]);
    expect([moving.name, moving.row, moving.col]).toEqual(['moving pixel', 6, 3]);
    // A square wave of amplitude 0.4 has variance 0.4² = 0.16.
    expect(moving.temporalVariance).toBeCloseTo(0.16, 6);
  });

  it('picks the border pixel when the margin allows it, and rejects a margin that leaves nothing', () => {
    expect(pickTracePixels(syntheticClip(), { margin: 0 })[1]).toMatchObject({ row: 0, col: 0 });
    expect(() => pickTracePixels(syntheticClip(), { margin: 5 })).toThrow(DeltaSparsityError);
    expect(() => pickTracePixels({ values: new Float32Array(3), shape: [1, 2, 2, 1] })).toThrow('clip.values: expected T·H·W·C = 4 values');
  });

  it('pixelSeries gives the channel mean of one pixel in every frame', () => {
    const series = pixelSeries(syntheticClip(), 6, 3);
    expect(series.map((v) => Number(v.toFixed(6)))).toEqual([0.9, 0.1, 0.9, 0.1, 0.9, 0.1, 0.9, 0.1]);
    expect(() => pixelSeries(syntheticClip(), 10, 0)).toThrow('row: expected an integer in [0, 9]');
  });
});
