/**
 * Parity of the oneDNN addon's conv kernels (nativeConvKernels.ts) with tfjs's cpu backend, the reference
 * implementation, on randomized shapes: strides 1-2, 'same'/'valid' and explicit pads, odd sizes, batch 1 and
 * > 1, channels 1..17, depthwise multipliers 1-2, fused bias + activation. Also: switching back to the wasm
 * kernels restores them, a training gradient leaves no tensors behind, and forcing the addon where it is not
 * built fails with the build instructions.
 *
 * Without the built addon the parity tests are skipped with a message on a developer machine, and fail in CI
 * (CI=true), whose .ci/run installs oneDNN and builds it.
 *
 * Tolerance as in wasmKernels.test.ts: max |native - cpu| <= 1e-4 * max(1, max |cpu|). The sums have at most
 * 3*3*17 = 153 products of N(0,1) values (x 4 batch items x 15x15 positions for filter gradients), summed in
 * another order by oneDNN; float32 rounding gives ~1e-6 relative, while a wrong tap or pad gives errors of the
 * order of the values.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeConvProvider, chooseConvKernels, initBackend, loadOneDnnAddon, nativeConvKernelNames } from '../../lib/backend';
import { SeededRandom } from '../../lib/util/random';

const RELATIVE_TOLERANCE = 1e-4;
const root = path.resolve(__dirname, '../..');
const addon = loadOneDnnAddon();
const built = addon.ok;
const inCi = process.env.CI === 'true';

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

interface ConvCase {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: [number, number];
  pad: Pad;
}

/** A random case with output at least 1x1; `last` is the out channels (conv) or the multiplier (depthwise). */
function randomCase(random: SeededRandom, depthwise: boolean, index: number): ConvCase {
  for (;;) {
    const batch = index % 2 === 0 ? 1 : 2 + random.int(3);
    const height = 3 + random.int(13);
    const width = 3 + random.int(13);
    const inChannels = 1 + random.int(17);
    const last = depthwise ? 1 + random.int(2) : 1 + random.int(17);
    const k = 1 + random.int(3);
    const strides: [number, number] = [1 + random.int(2), 1 + random.int(2)];
    const kind = random.int(5);
    const pad: Pad =
      kind < 2 ? 'same' : kind < 4 ? 'valid' : [[0, 0], [random.int(2), random.int(2)], [random.int(2), random.int(2)], [0, 0]];
    const c: ConvCase = { x: [batch, height, width, inChannels], filter: [k, 1 + random.int(3), inChannels, last], strides, pad };
    const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, strides, 1, pad, undefined, depthwise);
    if (info.outHeight > 0 && info.outWidth > 0) return c;
  }
}

function randomTensor(shape: number[], random: SeededRandom): tf.Tensor {
  return tf.tensor(Float32Array.from({ length: tf.util.sizeFromShape(shape) }, () => random.normal()), shape);
}

async function on(backend: 'cpu' | 'wasm', run: () => tf.Tensor): Promise<Float32Array> {
  await tf.setBackend(backend);
  const result = tf.tidy(run);
  const values = (await result.data()) as Float32Array;
  result.dispose();
  return values;
}

function expectClose(actual: Float32Array, expected: Float32Array, label: string): void {
  expect(actual.length, label).toBe(expected.length);
  let scale = 1;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]));
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  }
  expect(worst, `${label}: max error ${worst} vs scale ${scale}`).toBeLessThanOrEqual(RELATIVE_TOLERANCE * scale);
}

const attrs = (o: object) => o as unknown as tf.NamedAttrMap;

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
  if (!built) {
    const message = `native conv addon not available (${addon.reason}); its parity tests are skipped. Build: npm run build:native`;
    if (!inCi) process.stderr.write(`nativeConvKernels.test.ts: ${message}\n`);
  }
});

afterAll(async () => {
  await tf.setBackend('wasm');
});

describe('oneDNN conv addon', () => {
  it.runIf(inCi)('is built in CI (.ci/run installs libdnnl-dev and npm ci builds it)', () => {
    expect(built, built ? '' : addon.reason).toBe(true);
  });

  describe.skipIf(!built)('parity with the cpu backend', () => {
    /** Calls of each addon function, to check that the kernels ran natively rather than falling back. */
    const calls = new Map<string, number>();

    beforeAll(async () => {
      await tf.setBackend('wasm');
      expect(chooseConvKernels('onednn').provider).toBe('onednn');
      expect(activeConvProvider()).toBe('onednn');
      if (!addon.ok) return;
      const functions = addon.addon as unknown as Record<string, (...args: unknown[]) => unknown>;
      for (const name of ['convForward', 'convBackwardData', 'convBackwardWeights']) {
        const original = functions[name];
        functions[name] = (...args: unknown[]) => {
          calls.set(name, (calls.get(name) ?? 0) + 1);
          return original(...args);
        };
      }
    });

    afterAll(() => {
      // 24 conv + 24 depthwise cases, each with a plain and a fused forward, and one call of each gradient.
      expect(calls.get('convForward')).toBeGreaterThanOrEqual(96);
      expect(calls.get('convBackwardData')).toBeGreaterThanOrEqual(48);
      expect(calls.get('convBackwardWeights')).toBeGreaterThanOrEqual(48);
    });

    it('Conv2D, FusedConv2D (bias + relu/relu6/elu/sigmoid/leakyrelu) and both conv gradients', async () => {
      const random = new SeededRandom(31);
      const activations = ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu'] as const;
      for (let i = 0; i < 24; i++) {
        const c = randomCase(random, false, i);
        const label = JSON.stringify(c);
        const x = randomTensor(c.x, random);
        const filter = randomTensor(c.filter, random);
        const bias = randomTensor([c.filter[3]], random);
        const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad);
        const dy = randomTensor(info.outShape, random);
        const common = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dilations: [1, 1] };
        const y = () => tf.engine().runKernel('Conv2D', { x, filter }, attrs(common)) as tf.Tensor;
        expectClose(await on('wasm', y), await on('cpu', y), `Conv2D ${label}`);
        const activation = activations[i % activations.length];
        const fused = () =>
          tf.fused.conv2d({ x: x as tf.Tensor4D, filter: filter as tf.Tensor4D, strides: c.strides, pad: c.pad, bias, activation, leakyreluAlpha: 0.1 });
        expectClose(await on('wasm', fused), await on('cpu', fused), `FusedConv2D ${activation} ${label}`);
        const dW = () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs({ ...common, filterShape: c.filter })) as tf.Tensor;
        expectClose(await on('wasm', dW), await on('cpu', dW), `Conv2DBackpropFilter ${label}`);
        const dx = () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, attrs({ ...common, inputShape: c.x })) as tf.Tensor;
        expectClose(await on('wasm', dx), await on('cpu', dx), `Conv2DBackpropInput ${label}`);
        tf.dispose([x, filter, bias, dy]);
      }
    });

    it('DepthwiseConv2dNative, FusedDepthwiseConv2D and both depthwise gradients (multipliers 1 and 2)', async () => {
      const random = new SeededRandom(32);
      const multipliers = new Set<number>();
      for (let i = 0; i < 24; i++) {
        const c = randomCase(random, true, i);
        multipliers.add(c.filter[3]);
        const label = JSON.stringify(c);
        const x = randomTensor(c.x, random);
        const filter = randomTensor(c.filter, random);
        const bias = randomTensor([c.filter[2] * c.filter[3]], random);
        const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad, undefined, true);
        const dy = randomTensor(info.outShape, random);
        const common = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dilations: [1, 1] };
        const y = () => tf.engine().runKernel('DepthwiseConv2dNative', { x, filter }, attrs(common)) as tf.Tensor;
        expectClose(await on('wasm', y), await on('cpu', y), `DepthwiseConv2dNative ${label}`);
        const fused = () =>
          tf.engine().runKernel('FusedDepthwiseConv2D', { x, filter, bias }, attrs({ ...common, activation: 'relu' })) as tf.Tensor;
        expectClose(await on('wasm', fused), await on('cpu', fused), `FusedDepthwiseConv2D ${label}`);
        const dW = () =>
          tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, attrs({ ...common, filterShape: c.filter })) as tf.Tensor;
        expectClose(await on('wasm', dW), await on('cpu', dW), `DepthwiseConv2dNativeBackpropFilter ${label}`);
        const dx = () =>
          tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter }, attrs({ ...common, inputShape: c.x })) as tf.Tensor;
        expectClose(await on('wasm', dx), await on('cpu', dx), `DepthwiseConv2dNativeBackpropInput ${label}`);
        tf.dispose([x, filter, bias, dy]);
      }
      expect([...multipliers].sort()).toEqual([1, 2]);
    });

    it('gradients of a conv + depthwise model agree with cpu and leave no tensors behind', async () => {
      const random = new SeededRandom(33);
      const x = randomTensor([3, 11, 9, 5], random) as tf.Tensor4D;
      const w = randomTensor([3, 3, 5, 7], random) as tf.Tensor4D;
      const d = randomTensor([3, 3, 7, 2], random) as tf.Tensor4D;
      const b = randomTensor([7], random) as tf.Tensor1D;
      const f = (xx: tf.Tensor, ww: tf.Tensor, dd: tf.Tensor, bb: tf.Tensor) => {
        const h = tf.fused.conv2d({ x: xx as tf.Tensor4D, filter: ww as tf.Tensor4D, strides: 2, pad: 'same', bias: bb, activation: 'relu' });
        return tf.sum(tf.square(tf.depthwiseConv2d(h, dd as tf.Tensor4D, 1, 'valid')));
      };
      await tf.setBackend('wasm');
      const before = tf.memory().numTensors;
      tf.dispose(tf.grads(f)([x, w, d, b]));
      expect(tf.memory().numTensors).toBe(before);
      for (let i = 0; i < 4; i++) {
        const run = () => tf.grads(f)([x, w, d, b])[i];
        expectClose(await on('wasm', run), await on('cpu', run), `gradient ${i}`);
      }
      tf.dispose([x, w, d, b]);
    });

    it('dilated Conv2D and DepthwiseConv2dNative (forward; tfjs has no dilated conv gradients)', async () => {
      const random = new SeededRandom(35);
      for (let i = 0; i < 12; i++) {
        const depthwise = i % 2 === 1;
        const c = randomCase(random, depthwise, i);
        const dilations: [number, number] = [1 + random.int(3), 1 + random.int(3)];
        const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, [1, 1], dilations, c.pad, undefined, depthwise);
        if (info.outHeight < 1 || info.outWidth < 1) continue;
        const x = randomTensor(c.x, random);
        const filter = randomTensor(c.filter, random);
        const label = JSON.stringify({ ...c, dilations, depthwise });
        // tfjs requires stride 1 where the dilation is > 1.
        const common = { strides: [1, 1], pad: c.pad, dataFormat: 'NHWC', dilations };
        const y = () => tf.engine().runKernel(depthwise ? 'DepthwiseConv2dNative' : 'Conv2D', { x, filter }, attrs(common)) as tf.Tensor;
        expectClose(await on('wasm', y), await on('cpu', y), label);
        tf.dispose([x, filter]);
      }
    });

    it('switching to wasm restores the kernels the addon displaced, and back', async () => {
      await tf.setBackend('wasm');
      const native = nativeConvKernelNames().map((name) => tf.getKernel(name, 'wasm')?.kernelFunc);
      expect(chooseConvKernels('wasm').provider).toBe('wasm');
      expect(activeConvProvider()).toBe('wasm');
      const restored = nativeConvKernelNames().map((name) => tf.getKernel(name, 'wasm')?.kernelFunc);
      restored.forEach((kernel, i) => expect(kernel, nativeConvKernelNames()[i]).not.toBe(native[i]));
      // The wasm kernels compute the same values (here: a stride-2 'same' conv) as cpu.
      const random = new SeededRandom(34);
      const x = randomTensor([2, 9, 9, 3], random) as tf.Tensor4D;
      const w = randomTensor([3, 3, 3, 4], random) as tf.Tensor4D;
      const run = () => tf.conv2d(x, w, 2, 'same');
      expectClose(await on('wasm', run), await on('cpu', run), 'wasm conv2d');
      await tf.setBackend('wasm');
      expect(chooseConvKernels('onednn').provider).toBe('onednn');
      nativeConvKernelNames().forEach((name, i) => expect(tf.getKernel(name, 'wasm')?.kernelFunc, name).not.toBe(restored[i]));
      tf.dispose([x, w]);
    });
  });

  it('forcing DELTA_CONV=onednn where the addon is not built says how to build it', () => {
    expect(fs.existsSync(path.join(root, 'dist/index.js')), 'run `npm run build` first (npm test does)').toBe(true);
    const script =
      `require('./dist/index.js').initBackend({ backend: 'wasm', quiet: true })` +
      `.then(() => console.log('no error'), (e) => { console.log(e.name + ': ' + e.message); });`;
    const result = spawnSync(process.execPath, ['-e', script], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, DELTA_CONV: 'onednn', DELTA_ONEDNN_ADDON: path.join(root, 'no-such-dir', 'delta_onednn.node') },
    });
    const line = result.stdout.trim();
    expect(line).toMatch(/^DeltaSparsityError: DELTA_CONV: /);
    expect(line).toContain('not built');
    expect(line).toContain('apt-get install -y libdnnl-dev g++ make python3');
    expect(line).toContain('npm run build:native');
    expect(line).toContain('Received: DELTA_CONV="onednn"');
    expect(line.split('\n')).toHaveLength(1);
  });

  it('a DELTA_THREADS that is not a positive integer is a one-line error', () => {
    const saved = process.env.DELTA_THREADS;
    process.env.DELTA_THREADS = 'two';
    try {
      expect(() => chooseConvKernels()).toThrow('DELTA_THREADS: expected a positive integer (threads of the native conv addon). Received: DELTA_THREADS="two"');
    } finally {
      if (saved === undefined) delete process.env.DELTA_THREADS;
      else process.env.DELTA_THREADS = saved;
    }
  });

  it('an unknown DELTA_CONV value is a one-line error naming the valid ones', () => {
    const saved = process.env.DELTA_CONV;
    process.env.DELTA_CONV = 'mkl';
    try {
      expect(() => chooseConvKernels()).toThrow('DELTA_CONV: expected one of "onednn", "wasm". Received: DELTA_CONV="mkl"');
    } finally {
      if (saved === undefined) delete process.env.DELTA_CONV;
      else process.env.DELTA_CONV = saved;
    }
  });
});
