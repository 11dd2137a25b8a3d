/**
 * Layout kernels (`Slice`, `Unpack`, `Transpose`, `PadV2`) for the `wasm` backend, replacing tfjs-backend-wasm 4.22's
 * own where they are slow for the rank-5 clip tensors [B, T, H, W, C] our video models move around.
 *
 * Profiled with `tf.profile` on one training step of the small CNN (batch 16, 8 frames of 32x32, wasm):
 * - wasm `Slice` copies rank >= 5 slices element by element through a generic index routine
 *   (`sliceImplCPU`): 300-500 ms per call on [16, 8, 16, 16, 16]. The slices come from the gradient of
 *   TimeDistributed's `stack(…, axis 1)` (an `Unpack` on axis 1, made of slices), from the delta layers'
 *   temporal differences and from sparsity measurement. Together they took ~80% of a training step.
 * - wasm `Transpose` of rank 5 took ~20-30 ms for [16, 8, 32, 32, 3] (TimeDistributed swaps B and T).
 *
 * - wasm `PadV2` (the gradient of those slices) is as slow for rank 5: ~200 ms for [16, 7, 16, 16, 16].
 *
 * Here every slice (and the interior of every pad) is copied as contiguous runs: trailing axes taken whole fold into one run, and only the
 * remaining outer axes are iterated. A transpose first drops size-1 axes and merges input axes that stay
 * adjacent and in order (for [B, T, H, W, C] with perm [1, 0, 2, 3, 4]: [B, T, H·W·C] with perm [1, 0, 2]);
 * when the last axis stays last it is a copy of contiguous blocks, otherwise the merged (lower-rank)
 * transpose goes to wasm's own kernel. Results are bit-identical to the originals (pure data movement).
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { WasmKernelParams } from './wasmHeap';

/** The typed arrays a wasm tensor can be viewed as (float32, int32, bool). */
type HeapArray = Float32Array | Int32Array | Uint8Array;

/** The wasm backend's own kernel that one of ours replaces: called for the cases ours does not handle. */
export type WasmKernelFallback = (params: WasmKernelParams) => tf.TensorInfo | tf.TensorInfo[];

/** Runs shorter than this are copied element by element (cheaper than making a subarray). */
const SHORT_RUN = 32;

function heapView(backend: BackendWasm, info: tf.TensorInfo): HeapArray {
  return backend.typedArrayFromHeap(info) as HeapArray;
}

function single(result: tf.TensorInfo | tf.TensorInfo[]): tf.TensorInfo {
  if (Array.isArray(result)) throw new Error('delta-sparsity wasm layout kernels: expected one output from the fallback');
  return result;
}

const product = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Row-major strides of a shape. */
function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = stride;
    stride *= shape[i];
  }
  return strides;
}

/**
 * Visits the region `begin`, `size` (in bounds, no empty axis) of a row-major array of shape `shape` as
 * contiguous runs: `visit(offset, packedOffset, run)` with the run's offset in the full array and in the
 * packed (row-major) region. Trailing axes taken whole, plus the first partial one, form one run.
 */
function forEachRun(
  shape: readonly number[],
  begin: readonly number[],
  size: readonly number[],
  visit: (offset: number, packedOffset: number, run: number) => void,
): void {
  const rank = shape.length;
  if (rank === 0) {
    visit(0, 0, 1);
    return;
  }
  const strides = stridesOf(shape);
  let d = rank - 1;
  while (d > 0 && begin[d] === 0 && size[d] === shape[d]) d--;
  const run = size[d] * strides[d];
  let offset = 0;
  for (let i = 0; i <= d; i++) offset += begin[i] * strides[i];
  const outer = product(size.slice(0, d));
  const index = new Array<number>(d).fill(0);
  let packed = 0;
  for (let n = 0; n < outer; n++) {
    visit(offset, packed, run);
    packed += run;
    // Next outer index (odometer over axes d-1 … 0).
    for (let a = d - 1; a >= 0; a--) {
      index[a] += 1;
      offset += strides[a];
      if (index[a] < size[a]) break;
      offset -= index[a] * strides[a];
      index[a] = 0;
    }
  }
}

/** target[to … to+run) = source[from … from+run). */
function copyRun(source: HeapArray, from: number, target: HeapArray, to: number, run: number): void {
  if (run >= SHORT_RUN) {
    target.set(source.subarray(from, from + run), to);
  } else {
    for (let k = 0; k < run; k++) target[to + k] = source[from + k];
  }
}

/**
 * Copies the region `begin`, `size` (in bounds) of a row-major array of shape `shape` into `target`
 * (packed, row-major, from `targetOffset`).
 */
export function copyRegion(
  source: HeapArray,
  shape: readonly number[],
  begin: readonly number[],
  size: readonly number[],
  target: HeapArray,
  targetOffset = 0,
): void {
  if (size.some((s) => s === 0)) return;
  forEachRun(shape, begin, size, (offset, packed, run) => copyRun(source, offset, target, targetOffset + packed, run));
}

/** The inverse of `copyRegion`: writes the packed `source` into the region `begin`, `size` of `target` (shape `shape`). */
export function placeRegion(
  source: HeapArray,
  target: HeapArray,
  shape: readonly number[],
  begin: readonly number[],
  size: readonly number[],
): void {
  if (size.some((s) => s === 0)) return;
  forEachRun(shape, begin, size, (offset, packed, run) => copyRun(source, packed, target, offset, run));
}

/** Slice: x, attrs begin/size (size -1 = to the end) -> the region. */
export function sliceWasm(params: WasmKernelParams, fallback: WasmKernelFallback): tf.TensorInfo {
  const { inputs, backend, attrs } = params;
  const x = inputs.x as tf.TensorInfo;
  if (x.dtype === 'string' || x.dtype === 'complex64') return single(fallback(params));
  const { begin, size } = attrs as unknown as tf.SliceAttrs;
  const [begin_, size_] = tf.slice_util.parseSliceParams(x, begin, size);
  const out = backend.makeOutput(size_, x.dtype);
  if (product(size_) > 0) copyRegion(heapView(backend, x), x.shape, begin_, size_, heapView(backend, out));
  return out;
}

/** Unpack: value, attr axis -> value.shape[axis] tensors without that axis. */
export function unpackWasm(params: WasmKernelParams, fallback: WasmKernelFallback): tf.TensorInfo[] {
  const { inputs, backend, attrs } = params;
  const value = inputs.value as tf.TensorInfo;
  if (value.dtype === 'string' || value.dtype === 'complex64') return fallback(params) as tf.TensorInfo[];
  const rank = value.shape.length;
  let axis = (attrs as unknown as tf.UnpackAttrs).axis;
  if (axis < 0) axis += rank;
  const count = value.shape[axis];
  const outShape = value.shape.filter((_, i) => i !== axis);
  // Allocate every output before taking heap views (an allocation may grow the memory and detach views).
  const outs = Array.from({ length: count }, () => backend.makeOutput(outShape, value.dtype));
  const outer = product(value.shape.slice(0, axis));
  const inner = product(value.shape.slice(axis + 1));
  if (outer * inner === 0) return outs;
  const source = heapView(backend, value);
  const shape3 = [outer, count, inner];
  outs.forEach((out, i) => copyRegion(source, shape3, [0, i, 0], [outer, 1, inner], heapView(backend, out)));
  return outs;
}

/** PadV2: x, attrs paddings [[before, after], …] and constantValue -> the padded tensor. */
export function padWasm(params: WasmKernelParams, fallback: WasmKernelFallback): tf.TensorInfo {
  const { inputs, backend, attrs } = params;
  const x = inputs.x as tf.TensorInfo;
  if (x.dtype === 'string' || x.dtype === 'complex64') return single(fallback(params));
  const { paddings, constantValue } = attrs as unknown as tf.PadV2Attrs;
  const outShape = x.shape.map((size, i) => paddings[i][0] + size + paddings[i][1]);
  const out = backend.makeOutput(outShape, x.dtype);
  if (product(outShape) === 0) return out;
  const target = heapView(backend, out);
  target.fill(constantValue);
  if (product(x.shape) > 0) {
    placeRegion(heapView(backend, x), target, outShape, paddings.map((p) => p[0]), x.shape);
  }
  return out;
}

/**
 * A transpose in its simplest equivalent form: size-1 axes dropped and input axes that stay adjacent and in
 * order merged. `shape` is the merged input shape, `perm` the permutation of the merged axes.
 */
export function simplifyTranspose(shape: readonly number[], perm: readonly number[]): { shape: number[]; perm: number[] } {
  const kept = shape.map((_, i) => i).filter((i) => shape[i] !== 1);
  const renumber = new Map(kept.map((axis, i) => [axis, i]));
  const keptPerm = perm.filter((p) => shape[p] !== 1).map((p) => renumber.get(p) as number);
  // Groups of reduced input axes, in output order; a group continues while the next output axis is the
  // next input axis.
  const groups: number[][] = [];
  for (const axis of keptPerm) {
    const last = groups[groups.length - 1];
    if (last !== undefined && last[last.length - 1] + 1 === axis) last.push(axis);
    else groups.push([axis]);
  }
  const byInputOrder = groups.map((g, i) => ({ first: g[0], i, size: product(g.map((a) => shape[kept[a]])) }));
  byInputOrder.sort((a, b) => a.first - b.first);
  const mergedAxisOfGroup = new Array<number>(groups.length);
  byInputOrder.forEach((g, mergedAxis) => (mergedAxisOfGroup[g.i] = mergedAxis));
  return { shape: byInputOrder.map((g) => g.size), perm: groups.map((_, i) => mergedAxisOfGroup[i]) };
}

/** Transpose: x, attr perm -> x with its axes permuted. */
export function transposeWasm(params: WasmKernelParams, fallback: WasmKernelFallback): tf.TensorInfo {
  const { inputs, backend, attrs } = params;
  const x = inputs.x as tf.TensorInfo;
  if (x.dtype === 'string' || x.dtype === 'complex64') return single(fallback(params));
  const perm = (attrs as unknown as tf.TransposeAttrs).perm;
  const outShape = perm.map((p) => x.shape[p]);
  const simple = simplifyTranspose(x.shape, perm);
  const rank = simple.shape.length;
  const last = rank - 1;
  if (rank >= 2 && simple.perm[last] !== last) {
    // The innermost axis moves: wasm's own kernel, on the merged (lower-rank) view of the same data.
    const view: tf.TensorInfo = { dataId: x.dataId, shape: simple.shape, dtype: x.dtype };
    const result = single(fallback({ inputs: { x: view }, backend, attrs: { perm: simple.perm } }));
    result.shape = outShape;
    return result;
  }
  const out = backend.makeOutput(outShape, x.dtype);
  const total = product(outShape);
  if (total === 0) return out;
  const source = heapView(backend, x);
  const target = heapView(backend, out);
  if (rank <= 1) {
    target.set(source.subarray(0, total));
    return out;
  }
  // Copy contiguous blocks of the last axis, visiting the output's outer axes in order.
  const block = simple.shape[last];
  const inStrides = stridesOf(simple.shape);
  const outOuterShape = simple.perm.slice(0, last).map((p) => simple.shape[p]);
  const strideOfOutAxis = simple.perm.slice(0, last).map((p) => inStrides[p]);
  const index = new Array<number>(last).fill(0);
  const blocks = total / block;
  let offset = 0;
  let out_ = 0;
  for (let n = 0; n < blocks; n++) {
    copyRun(source, offset, target, out_, block);
    out_ += block;
    for (let a = last - 1; a >= 0; a--) {
      index[a] += 1;
      offset += strideOfOutAxis[a];
      if (index[a] < outOuterShape[a]) break;
      offset -= index[a] * strideOfOutAxis[a];
      index[a] = 0;
    }
  }
  return out;
}

/**
 * Identity without a copy: the output shares the input's data (one more reference), as the cpu backend does.
 * tfjs's engine clones every tensor it saves for a gradient, and wasm's own Identity copies the data: about
 * 60 copies of clip activations per training step of the study's delta model (issue #12). Tensors are
 * immutable, so sharing is safe (variables get new data on assign, never writes in place).
 */
export function identityWasm(params: WasmKernelParams, fallback: WasmKernelFallback): tf.TensorInfo {
  const x = params.inputs.x as tf.TensorInfo;
  if (x.dtype === 'string') return single(fallback(params));
  params.backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}
