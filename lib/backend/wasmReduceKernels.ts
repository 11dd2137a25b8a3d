/**
 * `Sum` for the `wasm` backend over axes that are not the innermost ones, e.g. the gradient of a per-channel
 * threshold q [C] broadcast over clips [B, T, H, W, C] (sum over B, T, H, W).
 *
 * tfjs-backend-wasm 4.22 first transposes the reduced axes to the end with its generic rank-5 transpose,
 * then sums rows: profiled with `tf.profile` on one training step of the delta small CNN (batch 16, 8
 * frames of 32x32), 46 Sum calls took 166 ms of a 300 ms step (~30 ms for [16, 8, 16, 16, 16]).
 *
 * Here, when the innermost axis is kept, each contiguous run of kept values is added in place to its output
 * run while the input is read once in order. Every output accumulates its terms in the same order as the
 * original (reduced indices in row-major order) in float32, so results are bit-identical. Other cases (all
 * reduced axes innermost: wasm's fast path; innermost axis reduced) go to wasm's own kernel.
 *
 * A large sum over leading axes ([R, C] → [C] after merging, R >= `GEMM_MIN_ROWS`: bias and per-channel
 * threshold gradients) is one XNNPACK matrix product ones[1, R] · x[R, C] instead: measured 0.3 ms where the
 * JS loop took 1.4-22 ms for [128·16·16, 16] (issue #12). Its blocked float32 accumulation is not
 * bit-identical to the sequential sum; it agrees with the cpu backend within float32 rounding (tested).
 */
import * as tf from '@tensorflow/tfjs';
import { allocF32, free, heapF32, matMulWasm, type WasmKernelParams } from './wasmHeap';
import type { WasmKernelFallback } from './wasmLayoutKernels';

/**
 * Merged form of a reduction: adjacent axes that are both reduced or both kept are merged, size-1 axes
 * dropped. Returns the merged shape and whether each merged axis is reduced.
 */
export function simplifyReduction(shape: readonly number[], axes: readonly number[]): { shape: number[]; reduced: boolean[] } {
  const merged: number[] = [];
  const reduced: boolean[] = [];
  shape.forEach((size, axis) => {
    if (size === 1) return;
    const isReduced = axes.includes(axis);
    if (reduced.length > 0 && reduced[reduced.length - 1] === isReduced) merged[merged.length - 1] *= size;
    else {
      merged.push(size);
      reduced.push(isReduced);
    }
  });
  return { shape: merged, reduced };
}

/** Sums over leading axes with at least this many rows go to the matrix product (see the module comment). */
export const GEMM_MIN_ROWS = 256;

/** Sum: x, attrs axis/keepDims -> x summed over the axes. */
export function sumWasm(params: WasmKernelParams, fallback: WasmKernelFallback): tf.TensorInfo {
  const { inputs, backend, attrs } = params;
  const x = inputs.x as tf.TensorInfo;
  const { axis, keepDims } = attrs as unknown as tf.SumAttrs;
  const axes = tf.util.parseAxisParam(axis, x.shape);
  const simple = simplifyReduction(x.shape, axes);
  const rank = simple.shape.length;
  const innermostKept = rank >= 2 && !simple.reduced[rank - 1];
  if (x.dtype !== 'float32' || !innermostKept) return fallback(params) as tf.TensorInfo;

  const [reducedShape] = tf.backend_util.computeOutAndReduceShapes(x.shape, axes);
  const outShape = keepDims ? tf.backend_util.expandShapeToKeepDim(reducedShape, axes) : reducedShape;
  if (rank === 2 && simple.reduced[0] && simple.shape[0] >= GEMM_MIN_ROWS) {
    const [rows, columns] = simple.shape;
    const ones = allocF32(backend, [1, rows]);
    heapF32(backend, ones).fill(1);
    const sums = matMulWasm(backend, ones, { dataId: x.dataId, shape: [rows, columns], dtype: 'float32' }); // [1, 1, C]
    free(backend, ones);
    sums.shape = outShape;
    return sums;
  }
  const out = backend.makeOutput(outShape, 'float32');
  const source = backend.typedArrayFromHeap(x) as Float32Array;
  const target = backend.typedArrayFromHeap(out) as Float32Array;
  target.fill(0);
  // Output strides of the kept merged axes (0 for reduced ones): the output offset of an input run.
  const outStrides = new Array<number>(rank).fill(0);
  let stride = 1;
  for (let a = rank - 1; a >= 0; a--) {
    if (simple.reduced[a]) continue;
    outStrides[a] = stride;
    stride *= simple.shape[a];
  }
  const block = simple.shape[rank - 1];
  const index = new Array<number>(rank - 1).fill(0);
  const blocks = source.length / block;
  let outOffset = 0;
  let inOffset = 0;
  for (let n = 0; n < blocks; n++) {
    for (let k = 0; k < block; k++) target[outOffset + k] += source[inOffset + k];
    inOffset += block;
    for (let a = rank - 2; a >= 0; a--) {
      index[a] += 1;
      outOffset += outStrides[a];
      if (index[a] < simple.shape[a]) break;
      outOffset -= index[a] * outStrides[a];
      index[a] = 0;
    }
  }
  return out;
}
