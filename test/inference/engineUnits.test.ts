import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSparseEngine, roundHalfEven } from '../../lib/inference/engine';
import { axisGeometry, ConvScatter, DenseScatter } from '../../lib/inference/scatter';
import { assembleVideoModel } from '../../lib/models/assemble';
import { foldBatchNorm } from '../../lib/models/foldBatchNorm';
import { buildSmallCnn } from '../../lib/models/smallCnn';
import { SeededRandom } from '../../lib/util/random';
import { frameOf, movingClip, perFrameModel, randomizeThresholds, scatterHarness } from './helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const randomArray = (n: number, seed: number) => {
  const random = new SeededRandom(seed);
  // Non-zero weights, so that every stencil entry visibly changes the accumulator.
  return Float32Array.from({ length: n }, () => (random.uniform(0.1, 1) * (random.next() < 0.5 ? -1 : 1)));
};

for (const loops of ['typescript', 'wasm'] as const) {
  describe(`sparse conv scatter (${loops} loops)`, () => {
    it('one interior change at stride 1 updates exactly k·k·Cout accumulator entries', () => {
      // 9×9×2 input, 3×3 kernel, 5 filters, stride 1, 'same': output 9×9, padding 1 on each side.
      // Input (4, 4) is interior: outputs oy = y + 1 − ky for ky = 0..2 → rows 3..5, likewise columns 3..5, all
      // inside the 9×9 output: 3·3 positions × 5 channels = 45 entries.
      const [k, cin, cout] = [3, 2, 5];
      const kernel = randomArray(k * k * cin * cout, 1);
      const h = scatterHarness(loops, (arena, kernels) => new ConvScatter(axisGeometry(9, k, 1, 'same'), axisGeometry(9, k, 1, 'same'), cin, cout, kernel, false, arena, kernels), 1);
      const index = (4 * 9 + 4) * cin + 1; // (y=4, x=4, c=1)
      const macs = h.run([index], [0.5]);
      const changed = h.accumulator().reduce((n, v) => n + (v !== 0 ? 1 : 0), 0);
      expect(changed).toBe(k * k * cout);
      expect(macs).toBe(45);
      expect([...h.touched.list.subarray(0, h.touched.count)].sort((a, b) => a - b)).toEqual([30, 31, 32, 39, 40, 41, 48, 49, 50]); // rows 3..5 × cols 3..5
      // Output (3, 3) is reached with ky = kx = 2: its 5 entries are 0.5 · kernel[2, 2, 1, :].
      const w = ((2 * 3 + 2) * cin + 1) * cout;
      for (let o = 0; o < cout; o++) expect(h.accumulator()[(3 * 9 + 3) * cout + o]).toBe(0.5 * kernel[w + o]);
    });

    it('at stride 2 with tfjs same padding, an interior change feeds only the outputs whose window holds it', () => {
      // 8×8 input, 3×3 kernel, stride 2, 'same': output 4×4, total padding (4−1)·2 + 3 − 8 = 1, all of it after
      // (tfjs puts floor(1/2) = 0 before). Output oy reads input rows 2·oy .. 2·oy+2, so input row 3 is read by
      // oy = 1 (ky = 1) only, and input row 4 by oy = 1 (ky = 2) and oy = 2 (ky = 0).
      // Input (4, 3): rows {1, 2} × columns {1} → 2 positions × 4 channels = 8 entries.
      const cout = 4;
      const kernel = randomArray(9 * cout, 2);
      const h = scatterHarness(loops, (arena, kernels) => new ConvScatter(axisGeometry(8, 3, 2, 'same'), axisGeometry(8, 3, 2, 'same'), 1, cout, kernel, false, arena, kernels), 1);
      h.run([4 * 8 + 3], [1]);
      expect(h.accumulator().reduce((n, v) => n + (v !== 0 ? 1 : 0), 0)).toBe(8);
      expect([...h.touched.list.subarray(0, h.touched.count)].sort((a, b) => a - b)).toEqual([1 * 4 + 1, 2 * 4 + 1]);
    });

    it('equals a dense tf.conv2d of the change map (stride 2, same padding, odd size, Cout not a multiple of 4)', () => {
      const [h, w, cin, cout] = [7, 6, 3, 6];
      const kernel = randomArray(9 * cin * cout, 3);
      const harness = scatterHarness(loops, (arena, kernels) => new ConvScatter(axisGeometry(h, 3, 2, 'same'), axisGeometry(w, 3, 2, 'same'), cin, cout, kernel, false, arena, kernels), 5);
      const delta = new Float64Array(h * w * cin);
      const indices = [0, 5, 20, 41, h * w * cin - 1];
      const values = [1, -2, 0.5, 3, 1.5];
      indices.forEach((i, j) => (delta[i] = values[j]));
      harness.run(indices, values);
      const accumulator = harness.accumulator();
      const expected = tf.tidy(() => tf.conv2d(tf.tensor4d(Float32Array.from(delta), [1, h, w, cin]), tf.tensor4d(kernel, [3, 3, cin, cout]), 2, 'same').dataSync());
      expect(expected.length).toBe(accumulator.length);
      expected.forEach((v, i) => expect(accumulator[i]).toBeCloseTo(v, 5));
    });

    it('Cout = 16 (changes of one pixel summed per tap): equals a dense tf.conv2d of the change map', () => {
      // Three changes on pixel (2, 3) (channels 0, 2, 3), one on (4, 0), two on (0, 5): the grouped loop sums each
      // pixel's changes per tap before adding them; the result must still be the conv of the change map.
      const [h, w, cin, cout] = [6, 6, 4, 16];
      const kernel = randomArray(9 * cin * cout, 5);
      const harness = scatterHarness(loops, (arena, kernels) => new ConvScatter(axisGeometry(h, 3, 1, 'same'), axisGeometry(w, 3, 1, 'same'), cin, cout, kernel, false, arena, kernels), 6);
      const at = (y: number, x: number, c: number) => (y * w + x) * cin + c;
      const indices = [at(2, 3, 0), at(2, 3, 2), at(2, 3, 3), at(4, 0, 1), at(0, 5, 0), at(0, 5, 3)];
      const values = [0.5, -1.25, 2, 1, -0.75, 0.25];
      const delta = new Float32Array(h * w * cin);
      indices.forEach((i, j) => (delta[i] = values[j]));
      // Interior pixel (2, 3): 9 taps; (4, 0): 3 rows × 2 columns = 6; (0, 5): 2 × 2 = 4; times changes and Cout.
      expect(harness.run(indices, values)).toBe((3 * 9 + 1 * 6 + 2 * 4) * cout);
      const expected = tf.tidy(() => tf.conv2d(tf.tensor4d(delta, [1, h, w, cin]), tf.tensor4d(kernel, [3, 3, cin, cout]), 1, 'same').dataSync());
      const accumulator = harness.accumulator();
      expect(expected.length).toBe(accumulator.length);
      expected.forEach((v, i) => expect(accumulator[i]).toBeCloseTo(v, 5));
      // Positions: rows 1..3 × cols 2..4, rows 3..5 × cols 0..1, rows 0..1 × cols 4..5; (1, 4) is in the first and third.
      expect(harness.touched.count).toBe(9 + 6 + 4 - 1);
    });

    it('depthwise: one change updates k·k·multiplier entries, all in its own channel', () => {
      // 6×6×3 input, 3×3 depthwise kernel, multiplier 2, stride 1, 'same': input (2, 3, c=1) feeds 3×3 outputs,
      // only output channels 1·2 .. 1·2+1 = 2, 3 of each: 9 · 2 = 18 entries.
      const kernel = randomArray(9 * 3 * 2, 4);
      const h = scatterHarness(loops, (arena, kernels) => new ConvScatter(axisGeometry(6, 3, 1, 'same'), axisGeometry(6, 3, 1, 'same'), 3, 6, kernel, true, arena, kernels), 1);
      expect(h.run([(2 * 6 + 3) * 3 + 1], [1])).toBe(18);
      const changed = [...h.accumulator()].flatMap((v, i) => (v !== 0 ? [i % 6] : []));
      expect(changed.length).toBe(18);
      expect(new Set(changed)).toEqual(new Set([2, 3]));
    });

    it('dense: one change adds one weight row', () => {
      const kernel = Float32Array.of(1, 2, 3, 4, 5, 6); // [Cin=2, units=3]
      const h = scatterHarness(loops, (arena, kernels) => new DenseScatter(2, 2, 1, kernel, 3, arena, kernels), 1);
      expect(h.run([1], [2])).toBe(3);
      expect([...h.accumulator()]).toEqual([8, 10, 12]); // 2 · [4, 5, 6]
    });
  });
}

describe('foldBatchNorm', () => {
  it('folds γ(z − μ)/√(σ² + ε) + β into kernel and bias', () => {
    // Kernel [in=2, units=2], ε = 0.25; channel 0: s = 2/√(3.75 + 0.25) = 1; channel 1: s = 1/√(0 + 0.25) = 2.
    const folded = foldBatchNorm(
      { kernel: Float32Array.of(1, 2, 3, 4), kernelShape: [2, 2], bias: Float32Array.of(0.5, 1), outputs: 2 },
      { gamma: Float32Array.of(2, 1), beta: Float32Array.of(0, 1), movingMean: Float32Array.of(0.5, 2), movingVariance: Float32Array.of(3.75, 0), epsilon: 0.25 },
    );
    expect([...folded.kernel]).toEqual([1, 4, 3, 8]); // columns scaled by 1 and 2
    // b'_0 = 1·(0.5 − 0.5) + 0 = 0; b'_1 = 2·(1 − 2) + 1 = −1
    expect([...folded.bias]).toEqual([0, -1]);
    expect(folded.kernelShape).toEqual([2, 2]);
  });

  it('agrees with a tfjs dense + batch norm pair in inference mode', () => {
    const dense = tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.randomNormal({ seed: 4 }), biasInitializer: 'ones' });
    const bn = tf.layers.batchNormalization({ epsilon: 0.01 });
    const input = tf.input({ shape: [4] });
    const model = tf.model({ inputs: input, outputs: bn.apply(dense.apply(input)) as tf.SymbolicTensor });
    const stats = [tf.tensor1d([1.5, 0.5, 2]), tf.tensor1d([0.1, -0.2, 0.3]), tf.tensor1d([0.4, 0, -0.3]), tf.tensor1d([0.5, 2, 1])];
    bn.setWeights(stats);
    const [kernel, bias] = dense.getWeights();
    const folded = foldBatchNorm(
      { kernel: kernel.dataSync() as Float32Array, kernelShape: [4, 3], bias: bias.dataSync() as Float32Array, outputs: 3 },
      { gamma: stats[0].dataSync() as Float32Array, beta: stats[1].dataSync() as Float32Array, movingMean: stats[2].dataSync() as Float32Array, movingVariance: stats[3].dataSync() as Float32Array, epsilon: 0.01 },
    );
    const x = tf.tensor2d([[0.3, -1, 2, 0.5]]);
    const expected = (model.predict(x) as tf.Tensor).dataSync();
    const mine = tf.add(tf.matMul(x, tf.tensor2d(folded.kernel, [4, 3])), tf.tensor1d(folded.bias)).dataSync();
    expected.forEach((v, i) => expect(mine[i]).toBeCloseTo(v, 5));
  });
});

describe('createSparseEngine: state, memory and errors', () => {
  const S = 16;
  const T = 12;
  const build = () => {
    // 16 filters in the second conv: its scatter takes the grouped path (Cout a multiple of 16).
    const model = buildSmallCnn({ inputShape: [null, S, S, 3], classes: 3, filters: [6, 16], variant: 'delta' });
    randomizeThresholds(model);
    return model;
  };

  it.each(['wasm', 'typescript'] as const)('reset() between clips gives the results and counts of a fresh engine (%s loops)', (loops) => {
    const model = build();
    const first = movingClip(T, S, 1);
    const second = movingClip(T, S, 2);
    const used = createSparseEngine(model, { loops });
    for (let t = 0; t < T; t++) used.step(frameOf(first, t, S * S * 3));
    used.reset();
    const fresh = createSparseEngine(model, { loops });
    for (let t = 0; t < T; t++) {
      expect([...used.step(frameOf(second, t, S * S * 3))]).toEqual([...fresh.step(frameOf(second, t, S * S * 3))]);
    }
    expect(used.stats()).toEqual(fresh.stats());
    expect([...used.clipOutput()]).toEqual([...fresh.clipOutput()]);
  });

  it('holds no tfjs tensors: numTensors is unchanged by construction and by every frame', () => {
    const model = build();
    const before = tf.memory().numTensors;
    const engine = createSparseEngine(model);
    expect(tf.memory().numTensors).toBe(before);
    const clip = movingClip(T, S);
    const frame = tf.tensor3d(frameOf(clip, 0, S * S * 3), [S, S, 3]);
    const withFrame = tf.memory().numTensors;
    for (let t = 0; t < T; t++) {
      engine.step(t % 2 === 0 ? frame : frameOf(clip, t, S * S * 3));
      expect(tf.memory().numTensors).toBe(withFrame);
    }
    frame.dispose();
    engine.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects frames of the wrong shape or dtype with a one-line error naming [H, W, C]', () => {
    const engine = createSparseEngine(build());
    expect(() => engine.step(new Float32Array(10))).toThrow(/frame.*\[16, 16, 3\].*Received: frame=.*Float32Array of 10 values/);
    const wrong = tf.zeros([1, S, S, 3]);
    expect(() => engine.step(wrong)).toThrow(/\[16, 16, 3\].*Received: frame=.*float32 tensor \[1, 16, 16, 3\]/);
    const ints = tf.zeros([S, S, 3], 'int32');
    expect(() => engine.step(ints)).toThrow(/Received: frame=.*int32 tensor \[16, 16, 3\]/);
    expect(() => engine.step(new Float64Array(S * S * 3) as unknown as Float32Array)).toThrow(/Received: frame=.*Float64Array/);
    tf.dispose([wrong, ints]);
    try {
      engine.step(new Float32Array(1));
    } catch (error) {
      expect(String((error as Error).message)).not.toContain('\n');
    }
  });

  it('lists every layer it cannot run, at construction', () => {
    const model = assembleVideoModel(
      { timeSteps: null, frameShape: [S, S, 3] },
      [
        { layer: tf.layers.conv2d({ name: 'c1', filters: 4, kernelSize: 3, padding: 'same' }), timeDistributed: true },
        { layer: tf.layers.reLU({ name: 'r1' }), timeDistributed: false },
        { layer: tf.layers.maxPooling2d({ name: 'mp', poolSize: 2 }), timeDistributed: true },
        { layer: tf.layers.conv2d({ name: 'c2', filters: 4, kernelSize: 3, padding: 'same', activation: 'sigmoid' }), timeDistributed: true },
        { layer: tf.layers.globalAveragePooling2d({ name: 'pool' }), timeDistributed: true },
        { layer: tf.layers.dense({ name: 'logits', units: 2 }), timeDistributed: true },
      ],
      { variant: 'delta' },
      { name: 'unsupported', temporalAverage: true, defaultVariant: 'delta' },
    );
    expect(() => createSparseEngine(model)).toThrow(/unsupported layers: .*mp_td \(MaxPooling2D\).*c2_td \(activation sigmoid\)/);
  });
});

describe('roundHalfEven', () => {
  it('rounds ties to the even neighbour, like tf.round', () => {
    const xs = [-3.5, -2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 2.4, 2.6, -2.6];
    const expected = tf.tidy(() => tf.round(tf.tensor1d(xs)).dataSync());
    const mine = xs.map((x) => roundHalfEven(x) + 0); // + 0 turns −0 into 0 (the engine compares levels with ===)
    expect(mine).toEqual([...expected].map((v) => v + 0));
    expect(mine).toEqual([-4, -2, -2, 0, 0, 2, 2, 4, 2, 3, -3]);
  });
});

describe('createSparseEngine: other configurations', () => {
  const S = 16;
  const T = 16;
  const clip = movingClip(T, S, 4);
  const cases: [string, () => tf.LayersModel][] = [
    ['per-neuron steps', () => buildSmallCnn({ inputShape: [null, S, S, 3], classes: 3, filters: [6, 8], variant: 'delta', granularity: 'neuron' })],
    ['one step per layer', () => buildSmallCnn({ inputShape: [null, S, S, 3], classes: 3, filters: [6, 8], variant: 'delta', granularity: 'layer' })],
    // No delta layers: every linear layer reads whole values and recomputes from its bias, skipping zeros.
    ['a baseline model (no delta layers)', () => buildSmallCnn({ inputShape: [null, S, S, 3], classes: 3, filters: [6, 8] })],
  ];
  for (const [name, build] of cases) {
    it(`equals dense inference with ${name}`, () => {
      const model = build();
      randomizeThresholds(model);
      const dense = tf.tidy(() => (perFrameModel(model).predict(tf.tensor(clip, [1, T, S, S, 3])) as tf.Tensor).dataSync());
      const engine = createSparseEngine(model);
      const scale = Math.max(...dense.map(Math.abs));
      for (let t = 0; t < T; t++) {
        const out = engine.step(frameOf(clip, t, S * S * 3));
        out.forEach((v, k) => expect(Math.abs(v - dense[t * 3 + k])).toBeLessThan(1e-4 * scale));
      }
      const baseline = name === 'a baseline model (no delta layers)';
      expect(engine.stats().map((s) => s.deltaInput)).toEqual([!baseline, !baseline, !baseline]);
    });
  }
});
