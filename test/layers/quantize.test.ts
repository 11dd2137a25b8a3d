import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { quantize, roundStraightThrough } from '../../lib/layers/quantize';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// Two frames of two units, chosen away from rounding boundaries (x/q never near k + 0.5 for q ≈ 0.1):
// t0 = [0.26, 0.74], t1 = [0.52, 0.13]. With q = 0.1: levels t0 = [3, 7], t1 = [5, 1],
// y0 = [0.3, 0.7], y1 = [0.5, 0.1], Δ = [0.2, −0.6], mean|Δ| = 0.4.
const frames = () => tf.tensor3d([[[0.26, 0.74], [0.52, 0.13]]]); // [B=1, T=2, 2]

/** mean|y1 − y0| for a scalar threshold q. */
function meanAbsDelta(q: tf.Tensor, invert: boolean): tf.Scalar {
  const y = quantize(frames(), q, { thresholdGrowsWithPenalty: invert });
  const [y0, y1] = tf.unstack(y, 1);
  return tf.mean(tf.abs(tf.sub(y1, y0)));
}

describe('quantize', () => {
  it('computes q·round(relu(x)/q)', () => {
    const y = quantize(tf.tensor1d([-0.3, 0.04, 0.06, 0.26]), tf.scalar(0.1));
    // relu → [0, 0.04, 0.06, 0.26]; /0.1 → [0, 0.4, 0.6, 2.6]; round → [0, 0, 1, 3]; ×0.1
    expect(Array.from(y.dataSync())).toEqual([0, 0, expect.closeTo(0.1, 6), expect.closeTo(0.3, 6)]);
  });

  it('passes the gradient of round straight through (identity)', () => {
    const x = tf.tensor1d([-1.4, 0.2, 0.5, 2.7]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(roundStraightThrough(v), tf.tensor1d([1, 2, 3, 4]))))(x);
    // d/dx Σ w·round(x) with round ≈ identity = w
    expect(Array.from(g.dataSync())).toEqual([1, 2, 3, 4]);
    // Through the whole quantizer: relu kills the negative entry, the others get 1 (q cancels: q·(1/q)).
    const gq = tf.grad((v: tf.Tensor) => tf.sum(quantize(v, tf.scalar(0.1))))(x);
    expect(Array.from(gq.dataSync()).map((v) => Math.round(v * 1e5) / 1e5)).toEqual([0, 1, 1, 1]);
  });

  it('has the penalty push q up when inverted, down otherwise (finite differences)', () => {
    const q0 = 0.1;
    const eps = 1e-3;
    // Numerical dL/dq with the levels fixed (no boundary crossed within ±eps):
    const lossAt = (q: number) => meanAbsDelta(tf.scalar(q), false).dataSync()[0];
    const numeric = (lossAt(q0 + eps) - lossAt(q0 - eps)) / (2 * eps);
    // Hand value: mean(sign(Δ)·(k1 − k0)) = ((+1)(5 − 3) + (−1)(1 − 7)) / 2 = 4.
    expect(numeric).toBeCloseTo(4, 3);
    const plain = tf.grad((q: tf.Tensor) => meanAbsDelta(q, false))(tf.scalar(q0)).dataSync()[0];
    const inverted = tf.grad((q: tf.Tensor) => meanAbsDelta(q, true))(tf.scalar(q0)).dataSync()[0];
    expect(plain).toBeCloseTo(numeric, 3);
    // Inverted: gradient descent (q ← q − lr·g) now increases q: coarser steps.
    expect(inverted).toBeCloseTo(-numeric, 3);
  });

  it('leaks no tensors', () => {
    const before = tf.memory().numTensors;
    const x = tf.tensor1d([0.2, 0.6]);
    const q = tf.scalar(0.1);
    tf.grad((v: tf.Tensor) => tf.sum(quantize(v, q)))(x).dispose();
    quantize(x, q).dispose();
    x.dispose();
    q.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
