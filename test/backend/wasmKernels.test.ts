/**
 * Parity of our wasm training kernels with tfjs's cpu backend (the reference implementation) on randomized
 * small shapes: strides 1-3, same/valid/explicit padding, odd and even sizes, batch 1 and > 1, depthwise
 * channel multipliers 1 and 2.
 *
 * Tolerance: max |wasm - cpu| <= 1e-4 * max(1, max |cpu|). Both sides are float32 sums of at most a few
 * hundred products of N(0,1) values, in different orders (XNNPACK's blocked GEMM vs cpu's loops); the
 * differences seen are ~1e-7 relative, so the bound has a 1000x margin, while any indexing or padding bug
 * (a wrong tap) gives errors of the order of the values themselves.
 *
 * Dilations: tfjs defines no gradient for dilated convolutions (its conv2d/depthwise gradients assert
 * dilation 1) and the cpu backprop kernels ignore the dilation attribute, so they are no reference there.
 * Our depthwise kernels do honour dilations; they are checked with the adjoint identity against the cpu
 * backend's dilated *forward* depthwise convolution, which is linear in x and in W:
 *   sum(dy * conv(x, W)) = sum(backpropFilter(x, dy) * W) = sum(backpropInput(dy, W) * x).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { activeConvProvider, chooseConvKernels, convBackpropProvider, initBackend, patchedWasmKernels, setConvBackpropProvider } from '../../lib/backend';
import { SeededRandom } from '../../lib/util/random';
import { wasmLoops } from '../../lib/backend/wasmModule';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

interface ConvCase {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: [number, number];
  dilations: [number, number];
  pad: Pad;
}

const RELATIVE_TOLERANCE = 1e-4;

function randomPad(random: SeededRandom): Pad {
  const kind = random.int(3);
  if (kind === 0) return 'same';
  if (kind === 1) return 'valid';
  return [[0, 0], [random.int(3), random.int(3)], [random.int(3), random.int(3)], [0, 0]];
}

/** A random case whose output is at least 1x1 (valid padding with a large filter can leave nothing). */
function randomCase(random: SeededRandom, depthwise: boolean, allowDilation: boolean): ConvCase {
  for (;;) {
    const batch = 1 + random.int(3);
    const height = 4 + random.int(8);
    const width = 4 + random.int(8);
    const inChannels = 1 + random.int(4);
    const kh = 1 + random.int(3);
    const kw = 1 + random.int(3);
    const last = depthwise ? 1 + random.int(2) : 1 + random.int(5); // multiplier 1-2, or out channels
    const dilated = allowDilation && random.int(2) === 1;
    const dilations: [number, number] = dilated ? [1 + random.int(3), 1 + random.int(3)] : [1, 1];
    // tfjs requires stride 1 where the dilation is > 1.
    const strides: [number, number] = dilated ? [1, 1] : [1 + random.int(3), 1 + random.int(3)];
    const pad = randomPad(random);
    const c: ConvCase = { x: [batch, height, width, inChannels], filter: [kh, kw, inChannels, last], strides, dilations, pad };
    const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, strides, dilations, pad, undefined, depthwise);
    if (info.outHeight > 0 && info.outWidth > 0) return c;
  }
}

function randomTensor(shape: number[], random: SeededRandom): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: size }, () => random.normal()), shape);
}

/** Runs `run` on `backend` and returns its values (all tensors made inside are disposed). */
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

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
});

describe('wasm training kernels', () => {
  it('registers every patched kernel on wasm', () => {
    const names = patchedWasmKernels().map((k) => k.kernelName);
    expect(names).toEqual(
      expect.arrayContaining([
        'Conv2DBackpropFilter',
        'Conv2DBackpropInput',
        'DepthwiseConv2dNativeBackpropFilter',
        'DepthwiseConv2dNativeBackpropInput',
        'UnsortedSegmentSum',
      ]),
    );
    for (const name of names) expect(tf.getKernel(name, 'wasm'), name).toBeDefined();
  });

  it('Conv2DBackpropFilter and Conv2DBackpropInput match cpu on random shapes', async () => {
    const random = new SeededRandom(2024);
    for (let i = 0; i < 24; i++) {
      const c = randomCase(random, false, false);
      const x = randomTensor(c.x, random);
      const filter = randomTensor(c.filter, random);
      const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad);
      const dy = randomTensor(info.outShape, random);
      const label = JSON.stringify(c);
      const filterAttrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter };
      const dW = () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, filterAttrs as unknown as tf.NamedAttrMap) as tf.Tensor;
      expectClose(await on('wasm', dW), await on('cpu', dW), `filter ${label}`);
      const inputAttrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x };
      const dx = () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, inputAttrs as unknown as tf.NamedAttrMap) as tf.Tensor;
      expectClose(await on('wasm', dx), await on('cpu', dx), `input ${label}`);
      tf.dispose([x, filter, dy]);
    }
  });

  it('depthwise backprop kernels match cpu (dilation 1, multipliers 1 and 2)', async () => {
    const random = new SeededRandom(7);
    const multipliers = new Set<number>();
    for (let i = 0; i < 24; i++) {
      const c = randomCase(random, true, false);
      multipliers.add(c.filter[3]);
      const x = randomTensor(c.x, random);
      const filter = randomTensor(c.filter, random);
      const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad, undefined, true);
      const dy = randomTensor(info.outShape, random);
      const label = JSON.stringify(c);
      const common = { strides: c.strides, pad: c.pad, dilations: c.dilations };
      const dW = () =>
        tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, {
          ...common,
          filterShape: c.filter,
        } as unknown as tf.NamedAttrMap) as tf.Tensor;
      expectClose(await on('wasm', dW), await on('cpu', dW), `filter ${label}`);
      const dx = () =>
        tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter }, {
          ...common,
          inputShape: c.x,
        } as unknown as tf.NamedAttrMap) as tf.Tensor;
      expectClose(await on('wasm', dx), await on('cpu', dx), `input ${label}`);
      tf.dispose([x, filter, dy]);
    }
    expect([...multipliers].sort()).toEqual([1, 2]);
  });

  it('dilated depthwise backprop kernels satisfy the adjoint identity with the cpu forward conv', async () => {
    const random = new SeededRandom(99);
    let dilatedCases = 0;
    for (let i = 0; i < 16; i++) {
      const c = randomCase(random, true, true);
      if (c.dilations[0] * c.dilations[1] > 1) dilatedCases++;
      const x = randomTensor(c.x, random);
      const filter = randomTensor(c.filter, random);
      const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, c.dilations, c.pad, undefined, true);
      const dy = randomTensor(info.outShape, random);
      const common = { strides: c.strides, pad: c.pad, dilations: c.dilations };
      // Reference: <dy, conv(x, W)> from the cpu forward kernel.
      const [reference] = await on('cpu', () =>
        tf.sum(tf.mul(dy, tf.depthwiseConv2d(x as tf.Tensor4D, filter as tf.Tensor4D, c.strides, c.pad, 'NHWC', c.dilations))),
      );
      const [viaFilter] = await on('wasm', () => {
        const dW = tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, {
          ...common,
          filterShape: c.filter,
        } as unknown as tf.NamedAttrMap) as tf.Tensor;
        return tf.sum(tf.mul(dW, filter));
      });
      const [viaInput] = await on('wasm', () => {
        const dx = tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter }, {
          ...common,
          inputShape: c.x,
        } as unknown as tf.NamedAttrMap) as tf.Tensor;
        return tf.sum(tf.mul(dx, x));
      });
      // The sums have a few hundred terms of size ~1: same relative tolerance, on the sum's scale.
      const scale = Math.max(1, Math.abs(reference));
      expect(Math.abs(viaFilter - reference), JSON.stringify(c)).toBeLessThanOrEqual(RELATIVE_TOLERANCE * scale * 10);
      expect(Math.abs(viaInput - reference), JSON.stringify(c)).toBeLessThanOrEqual(RELATIVE_TOLERANCE * scale * 10);
      tf.dispose([x, filter, dy]);
    }
    expect(dilatedCases).toBeGreaterThan(3);
  });

  it('UnsortedSegmentSum matches cpu (the gradient of gather)', async () => {
    const random = new SeededRandom(5);
    const x = randomTensor([7, 3, 2], random);
    const ids = tf.tensor1d([0, 2, 2, 4, 1, 0, 9], 'int32'); // 9 is out of range and dropped
    const run = () => tf.unsortedSegmentSum(x, ids, 5);
    expectClose(await on('wasm', run), await on('cpu', run), 'segment sum');
    tf.dispose([x, ids]);
  });

  it('tf.grads through conv2d, depthwiseConv2d and gather agree between wasm and cpu', async () => {
    const random = new SeededRandom(11);
    const x = randomTensor([2, 9, 7, 3], random) as tf.Tensor4D;
    const w = randomTensor([3, 3, 3, 4], random) as tf.Tensor4D;
    const d = randomTensor([3, 3, 4, 2], random) as tf.Tensor4D;
    const f = (xx: tf.Tensor, ww: tf.Tensor, dd: tf.Tensor) => {
      const h = tf.relu(tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, 2, 'same'));
      const g = tf.depthwiseConv2d(h, dd as tf.Tensor4D, 1, 'same');
      const picked = tf.gather(g.reshape([-1, 8]), tf.tensor1d([0, 3, 3, 5], 'int32'));
      return tf.sum(tf.square(picked)).add(tf.sum(g));
    };
    for (let i = 0; i < 3; i++) {
      const run = () => tf.grads(f)([x, w, d])[i];
      expectClose(await on('wasm', run), await on('cpu', run), `gradient ${i}`);
    }
    tf.dispose([x, w, d]);
  });
});

describe('our WebAssembly loops (lib/backend/wasm/kernels.wat)', () => {
  /** Runs `run` on wasm with the WebAssembly loops off (JavaScript loops), then on. */
  async function bothLoops(run: () => tf.Tensor[]): Promise<[number[][], number[][]]> {
    await tf.setBackend('wasm');
    const values = async () => {
      const outputs = tf.tidy(run);
      const arrays = await Promise.all(outputs.map(async (t) => Array.from(await t.data())));
      tf.dispose(outputs);
      return arrays;
    };
    process.env.DELTA_WASM_LOOPS = '0';
    try {
      const js = await values();
      delete process.env.DELTA_WASM_LOOPS;
      return [js, await values()];
    } finally {
      delete process.env.DELTA_WASM_LOOPS;
    }
  }

  it('are active on this tfjs-backend-wasm build', async () => {
    await tf.setBackend('wasm');
    expect(wasmLoops(tf.backend() as unknown as BackendWasm)).not.toBeNull();
  });

  it('conv backprop im2col/col2im give exactly the JavaScript loops\' results on random shapes', async () => {
    const random = new SeededRandom(77);
    for (let i = 0; i < 16; i++) {
      const c = randomCase(random, false, false);
      const x = randomTensor(c.x, random);
      const filter = randomTensor(c.filter, random);
      const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad);
      const dy = randomTensor(info.outShape, random);
      const [js, wasm] = await bothLoops(() => [
        tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter } as unknown as tf.NamedAttrMap) as tf.Tensor,
        tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x } as unknown as tf.NamedAttrMap) as tf.Tensor,
      ]);
      // im2col only copies: the filter gradient is bit-identical. col2im adds the same float32 terms into each
      // input pixel, but visits the taps in another order (it reads dcol row by row): a few ulps apart.
      expect(wasm[0], JSON.stringify(c)).toEqual(js[0]);
      const scale = Math.max(1, ...js[1].map(Math.abs));
      wasm[1].forEach((v, j) => expect(Math.abs(v - js[1][j]), JSON.stringify(c)).toBeLessThanOrEqual(1e-6 * scale));
      tf.dispose([x, filter, dy]);
    }
  });

  it('fused delta kernels give exactly the JavaScript loops\' results', async () => {
    const random = new SeededRandom(78);
    for (let i = 0; i < 8; i++) {
      const shape = [1 + random.int(3), 2 + random.int(4), 1 + random.int(4), 1 + random.int(5)];
      const qShape = i % 2 === 0 ? shape.slice(-1) : [1];
      const x = randomTensor(shape, random);
      const q = tf.add(tf.mul(tf.abs(randomTensor(qShape, random)), 0.2), 0.05);
      const dy = randomTensor(shape, random);
      const attrs = { rectify: i % 3 !== 0, thresholdGrowsWithPenalty: i % 2 === 0 } as unknown as tf.NamedAttrMap;
      const [js, wasm] = await bothLoops(() => {
        const y = tf.engine().runKernel('DeltaSparsityQuantize', { x, q }, attrs) as tf.Tensor;
        const grads = tf.engine().runKernel('DeltaSparsityQuantizeGrad', { dy, x, q }, attrs) as tf.Tensor[];
        const l1 = tf.engine().runKernel('DeltaSparsityTemporalL1', { y: x }, {}) as tf.Tensor;
        const l1Grad = tf.engine().runKernel('DeltaSparsityTemporalL1Grad', { dy: tf.scalar(1.5), y: x }, {}) as tf.Tensor;
        return [y, ...grads, l1, l1Grad];
      });
      expect(wasm, JSON.stringify({ shape, qShape })).toEqual(js);
      tf.dispose([x, q, dy]);
    }
  });
});

describe('setConvBackpropProvider', () => {
  it('routes the conv gradients through a provider, which may decline a call', async () => {
    await tf.setBackend('wasm');
    // The provider hook belongs to our wasm conv kernels; the native addon's kernels (when built) replace them.
    const active = activeConvProvider();
    chooseConvKernels('wasm');
    onTestFinished(() => {
      chooseConvKernels(active);
    });
    const random = new SeededRandom(5);
    const x = randomTensor([2, 5, 5, 2], random);
    const filter = randomTensor([3, 3, 2, 3], random);
    const dy = randomTensor([2, 3, 3, 3], random); // stride 2, same: ceil(5 / 2) = 3
    const attrs = { strides: [2, 2], pad: 'same', dataFormat: 'NHWC' };
    const run = () => [
      tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: [3, 3, 2, 3] } as unknown as tf.NamedAttrMap) as tf.Tensor,
      tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, { ...attrs, inputShape: [2, 5, 5, 2] } as unknown as tf.NamedAttrMap) as tf.Tensor,
    ];
    const values = () => {
      const outputs = tf.tidy(run);
      const arrays = outputs.map((t) => Array.from(t.dataSync()));
      tf.dispose(outputs);
      return arrays;
    };
    const builtIn = values();
    const calls: string[] = [];
    // A provider that declines the filter gradient and returns dx = 7 everywhere.
    const previous = setConvBackpropProvider({
      name: 'test',
      backpropFilter: () => {
        calls.push('filter');
        return null;
      },
      backpropInput: ({ backend, attrs: a }) => {
        calls.push('input');
        const out = backend.makeOutput((a as unknown as { inputShape: number[] }).inputShape, 'float32');
        (backend.typedArrayFromHeap(out) as Float32Array).fill(7);
        return out;
      },
    });
    try {
      expect(convBackpropProvider()?.name).toBe('test');
      const [dW, dx] = values();
      expect(calls).toEqual(['filter', 'input']);
      expect(dW).toEqual(builtIn[0]);
      expect(dx).toEqual(new Array(2 * 5 * 5 * 2).fill(7));
    } finally {
      setConvBackpropProvider(previous);
    }
    expect(convBackpropProvider()).toBe(previous);
    tf.dispose([x, filter, dy]);
  });
});
