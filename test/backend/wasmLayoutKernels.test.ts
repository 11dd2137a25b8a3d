/**
 * Parity of our wasm layout and reduction kernels (Slice, Unpack, Transpose, PadV2, Sum) with tfjs's cpu
 * backend (the reference implementation) on randomized shapes of rank 1-6, with size-1 axes, negative
 * axes, empty results, and float32 / int32 / bool tensors.
 *
 * Slice, Unpack, Transpose and PadV2 only move values, so they must match exactly. Sum adds float32 values
 * in the same order as wasm's own kernel but not necessarily as cpu's; tolerance max |wasm - cpu| <= 1e-5 ·
 * max(1, Σ|x|) (float32 has ~6e-8 relative precision and the sums have at most a few hundred terms).
 * Sum is also compared bit for bit with wasm's own kernel, run on the same data.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, patchedWasmKernels } from '../../lib/backend';
import { replacedWasmKernel } from '../../lib/backend/wasmKernels';
import { copyRegion, simplifyTranspose } from '../../lib/backend/wasmLayoutKernels';
import { GEMM_MIN_ROWS, simplifyReduction } from '../../lib/backend/wasmReduceKernels';
import { SeededRandom } from '../../lib/util/random';

type DType = 'float32' | 'int32' | 'bool';

function randomShape(random: SeededRandom, rank: number, withOnes = true): number[] {
  return Array.from({ length: rank }, () => (withOnes && random.int(4) === 0 ? 1 : 1 + random.int(5)));
}

function randomTensor(shape: number[], random: SeededRandom, dtype: DType = 'float32'): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  if (dtype === 'float32') return tf.tensor(Float32Array.from({ length: size }, () => random.normal()), shape);
  if (dtype === 'int32') return tf.tensor(Int32Array.from({ length: size }, () => random.int(1000) - 500), shape, 'int32');
  return tf.tensor(Uint8Array.from({ length: size }, () => random.int(2)), shape, 'bool');
}

/** Runs `run` on `backend`; returns shapes and values of its outputs (all tensors made inside are disposed). */
async function on(backend: 'cpu' | 'wasm', run: () => tf.Tensor | tf.Tensor[]): Promise<{ shape: number[]; values: number[] }[]> {
  await tf.setBackend(backend);
  const result = tf.tidy(run);
  const list = Array.isArray(result) ? result : [result];
  const out = await Promise.all(list.map(async (t) => ({ shape: t.shape, values: Array.from(await t.data()) })));
  tf.dispose(list);
  return out;
}

async function expectSame(run: () => tf.Tensor | tf.Tensor[], label: string): Promise<void> {
  expect(await on('wasm', run), label).toEqual(await on('cpu', run));
}

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
});

describe('wasm layout kernels', () => {
  it('are registered on wasm as replacements', () => {
    const replaced = patchedWasmKernels().filter((k) => k.kind === 'replaced').map((k) => k.kernelName);
    expect(replaced).toEqual(expect.arrayContaining(['Slice', 'Unpack', 'Transpose', 'PadV2', 'Sum']));
  });

  it('copyRegion copies a hand-checked region', () => {
    // x = 0..23 as [2, 3, 4]; region begin [1, 1, 2], size [1, 2, 2] holds x[1][1][2..3] and x[1][2][2..3]:
    // offsets 1·12 + 1·4 + 2 = 18, 19 and 1·12 + 2·4 + 2 = 22, 23.
    const source = Float32Array.from({ length: 24 }, (_, i) => i);
    const target = new Float32Array(4);
    copyRegion(source, [2, 3, 4], [1, 1, 2], [1, 2, 2], target);
    expect(Array.from(target)).toEqual([18, 19, 22, 23]);
  });

  it('simplifyTranspose and simplifyReduction merge axes as expected', () => {
    // [B, T, H, W, C] with B and T swapped: the frame axes H, W, C stay adjacent and in order.
    expect(simplifyTranspose([16, 8, 4, 4, 3], [1, 0, 2, 3, 4])).toEqual({ shape: [16, 8, 48], perm: [1, 0, 2] });
    // Size-1 axes vanish; [2, 1, 3] with perm [2, 1, 0] is a plain 2-D transpose of [2, 3].
    expect(simplifyTranspose([2, 1, 3], [2, 1, 0])).toEqual({ shape: [2, 3], perm: [1, 0] });
    // Per-channel gradient: sum over B, T, H, W of [B, T, H, W, C] is a sum over rows of [B·T·H·W, C].
    expect(simplifyReduction([16, 8, 4, 4, 3], [0, 1, 2, 3])).toEqual({ shape: [2048, 3], reduced: [true, false] });
  });

  it('Slice matches cpu exactly on random shapes and dtypes', async () => {
    const random = new SeededRandom(11);
    for (let i = 0; i < 40; i++) {
      const shape = randomShape(random, 1 + random.int(6));
      const dtype: DType = (['float32', 'int32', 'bool'] as const)[random.int(3)];
      const x = randomTensor(shape, random, dtype);
      const begin = shape.map((d) => random.int(d));
      // Some sizes -1 (to the end), some 0 (empty result).
      const size = shape.map((d, j) => (random.int(5) === 0 ? -1 : random.int(d - begin[j] + 1)));
      await expectSame(() => tf.slice(x, begin, size), `slice ${JSON.stringify({ shape, begin, size, dtype })}`);
      x.dispose();
    }
  });

  it('Unpack matches cpu exactly on every axis', async () => {
    const random = new SeededRandom(12);
    for (let i = 0; i < 20; i++) {
      const rank = 1 + random.int(6);
      const shape = randomShape(random, rank);
      const dtype: DType = random.int(4) === 0 ? 'int32' : 'float32';
      const x = randomTensor(shape, random, dtype);
      const axis = random.int(rank) - (random.int(2) === 0 ? rank : 0); // negative axes too
      await expectSame(() => tf.unstack(x, axis), `unstack ${JSON.stringify({ shape, axis, dtype })}`);
      x.dispose();
    }
  });

  it('Transpose matches cpu exactly on random permutations (inner axis kept or moved)', async () => {
    const random = new SeededRandom(13);
    let innerMoved = 0;
    for (let i = 0; i < 40; i++) {
      const rank = 1 + random.int(6);
      const shape = randomShape(random, rank);
      const perm = random.shuffle(Array.from({ length: rank }, (_, j) => j));
      if (perm[rank - 1] !== rank - 1) innerMoved++;
      const dtype: DType = (['float32', 'int32', 'bool'] as const)[random.int(3)];
      const x = randomTensor(shape, random, dtype);
      await expectSame(() => tf.transpose(x, perm), `transpose ${JSON.stringify({ shape, perm, dtype })}`);
      x.dispose();
    }
    expect(innerMoved).toBeGreaterThan(5);
  });

  it('PadV2 matches cpu exactly (the gradient of slice)', async () => {
    const random = new SeededRandom(14);
    for (let i = 0; i < 30; i++) {
      const shape = randomShape(random, 1 + random.int(6));
      const paddings = shape.map(() => [random.int(3), random.int(3)] as [number, number]);
      const value = random.int(3) - 1;
      const dtype: DType = random.int(4) === 0 ? 'int32' : 'float32';
      const x = randomTensor(shape, random, dtype);
      await expectSame(() => tf.pad(x, paddings, value), `pad ${JSON.stringify({ shape, paddings, value, dtype })}`);
      x.dispose();
    }
    // The gradient of a time slice [B, T-1, ...] of a clip [B, T, H, W, C] is a pad on axis 1.
    const y = randomTensor([2, 4, 3, 3, 2], random);
    await expectSame(() => tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.slice(v, [0, 1], [-1, -1]), 2)))(y), 'slice gradient');
    y.dispose();
  });

  it('Sum matches cpu on random axes and is bit-identical to wasm\'s own Sum', async () => {
    const random = new SeededRandom(15);
    for (let i = 0; i < 40; i++) {
      const rank = 1 + random.int(6);
      const shape = randomShape(random, rank);
      const axes = Array.from({ length: rank }, (_, j) => j).filter(() => random.int(2) === 0);
      if (axes.length === 0) axes.push(random.int(rank));
      const keepDims = random.int(2) === 0;
      const x = randomTensor(shape, random);
      const label = JSON.stringify({ shape, axes, keepDims });
      const run = () => tf.sum(x, axes, keepDims);
      const [wasm] = await on('wasm', run);
      const [cpu] = await on('cpu', run);
      expect(wasm.shape, label).toEqual(cpu.shape);
      const absSum = (await on('cpu', () => tf.sum(tf.abs(x))))[0].values[0];
      const worst = Math.max(0, ...wasm.values.map((v, j) => Math.abs(v - cpu.values[j])));
      expect(worst, label).toBeLessThanOrEqual(1e-5 * Math.max(1, absSum));
      // wasm's own Sum: temporarily swap it back in (the kernel registry is process-global).
      const original = await withWasmOwnSum(() => on('wasm', run));
      expect(wasm.values, label).toEqual(original[0].values);
      x.dispose();
    }
  });
});

describe('wasm Sum over many leading rows (matrix product path) and Identity', () => {
  it('Sum over leading axes with >= GEMM_MIN_ROWS rows matches cpu within float32 rounding', async () => {
    const random = new SeededRandom(16);
    // [R, C] after merging: 16·8·4·4 = 2048 rows of 16; 3·129 = 387 rows of 5 (odd sizes); 256 rows of 1·3.
    const cases: [number[], number[]][] = [
      [[16, 8, 4, 4, 16], [0, 1, 2, 3]],
      [[3, 129, 5], [0, 1]],
      [[256, 1, 3], [0]],
    ];
    for (const [shape, axes] of cases) {
      expect(shape.filter((_, a) => axes.includes(a)).reduce((p, s) => p * s, 1)).toBeGreaterThanOrEqual(GEMM_MIN_ROWS);
      const x = randomTensor(shape, random);
      for (const keepDims of [false, true]) {
        const run = () => tf.sum(x, axes, keepDims);
        const [wasm] = await on('wasm', run);
        const [cpu] = await on('cpu', run);
        const label = JSON.stringify({ shape, axes, keepDims });
        expect(wasm.shape, label).toEqual(cpu.shape);
        // Each output sums R terms of N(0,1) values: float32 error <= R·2^-24·Σ|x| per output, far below 1e-5·Σ|x|.
        const absSum = (await on('cpu', () => tf.sum(tf.abs(x), axes)))[0].values;
        wasm.values.forEach((v, j) => expect(Math.abs(v - cpu.values[j]), label).toBeLessThanOrEqual(1e-5 * Math.max(1, absSum[j])));
      }
      x.dispose();
    }
  });

  it('Identity shares data: the clone keeps its values after the original is disposed', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
    const copy = tf.clone(x);
    x.dispose();
    expect(copy.shape).toEqual([2, 3]);
    expect(Array.from(await copy.data())).toEqual([1, 2, 3, 4, 5, 6]);
    copy.dispose();
  });
});

/** Runs `body` with tfjs-backend-wasm's own Sum kernel registered, then restores ours. */
async function withWasmOwnSum<T>(body: () => Promise<T>): Promise<T> {
  const ours = tf.getKernel('Sum', 'wasm') as tf.KernelConfig;
  const original = replacedWasmKernel('Sum');
  if (original === undefined) throw new Error('wasm Sum was not replaced in this process');
  tf.unregisterKernel('Sum', 'wasm');
  tf.registerKernel(original);
  try {
    return await body();
  } finally {
    tf.unregisterKernel('Sum', 'wasm');
    tf.registerKernel(ours);
  }
}
