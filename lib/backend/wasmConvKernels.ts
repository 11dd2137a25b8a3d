/**
 * Gradient kernels of the 2-D convolution for the `wasm` backend.
 *
 * tfjs-backend-wasm 4.22 has no `Conv2DBackpropFilter` (so a conv net cannot train on it), and its own
 * `Conv2DBackpropInput` is a direct loop that took more than half of a training step of the reference CNN
 * (profiled with `tf.profile`: ~47 ms per call for a 16x16x32 -> 8x8x64 layer at batch 32, where the
 * forward Conv2D takes ~8 ms). Both gradients are rewritten here as one large matrix product run by the
 * wasm backend's XNNPACK `BatchMatMul` (untransposed operands: its fast path), plus a cheap re-layout
 * in JavaScript:
 *
 *  - filter gradient: dW[k, co] = sum_n col[k, n] * dy[n, co], where n = (b, oh, ow) runs over every output
 *    position and col[k, n] is the input pixel that filter tap k = (kh, kw, ci) sees at output position n
 *    (the input "dilated by the stride" seen from the output side). `col` [K, N] is built in JS.
 *  - input gradient: dcol[n, k] = sum_co dy[n, co] * W[k, co] (one GEMM with W transposed in JS, which is
 *    tiny), then each dcol[n, k] is added back to the input pixel that tap k saw at position n ("col2im").
 *
 * Both handle every padding tfjs computes (same, valid, explicit, dimRoundingMode), any stride and batch
 * size; tfjs conv2d gradients have no dilation attribute (tfjs rejects gradients of dilated conv2d), so none
 * is taken here. Only the NHWC layout is supported, as for the wasm forward Conv2D.
 *
 * The im2col and col2im loops run in our WebAssembly module on the backend's heap (wasmModule.ts); the
 * JavaScript loops remain as the fallback. `setConvBackpropProvider` plugs in another implementation
 * (a native addon): `conv2dBackpropFilterWasm` / `conv2dBackpropInputWasm` are the only dispatch points.
 *
 * Memory: the batch is processed in chunks so that the temporary `col`/`dcol` matrix stays below
 * `CHUNK_FLOATS` floats; partial filter gradients of the chunks are summed.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { allocF32, free, heapF32, matMulWasm, WasmKernelParams } from './wasmHeap';
import { wasmLoops } from './wasmModule';

/**
 * Another implementation of the conv gradients for the wasm backend (e.g. a native oneDNN addon). Each method
 * gets the kernel's parameters and returns the result tensor (allocated on the wasm backend, e.g. with
 * `backend.makeOutput`), or null to leave this call to the built-in im2col/col2im + XNNPACK path.
 */
export interface ConvBackpropProvider {
  /** Shown where the library reports which path it uses, e.g. 'oneDNN 2.6'. */
  name: string;
  /** Conv2DBackpropFilter: inputs x, dy; attrs as tfjs's; returns dW [KH, KW, CI, CO] or null. */
  backpropFilter?(params: WasmKernelParams): tf.TensorInfo | null;
  /** Conv2DBackpropInput: inputs dy, filter; attrs as tfjs's; returns dx (attrs.inputShape) or null. */
  backpropInput?(params: WasmKernelParams): tf.TensorInfo | null;
}

let provider: ConvBackpropProvider | null = null;

/**
 * Makes `next` (or, with null, the built-in path again) compute the conv gradients on wasm; the single
 * place where the conv backprop is dispatched. Returns the provider it replaced.
 */
export function setConvBackpropProvider(next: ConvBackpropProvider | null): ConvBackpropProvider | null {
  const previous = provider;
  provider = next;
  return previous;
}

/** The provider set with `setConvBackpropProvider`, or null for the built-in path. */
export function convBackpropProvider(): ConvBackpropProvider | null {
  return provider;
}

/** Largest temporary im2col matrix, in floats (16 MB). */
const CHUNK_FLOATS = 4 * 1024 * 1024;

type Shape4 = [number, number, number, number];

function requireChannelsLast(info: tf.backend_util.Conv2DInfo, kernel: string): void {
  if (info.dataFormat !== 'channelsLast') {
    throw new Error(`delta-sparsity wasm ${kernel} supports dataFormat 'NHWC' only, got '${info.dataFormat}'`);
  }
}

/** Number of batch items per chunk so that `floatsPerItem * items <= CHUNK_FLOATS` (at least 1). */
function chunkItems(batch: number, floatsPerItem: number): number {
  return Math.max(1, Math.min(batch, Math.floor(CHUNK_FLOATS / Math.max(1, floatsPerItem))));
}

/** A TensorInfo over the same data with another shape (no copy; the wasm BatchMatMul only reads it). */
function viewAs(info: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  return { dataId: info.dataId, shape, dtype: info.dtype };
}

/** Copies rows [start, start + rows) of a row-major matrix with `cols` columns into a new wasm tensor. */
function copyRows(backend: BackendWasm, source: tf.TensorInfo, start: number, rows: number, cols: number): tf.TensorInfo {
  const target = allocF32(backend, [rows, cols]);
  const from = heapF32(backend, source);
  heapF32(backend, target).set(from.subarray(start * cols, (start + rows) * cols));
  return target;
}

/** The range [first, last) of output columns `o` whose input column `o * stride + offset` lies in [0, size). */
function validRange(outSize: number, stride: number, offset: number, size: number): [number, number] {
  const first = Math.max(0, Math.ceil(-offset / stride));
  const last = Math.min(outSize, Math.floor((size - 1 - offset) / stride) + 1);
  return [first, Math.max(first, last)];
}

/** The geometry of a channels-last, undilated 2-D convolution with input `xShape` and `filterShape`. */
function convInfo(
  xShape: readonly number[],
  filterShape: readonly number[],
  attrs: Pick<tf.Conv2DBackpropFilterAttrs, 'strides' | 'pad' | 'dataFormat' | 'dimRoundingMode'>,
  kernelName: string,
): tf.backend_util.Conv2DInfo {
  const info = tf.backend_util.computeConv2DInfo(
    xShape as Shape4,
    filterShape as Shape4,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    tf.backend_util.convertConv2DDataFormat(attrs.dataFormat),
  );
  requireChannelsLast(info, kernelName);
  return info;
}

/** Conv2DBackpropFilter: inputs x [B, H, W, CI], dy [B, OH, OW, CO]; output dW [KH, KW, CI, CO]. */
export function conv2dBackpropFilterWasm(params: WasmKernelParams): tf.TensorInfo {
  return provider?.backpropFilter?.(params) ?? conv2dBackpropFilterBuiltIn(params);
}

/** Conv2DBackpropInput: inputs dy [B, OH, OW, CO], filter [KH, KW, CI, CO]; output dx = inputShape [B, H, W, CI]. */
export function conv2dBackpropInputWasm(params: WasmKernelParams): tf.TensorInfo {
  return provider?.backpropInput?.(params) ?? conv2dBackpropInputBuiltIn(params);
}

/** The built-in filter gradient: im2col (our WebAssembly loop) and one XNNPACK matrix product per chunk. */
export function conv2dBackpropFilterBuiltIn({ inputs, backend, attrs }: WasmKernelParams): tf.TensorInfo {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const info = convInfo(x.shape, filterShape, { strides, pad, dataFormat, dimRoundingMode }, 'Conv2DBackpropFilter');
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW, outChannels: CO } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: SH, strideWidth: SW } = info;
  const { top: PT, left: PL } = info.padInfo;
  const K = KH * KW * CI;
  const P = OH * OW;
  const perChunk = chunkItems(B, K * P);
  const single = perChunk >= B;

  let total: tf.TensorInfo | null = null;
  for (let b0 = 0; b0 < B; b0 += perChunk) {
    const nb = Math.min(perChunk, B - b0);
    const N = nb * P;
    const col = allocF32(backend, [K, N]); // [K, N]: row k = tap (kh, kw, ci), column n = (b, oh, ow)
    const dyChunk = single ? viewAs(dy, [N, CO]) : copyRows(backend, dy, b0 * P, N, CO); // [N, CO]
    const xv = heapF32(backend, x);
    const cv = heapF32(backend, col);
    const loops = wasmLoops(backend);
    if (loops != null) loops.im2col(xv.byteOffset, cv.byteOffset, b0, nb, H, W, CI, OH, OW, KH, KW, SH, SW, PT, PL);
    else for (let kh = 0; kh < KH; kh++) {
      for (let kw = 0; kw < KW; kw++) {
        const [owFirst, owLast] = validRange(OW, SW, kw - PL, W);
        for (let ci = 0; ci < CI; ci++) {
          let index = ((kh * KW + kw) * CI + ci) * N;
          for (let b = 0; b < nb; b++) {
            const xBatch = (b0 + b) * H * W * CI + ci;
            for (let oh = 0; oh < OH; oh++) {
              const ih = oh * SH + kh - PT;
              if (ih < 0 || ih >= H) {
                cv.fill(0, index, index + OW);
                index += OW;
                continue;
              }
              const xRow = xBatch + ih * W * CI;
              for (let ow = 0; ow < owFirst; ow++) cv[index++] = 0;
              let xIndex = xRow + (owFirst * SW + kw - PL) * CI;
              const xStep = SW * CI;
              for (let ow = owFirst; ow < owLast; ow++) {
                cv[index++] = xv[xIndex];
                xIndex += xStep;
              }
              for (let ow = owLast; ow < OW; ow++) cv[index++] = 0;
            }
          }
        }
      }
    }
    const partial = matMulWasm(backend, col, dyChunk); // [1, K, CO]
    free(backend, col);
    if (!single) free(backend, dyChunk);
    if (total == null) {
      total = partial;
    } else {
      const tv = heapF32(backend, total);
      const pv = heapF32(backend, partial);
      for (let i = 0; i < tv.length; i++) tv[i] += pv[i];
      free(backend, partial);
    }
  }
  const result = total as tf.TensorInfo;
  result.shape = [KH, KW, CI, CO];
  return result;
}

/** The built-in input gradient: one XNNPACK matrix product per chunk, then col2im (our WebAssembly loop). */
export function conv2dBackpropInputBuiltIn({ inputs, backend, attrs }: WasmKernelParams): tf.TensorInfo {
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
  const info = convInfo(inputShape, filter.shape, { strides, pad, dataFormat, dimRoundingMode }, 'Conv2DBackpropInput');
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW, outChannels: CO } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: SH, strideWidth: SW } = info;
  const { top: PT, left: PL } = info.padInfo;
  const K = KH * KW * CI;
  const P = OH * OW;

  // W as [CO, K] so that the GEMM below runs untransposed.
  const filterT = allocF32(backend, [CO, K]);
  {
    const fv = heapF32(backend, filter); // [K, CO]
    const tv = heapF32(backend, filterT);
    for (let k = 0; k < K; k++) for (let co = 0; co < CO; co++) tv[co * K + k] = fv[k * CO + co];
  }
  const dx = allocF32(backend, [B, H, W, CI]);
  heapF32(backend, dx).fill(0);

  const perChunk = chunkItems(B, K * P);
  const single = perChunk >= B;
  for (let b0 = 0; b0 < B; b0 += perChunk) {
    const nb = Math.min(perChunk, B - b0);
    const N = nb * P;
    const dyChunk = single ? viewAs(dy, [N, CO]) : copyRows(backend, dy, b0 * P, N, CO); // [N, CO]
    const dcol = matMulWasm(backend, dyChunk, filterT); // [1, N, K]
    if (!single) free(backend, dyChunk);
    const dv = heapF32(backend, dcol);
    const xv = heapF32(backend, dx);
    const loops = wasmLoops(backend);
    if (loops != null) loops.col2im(dv.byteOffset, xv.byteOffset, b0, nb, H, W, CI, OH, OW, KH, KW, SH, SW, PT, PL);
    else for (let b = 0; b < nb; b++) {
      const xBatch = (b0 + b) * H * W * CI;
      for (let oh = 0; oh < OH; oh++) {
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * SH + kh - PT;
          if (ih < 0 || ih >= H) continue;
          const xRow = xBatch + ih * W * CI;
          for (let kw = 0; kw < KW; kw++) {
            const [owFirst, owLast] = validRange(OW, SW, kw - PL, W);
            let src = ((b * OH + oh) * OW + owFirst) * K + (kh * KW + kw) * CI;
            let dst = xRow + (owFirst * SW + kw - PL) * CI;
            const dstStep = SW * CI;
            for (let ow = owFirst; ow < owLast; ow++) {
              for (let ci = 0; ci < CI; ci++) xv[dst + ci] += dv[src + ci];
              src += K;
              dst += dstStep;
            }
          }
        }
      }
    }
    free(backend, dcol);
  }
  free(backend, filterT);
  return dx;
}
