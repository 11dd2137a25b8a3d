/**
 * The fused delta-layer kernels on wasm against the pure-tfjs composites (on cpu, the reference, and on
 * wasm), on randomized shapes; and the Δ = 0 gradient convention by hand.
 *
 * Tolerance 1e-6 · max(1, |reference|): the fused forward values reproduce every float32 operation of the
 * composite (bit-identical); gradients differ only in summation order (float64 here, float32 there) and in
 * the composite's (dy · q) / q, each a few float32 ulps on values of order 1.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, patchedWasmKernels } from '../../lib/backend';
import { DeltaActivation } from '../../lib/layers/deltaActivation';
import { fusedDeltaKernelsActive } from '../../lib/layers/fusedDelta';
import { quantize, quantizeComposite } from '../../lib/layers/quantize';
import { meanAbs, meanAbsTemporalDifference, temporalDifferences } from '../../lib/layers/timeAxis';
import { buildSmallCnn } from '../../lib/models';
import { createSparsityForward } from '../../lib/train/sparsityForward';
import { SeededRandom } from '../../lib/util/random';

const TOLERANCE = 1e-6;

type Backend = 'cpu' | 'wasm';

/** Runs `run` on `backend` and returns the values of its outputs (every tensor made inside is disposed). */
async function on(backend: Backend, run: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const outputs = tf.tidy(run);
  const values = await Promise.all(outputs.map((t) => t.data() as Promise<Float32Array>));
  tf.dispose(outputs);
  return values;
}

function expectClose(actual: Float32Array[], expected: Float32Array[], label: string): void {
  expect(actual.length, label).toBe(expected.length);
  actual.forEach((values, k) => {
    expect(values.length, `${label} output ${k}`).toBe(expected[k].length);
    let scale = 1;
    let worst = 0;
    for (let i = 0; i < values.length; i++) {
      scale = Math.max(scale, Math.abs(expected[k][i]));
      worst = Math.max(worst, Math.abs(values[i] - expected[k][i]));
    }
    expect(worst, `${label} output ${k}: max error ${worst}, scale ${scale}`).toBeLessThanOrEqual(TOLERANCE * scale);
  });
}

function randomArray(size: number, random: SeededRandom, make: () => number): Float32Array {
  return Float32Array.from({ length: size }, make);
}

const sizeOf = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
});

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('fused delta-layer kernels', () => {
  it('are registered on wasm and used there only', async () => {
    const fused = patchedWasmKernels().filter((k) => k.kind === 'fused').map((k) => k.kernelName);
    expect(fused.length).toBe(4);
    await tf.setBackend('wasm');
    expect(fusedDeltaKernelsActive()).toBe(true);
    await tf.setBackend('cpu');
    expect(fusedDeltaKernelsActive()).toBe(false);
  });

  it('quantize: values and gradients to x and q match the composite on random shapes', async () => {
    const random = new SeededRandom(12);
    const granularities = new Set<string>();
    for (let i = 0; i < 16; i++) {
      const batch = 1 + random.int(3);
      const time = 1 + random.int(4);
      const features = [1 + random.int(5), 1 + random.int(5), 1 + random.int(6)]; // odd sizes included
      const shape = [batch, time, ...features];
      const granularity = ['channel', 'neuron', 'layer'][random.int(3)];
      granularities.add(granularity);
      const qShape = granularity === 'channel' ? features.slice(-1) : granularity === 'neuron' ? features : [1];
      const rectify = random.int(2) === 1;
      const invert = random.int(2) === 1;
      // Values around 0 (some exactly 0, some negative), steps 0.05-0.3.
      const xValues = randomArray(sizeOf(shape), random, () => (random.int(8) === 0 ? 0 : random.normal()));
      const qValues = randomArray(sizeOf(qShape), random, () => 0.05 + 0.25 * random.next());
      const weights = randomArray(sizeOf(shape), random, () => random.normal());
      const run = (op: typeof quantize) => () => {
        const x = tf.tensor(xValues, shape);
        const q = tf.tensor(qValues, qShape);
        const w = tf.tensor(weights, shape);
        const options = { rectify, thresholdGrowsWithPenalty: invert };
        // Loss Σ w·y: dL/dy = w, so the gradients are the kernels' dx and dq for dy = w.
        const { value, grads } = tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(op(a, b, options), w)))([x, q]);
        return [op(x, q, options), value, ...grads];
      };
      const label = JSON.stringify({ shape, qShape, rectify, invert });
      const reference = await on('cpu', run(quantizeComposite));
      expectClose(await on('wasm', run(quantize)), reference, `fused ${label}`);
      expectClose(await on('wasm', run(quantizeComposite)), reference, `composite on wasm ${label}`);
    }
    expect([...granularities].sort()).toEqual(['channel', 'layer', 'neuron']);
  });

  it('quantize rounds halves to even, as tfjs round does', async () => {
    // q = 1: x/q = [0.5, 1.5, 2.5, 3.5] → half-to-even [0, 2, 2, 4].
    const run = () => [quantize(tf.tensor3d([[[0.5, 1.5, 2.5, 3.5]]]), tf.tensor1d([1]))];
    for (const backend of ['cpu', 'wasm'] as const) expect(Array.from((await on(backend, run))[0])).toEqual([0, 2, 2, 4]);
  });

  it('mean |Δ| over time: value and gradient match the composite, with repeated frames (Δ = 0)', async () => {
    const random = new SeededRandom(31);
    for (let i = 0; i < 12; i++) {
      const shape = [1 + random.int(3), 2 + random.int(5), 1 + random.int(4), 1 + random.int(3), 1 + random.int(5)];
      const frame = sizeOf(shape.slice(2));
      const values = new Float32Array(sizeOf(shape));
      for (let j = 0; j < values.length; j++) {
        const t = Math.floor(j / frame) % shape[1];
        // Half of the frames repeat the previous one exactly: their Δ is 0.
        values[j] = t > 0 && random.int(2) === 0 ? values[j - frame] : random.normal();
      }
      const run = (fused: boolean) => () => {
        const y = tf.tensor(values, shape);
        const f = (v: tf.Tensor) => (fused ? meanAbsTemporalDifference(v) : meanAbs(temporalDifferences(v)));
        const { value, grad } = tf.valueAndGrad(f)(y);
        return [value, grad];
      };
      const reference = await on('cpu', run(false));
      expectClose(await on('wasm', run(true)), reference, `fused ${JSON.stringify(shape)}`);
      expectClose(await on('wasm', run(false)), reference, `composite on wasm ${JSON.stringify(shape)}`);
    }
  });

  for (const backend of ['cpu', 'wasm'] as const) {
    it(`penalty gradient is 0 for a unit that does not change (${backend})`, async () => {
      // One unit, x = 0.3 at three time steps, q = 0.1, λ = 1, fanOut = 1: y = [0.3, 0.3, 0.3], Δ = [0, 0].
      // With sign(0) = 0 no value is pushed: dPenalty/dx = [0, 0, 0]. (tfjs's abs gradient −1 at 0 gave
      // [−(−1)/2, (−1 − (−1))/2, −1/2] = [0.5, 0, −0.5].)
      const [grad] = await on(backend, () => {
        const layer = new DeltaActivation({ threshold: 0.1, sparsityWeight: 1, fanOut: 1 });
        const x = tf.tensor3d([[[0.3], [0.3], [0.3]]]); // [B=1, T=3, 1]
        return [tf.grad((v: tf.Tensor) => layer.penalty(layer.apply(v) as tf.Tensor))(x)];
      });
      expect(Array.from(grad)).toEqual([0, 0, 0]);
    });

    it(`penalty value and gradients to x and q by hand (${backend})`, async () => {
      // x = [0.26, 0.52, 0.13] (one unit, T = 3), q = 0.1: levels [3, 5, 1], y = [0.3, 0.5, 0.1],
      // Δ = [0.2, −0.4], penalty = λ·fanOut·mean|Δ| = 1·1·0.3 = 0.3.
      // dP/dy = (sign Δ_t − sign Δ_(t+1)) / 2 = [−1/2, (1 + 1)/2, −1/2] = [−0.5, 1, −0.5]; dP/dx = dP/dy (x > 0).
      // dP/dq = −Σ dP/dy · level (inverted) = −(−1.5 + 5 − 0.5) = −3.
      const [value, dx, dq] = await on(backend, () => {
        const x = tf.tensor3d([[[0.26], [0.52], [0.13]]]);
        const q = tf.tensor1d([0.1]);
        const { value: penalty, grads } = tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor) =>
          meanAbsTemporalDifference(quantize(a, b, { thresholdGrowsWithPenalty: true })),
        )([x, q]);
        return [penalty, ...grads];
      });
      expect(value[0]).toBeCloseTo(0.3, 6);
      expect(Array.from(dx).map((v) => Math.round(v * 1e6) / 1e6)).toEqual([-0.5, 1, -0.5]);
      expect(dq[0]).toBeCloseTo(-3, 5);
    });
  }

  it('a training step of the delta model on wasm leaves the tensor count unchanged', async () => {
    await tf.setBackend('wasm');
    const model = buildSmallCnn({ inputShape: [4, 8, 8, 3], classes: 3, filters: [4, 6], variant: 'delta' });
    const forward = createSparsityForward(model);
    const optimizer = tf.train.adam(1e-3);
    const x = tf.randomUniform([2, 4, 8, 8, 3], 0, 1, 'float32', 3);
    const labels = tf.oneHot(tf.tensor1d([0, 2], 'int32'), 3);
    const step = () => {
      const loss = optimizer.minimize(() => {
        const { output, penalty } = forward.apply(x, { training: true });
        return tf.add(tf.losses.softmaxCrossEntropy(labels, output), penalty) as tf.Scalar;
      }, true);
      const value = loss?.dataSync()[0];
      loss?.dispose();
      return value;
    };
    step();
    const before = tf.memory().numTensors;
    expect(Number.isFinite(step())).toBe(true);
    step();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, labels]);
    optimizer.dispose();
    model.dispose();
  });
});
