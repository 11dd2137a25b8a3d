import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { convOutputSize, fanOutOf } from '../../lib/models/fanOut';
import { axisFanOut, executedMacs, positionFanOutOf } from '../../lib/models/positionFanOut';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const conv = (filters: number, kernelSize: number, strides: number, padding: 'same' | 'valid') =>
  tf.layers.conv2d({ filters, kernelSize, strides, padding, useBias: false });

/** fan(r, c) = rows[r] · columns[c] · perWindow, as a plain [H][W] table. */
function table(layer: tf.layers.Layer, frame: number[]): number[][] {
  const fan = positionFanOutOf(layer, frame);
  return (fan.rows as number[]).map((r) => (fan.columns as number[]).map((c) => r * c * fan.perWindow));
}

describe('axisFanOut (output windows containing each input index, tfjs padding)', () => {
  it('4 inputs, k3, stride 2, same: rows 0..3 lie in 1, 1, 2, 1 windows', () => {
    // out = ceil(4/2) = 2; pad_total = max((2−1)·2 + 3 − 4, 0) = 1, pad_before = floor(1/2) = 0 (1 after):
    // window 0 covers rows 0, 1, 2; window 1 covers rows 2, 3 and the padded row 4.
    expect(axisFanOut(4, 3, 2, 'same')).toEqual([1, 1, 2, 1]);
  });

  it('odd sizes and valid padding', () => {
    // 5 inputs, k3, s2, same: out 3, pad_total = 2·2 + 3 − 5 = 2, pad_before 1: windows {−1,0,1}, {1,2,3}, {3,4,5}
    expect(axisFanOut(5, 3, 2, 'same')).toEqual([1, 2, 1, 2, 1]);
    // 7 inputs, k3, s2, valid: out ceil(5/2) = 3, windows {0,1,2}, {2,3,4}, {4,5,6}
    expect(axisFanOut(7, 3, 2, 'valid')).toEqual([1, 1, 2, 1, 2, 1, 1]);
    // 4 inputs, k3, s1, same: out 4, pad_total 2, pad_before 1: the border rows lose the padded window
    expect(axisFanOut(4, 3, 1, 'same')).toEqual([2, 3, 3, 2]);
    // 4 inputs, k2, s1, same: pad_total = 3 + 2 − 4 = 1, pad_before 0: windows {0,1}, {1,2}, {2,3}, {3,4}
    expect(axisFanOut(4, 2, 1, 'same')).toEqual([1, 2, 2, 2]);
  });
});

describe('positionFanOutOf', () => {
  it('the hand example: 4×4 input, 3×3 stride-2 same conv, 1 filter', () => {
    const fan = table(conv(1, 3, 2, 'same'), [4, 4, 1]);
    // (1,1): 1·1 = 1 output; (2,2): 2·2 = 4; (3,3): 1·1 = 1; the average fan-out says 2·2·9·1/16 = 2.25 for each.
    expect([fan[1][1], fan[2][2], fan[3][3]]).toEqual([1, 4, 1]);
    expect(fanOutOf(conv(1, 3, 2, 'same'), [4, 4, 1])).toBe(2.25);
    // Inside the frame: Σ fan = (1+1+2+1)² = 25 taps, against 2·2·9 = 36 dense (11 land on the padding).
    expect(fan.flat().reduce((a, b) => a + b, 0)).toBe(25);
  });

  it('an odd size: 5×5, 3×3 stride 2 same, 2 filters', () => {
    const fan = table(conv(2, 3, 2, 'same'), [5, 5, 3]);
    // rows = columns = [1, 2, 1, 2, 1] (see axisFanOut); (1,3): 2·2·2 = 8, (0,1): 1·2·2 = 4, (2,2): 1·1·2 = 2.
    expect([fan[1][3], fan[0][1], fan[2][2]]).toEqual([8, 4, 2]);
  });

  it('matches tfjs: an all-ones kernel applied to a one-hot input sums to the windows containing it', () => {
    for (const [size, k, s, padding] of [[4, 3, 2, 'same'], [5, 3, 2, 'same'], [7, 3, 2, 'valid'], [6, 2, 1, 'same'], [8, 3, 1, 'same'], [9, 5, 3, 'same']] as const) {
      const layer = conv(1, k, s, padding);
      const fan = table(layer, [size, size, 1]);
      const touched = tf.tidy(() => {
        // One image per position with a single 1 there: [size², size, size, 1]
        const oneHot = tf.reshape(tf.cast(tf.oneHot(tf.range(0, size * size, 1, 'int32'), size * size), 'float32'), [size * size, size, size, 1]);
        const out = tf.conv2d(oneHot as tf.Tensor4D, tf.ones([k, k, 1, 1]) as tf.Tensor4D, s, padding);
        return Array.from(tf.sum(out, [1, 2, 3]).dataSync());
      });
      expect(touched).toEqual(fan.flat());
    }
  });

  it('invariant: Σ fan · Cin = the MACs inside the frame, ≤ dense MACs, equal for valid padding', () => {
    for (const [size, k, s, padding, cin, cout] of [[4, 3, 2, 'same', 1, 1], [5, 3, 2, 'same', 3, 2], [8, 3, 2, 'same', 2, 4], [7, 3, 2, 'valid', 2, 3], [6, 3, 1, 'valid', 1, 2]] as const) {
      const layer = conv(cout, k, s, padding);
      const fan = positionFanOutOf(layer, [size, size, cin]);
      const inside = executedMacs(fan, new Array<number>(size * size).fill(cin)); // every value non-zero
      const out = convOutputSize(size, k, s, padding);
      const dense = out * out * k * k * cin * cout; // Hout·Wout·k²·Cin·Cout
      expect(size * size * cin * fanOutOf(layer, [size, size, cin])).toBeCloseTo(dense, 9);
      // Inside the frame: Σ_o (taps of window o inside)·Cin·Cout, counted from the windows' side.
      const perAxis = (o: number): number => {
        const padBefore = padding === 'same' ? Math.floor(Math.max((out - 1) * s + k - size, 0) / 2) : 0;
        let taps = 0;
        for (let j = 0; j < k; j++) if (o * s - padBefore + j >= 0 && o * s - padBefore + j < size) taps++;
        return taps;
      };
      let windowsSide = 0;
      for (let o = 0; o < out; o++) for (let p = 0; p < out; p++) windowsSide += perAxis(o) * perAxis(p) * cin * cout;
      expect(inside).toBe(windowsSide);
      expect(inside).toBeLessThanOrEqual(dense);
      if (padding === 'valid') expect(inside).toBe(dense);
    }
  });

  it('depthwise convs, pools and dense layers', () => {
    const dw = positionFanOutOf(tf.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'same', depthMultiplier: 2 }), [4, 4, 3]);
    expect(dw).toEqual({ rows: [1, 1, 2, 1], columns: [1, 1, 2, 1], perWindow: 2 });
    // 2×2 pool, stride 2, valid on 5: windows {0,1}, {2,3}; row 4 is in none.
    expect(positionFanOutOf(tf.layers.maxPooling2d({ poolSize: 2 }), [5, 5, 1]).rows).toEqual([1, 1, 1, 1, 0]);
    const dense = positionFanOutOf(tf.layers.dense({ units: 7 }), [32]);
    expect(dense).toEqual({ rows: null, columns: null, perWindow: 7 });
    expect(executedMacs(dense, [5])).toBe(35); // 5 non-zeros · 7 units
    expect(positionFanOutOf(tf.layers.globalAveragePooling2d({}), [4, 4, 8]).perWindow).toBe(1);
    expect(() => positionFanOutOf(tf.layers.flatten(), [4])).toThrow(/Conv2D, DepthwiseConv2D, Dense/);
    expect(() => positionFanOutOf(conv(1, 3, 1, 'same'), [16])).toThrow(/\[height, width, channels\]/);
  });

  it('executedMacs weighs per-position counts by their fan-out', () => {
    const fan = positionFanOutOf(conv(1, 3, 2, 'same'), [4, 4, 1]);
    // Non-zeros: 2 at (1,1) (fan 1), 3 at (2,2) (fan 4), 1 at (3,3) (fan 1) → 2 + 12 + 1 = 15 MACs.
    const counts = new Array<number>(16).fill(0);
    counts[1 * 4 + 1] = 2;
    counts[2 * 4 + 2] = 3;
    counts[3 * 4 + 3] = 1;
    expect(executedMacs(fan, counts)).toBe(15);
    expect(() => executedMacs(fan, [1, 2])).toThrow(/counts/);
  });
});
