/**
 * Regression test for the MAC counts (audit of 2026-12): zero-skipping and delta MACs are the MACs executed, each
 * non-zero input counted with its own position's fan-out (taps on 'same' padding are never executed). Three
 * independent counts must agree exactly: measureSparsity (tfjs masks × per-position fan-out), the sparse
 * engine (what its scatter loops did), and a brute-force loop over output windows and kernel taps below.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSparseEngine } from '../../lib/inference/engine';
import { linearKind, modelChain, unwrapTimeDistributed } from '../../lib/models/chain';
import { buildSmallCnn } from '../../lib/models/smallCnn';
import { measureSparsity } from '../../lib/sparsity/measure';
import { frameOf, movingClip, randomizeThresholds } from './helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const T = 8;
const SIZE = 14; // 14 → 7 → 4 → 2: the odd 7 pads one row above and one below, 14 and 4 one below only
const CLIPS = 3;
const FRAME = [SIZE, SIZE, 3];
const FRAME_SIZE = SIZE * SIZE * 3;

/** MACs a zero-skipping loop over output windows and kernel taps executes for one frame x [H, W, C] (flat). */
function bruteForceMacs(layer: tf.layers.Layer, shape: number[], x: ArrayLike<number>): number {
  const config = unwrapTimeDistributed(layer).getConfig();
  if (shape.length === 1) {
    let nonZero = 0;
    for (let i = 0; i < x.length; i++) if (x[i] !== 0) nonZero++;
    return nonZero * Number(config.units);
  }
  const [h, w, c] = shape;
  const k = (config.kernelSize as number[])[0];
  const s = (config.strides as number[])[0];
  const filters = Number(config.filters);
  // TensorFlow's 'same': out = ceil(in / s), pad_total = max((out − 1)·s + k − in, 0), pad_before = floor(pad_total / 2).
  const outH = Math.ceil(h / s);
  const outW = Math.ceil(w / s);
  const padTop = Math.floor(Math.max((outH - 1) * s + k - h, 0) / 2);
  const padLeft = Math.floor(Math.max((outW - 1) * s + k - w, 0) / 2);
  let macs = 0;
  for (let oh = 0; oh < outH; oh++) {
    for (let ow = 0; ow < outW; ow++) {
      for (let kh = 0; kh < k; kh++) {
        for (let kw = 0; kw < k; kw++) {
          const ih = oh * s - padTop + kh;
          const iw = ow * s - padLeft + kw;
          if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue; // padding: never executed
          for (let ci = 0; ci < c; ci++) if (x[(ih * w + iw) * c + ci] !== 0) macs += filters;
        }
      }
    }
  }
  return macs;
}

const relative = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1);

describe('executed MACs: measureSparsity = sparse engine = brute force', () => {
  it('a delta small CNN with stride-2 same convs, over several clips', () => {
    const model = buildSmallCnn({ inputShape: [T, SIZE, SIZE, 3], classes: 5, filters: [8, 12, 16], variant: 'delta', threshold: 0.05 });
    randomizeThresholds(model);
    const clipData = Array.from({ length: CLIPS }, (_, b) => movingClip(T, SIZE, 11 + b));
    const clips = tf.tensor(Float32Array.from(clipData.flatMap((c) => Array.from(c))), [CLIPS, T, ...FRAME]);

    // Brute force on each linear layer's quantised input (the delta layers output 'quantized' values y).
    const linear = modelChain(model).filter((layer) => linearKind(layer) != null);
    const brute = linear.map((layer) => {
      const shape = (layer.input as tf.SymbolicTensor).shape.slice(2) as number[];
      const n = shape.reduce((a, b) => a * b, 1);
      const y = tf.tidy(() => (tf.model({ inputs: model.inputs, outputs: layer.input as tf.SymbolicTensor }).predict(clips) as tf.Tensor).dataSync());
      let values = 0;
      let changes = 0;
      let first = 0;
      for (let b = 0; b < CLIPS; b++) {
        const frame = (t: number) => y.subarray((b * T + t) * n, (b * T + t + 1) * n);
        first += bruteForceMacs(layer, shape, frame(0));
        for (let t = 0; t < T; t++) values += bruteForceMacs(layer, shape, frame(t));
        for (let t = 1; t < T; t++) changes += bruteForceMacs(layer, shape, frame(t).map((v, i) => v - frame(t - 1)[i]));
      }
      return { name: unwrapTimeDistributed(layer).name, values, changes, first };
    });

    const measured = measureSparsity(model, clips, { batchSize: 2 });
    expect(measured.layers.map((l) => l.name)).toEqual(brute.map((l) => l.name));
    measured.layers.forEach((l, i) => {
      expect(brute[i].changes).toBeGreaterThan(0); // every layer sees changes, and frames with unchanged values
      expect(brute[i].changes).toBeLessThan(brute[i].values);
      expect(relative(l.zeroSkippingMacsPerFrame, brute[i].values / (CLIPS * T))).toBeLessThan(1e-12);
      expect(relative(l.deltaMacsPerFrame, brute[i].changes / (CLIPS * (T - 1)))).toBeLessThan(1e-12);
      expect(relative(l.deltaMacsPerFrameFirstIncluded, (brute[i].first + brute[i].changes) / (CLIPS * T))).toBeLessThan(1e-12);
    });
    const total = (f: (l: (typeof brute)[number]) => number) => brute.reduce((a, l) => a + f(l), 0);
    expect(relative(measured.overall.deltaMacsPerFrame, total((l) => l.changes) / (CLIPS * (T - 1)))).toBeLessThan(1e-12);
    expect(relative(measured.overall.deltaMacsPerFrameFirstIncluded, total((l) => l.first + l.changes) / (CLIPS * T))).toBeLessThan(1e-12);
    // Dense MACs keep the standard count Hout·Wout·k²·Cin·Cout, padding taps included:
    // conv1 7·7·9·3·8 = 10584, conv2 4·4·9·8·12 = 13824, conv3 2·2·9·12·16 = 6912, logits 16·5 = 80 → 31400.
    expect(measured.overall.denseMacsPerFrame).toBe(31400);
    // Not vacuous: the average fan-out (density · n · fanOut) counts more, the padding taps among them.
    const average = measured.layers.reduce((a, l) => a + l.temporalDensity * l.inputActivations * l.fanOut, 0);
    expect(measured.overall.deltaMacsPerFrame).toBeGreaterThan(0);
    expect(measured.overall.deltaMacsPerFrame).toBeLessThan(0.99 * average);

    // The sparse engine, clip by clip: its MACs after the first frame, then after all T.
    const engine = createSparseEngine(model);
    const firstFrame = new Map<string, number>();
    const whole = new Map<string, number>();
    const dense = new Map<string, number>();
    for (const clip of clipData) {
      engine.reset();
      engine.step(frameOf(clip, 0, FRAME_SIZE));
      for (const s of engine.stats()) firstFrame.set(s.name, (firstFrame.get(s.name) ?? 0) + s.macs);
      for (let t = 1; t < T; t++) engine.step(frameOf(clip, t, FRAME_SIZE));
      for (const s of engine.stats()) {
        whole.set(s.name, (whole.get(s.name) ?? 0) + s.macs);
        dense.set(s.name, (dense.get(s.name) ?? 0) + s.denseMacs);
      }
    }
    engine.dispose();
    brute.forEach((l, i) => {
      expect(firstFrame.get(l.name)).toBe(l.first);
      expect(whole.get(l.name)).toBe(l.first + l.changes);
      expect(dense.get(l.name)).toBe(CLIPS * T * measured.layers[i].denseMacsPerFrame);
    });
    const engineWhole = [...whole.values()].reduce((a, b) => a + b, 0);
    const engineFirst = [...firstFrame.values()].reduce((a, b) => a + b, 0);
    expect(relative(engineWhole / (CLIPS * T), measured.overall.deltaMacsPerFrameFirstIncluded)).toBeLessThan(1e-9);
    expect(relative((engineWhole - engineFirst) / (CLIPS * (T - 1)), measured.overall.deltaMacsPerFrame)).toBeLessThan(1e-9);
    clips.dispose();
    model.dispose();
  });
});
