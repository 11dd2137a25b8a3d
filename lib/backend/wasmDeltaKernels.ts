/**
 * Fused kernels of the Delta Activation Layer for the `wasm` backend (issue #12): each is one pass over the
 * wasm heap instead of a chain of broadcast ops, and tfjs's tape sees one op instead of six to ten.
 *
 * - `DeltaSparsityQuantize` (x, q) → y = q · round(relu(x) / q)            (relu only with `rectify`)
 * - `DeltaSparsityQuantizeGrad` (dy, x, q) → [dx, dq]: straight-through rounding, so dx = dy where the relu
 *   passes (x > 0; everywhere without `rectify`), and dq = ±Σ dy · round(relu(x) / q) over the positions that
 *   share a threshold (− with `thresholdGrowsWithPenalty`).
 * - `DeltaSparsityTemporalL1` (y) → mean |Δ| over the T−1 differences Δ_t = y_t − y_(t−1) of each clip.
 * - `DeltaSparsityTemporalL1Grad` (dy, y) → dY = dy / n · (sign Δ_t − sign Δ_(t+1)), with sign(0) = 0
 *   (TensorFlow's convention: a value that does not change gets no push, see issue #10).
 *
 * q [..thresholds] is broadcast over x's leading axes: its shape, leading 1s dropped, must equal x's trailing
 * axes (the layer's per-channel [C], per-neuron [H, W, C] or per-layer [1] steps). The callers
 * (`lib/layers/fusedDelta.ts`) check that and use the pure-tfjs path otherwise, and on other backends.
 *
 * Arithmetic: every float32 operation of the composite path is reproduced in float32 (Math.fround), and
 * rounding is half-to-even like tfjs's `round`; the forward values are therefore bit-identical. dx skips
 * the composite's (dy · q) / q (exact here, ±1 ulp there); sums (dq, the mean) accumulate in float64.
 *
 * The loops run in our WebAssembly module on the backend's heap (wasmModule.ts, kernels.wat), with the
 * same arithmetic; the JavaScript loops below remain for builds whose memory is not exported.
 */
import * as tf from '@tensorflow/tfjs';
import { allocF32, free, heapF32, type WasmKernelParams } from './wasmHeap';
import { wasmLoops } from './wasmModule';

export const QUANTIZE_KERNEL = 'DeltaSparsityQuantize';
export const QUANTIZE_GRAD_KERNEL = 'DeltaSparsityQuantizeGrad';
export const TEMPORAL_L1_KERNEL = 'DeltaSparsityTemporalL1';
export const TEMPORAL_L1_GRAD_KERNEL = 'DeltaSparsityTemporalL1Grad';

/** Attributes of the quantize kernels. */
export interface QuantizeKernelAttrs {
  rectify: boolean;
  thresholdGrowsWithPenalty: boolean;
}

/** round half to even, as tfjs's Round kernels (cpu and wasm) do (Math.round rounds halves up). */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Whether thresholds of shape `qShape` broadcast over `xShape` as the fused kernels assume: q's shape without
 * leading 1s equals x's trailing axes (so threshold j serves every position i with i mod q.size = j).
 */
export function stepsBroadcastAsSuffix(xShape: readonly number[], qShape: readonly number[]): boolean {
  let first = 0;
  while (first < qShape.length && qShape[first] === 1) first++;
  const core = qShape.slice(first);
  if (core.length > xShape.length) return false;
  const tail = xShape.slice(xShape.length - core.length);
  return core.every((size, i) => size === tail[i]);
}

function attrsOf(attrs: tf.NamedAttrMap): QuantizeKernelAttrs {
  return { rectify: attrs.rectify !== false, thresholdGrowsWithPenalty: attrs.thresholdGrowsWithPenalty !== false };
}

/** DeltaSparsityQuantize: inputs x [..., ...thresholds], q [...thresholds] → y (x's shape). */
export function quantizeWasm({ inputs, backend, attrs }: WasmKernelParams): tf.TensorInfo {
  const { x, q } = inputs as { x: tf.TensorInfo; q: tf.TensorInfo };
  const { rectify } = attrsOf(attrs);
  const y = allocF32(backend, [...x.shape]);
  const xv = heapF32(backend, x);
  const qv = heapF32(backend, q);
  const yv = heapF32(backend, y);
  const m = qv.length;
  const loops = wasmLoops(backend);
  if (loops != null) {
    loops.quantize(xv.byteOffset, qv.byteOffset, yv.byteOffset, xv.length, m, rectify ? 1 : 0);
    return y;
  }
  for (let base = 0; base < xv.length; base += m) {
    for (let j = 0; j < m; j++) {
      let v = xv[base + j];
      if (rectify && v < 0) v = 0;
      const step = qv[j];
      yv[base + j] = roundHalfEven(Math.fround(v / step)) * step;
    }
  }
  return y;
}

/** DeltaSparsityQuantizeGrad: inputs dy, x (same shape), q [...thresholds] → [dx (x's shape), dq (q's shape)]. */
export function quantizeGradWasm({ inputs, backend, attrs }: WasmKernelParams): tf.TensorInfo[] {
  const { dy, x, q } = inputs as { dy: tf.TensorInfo; x: tf.TensorInfo; q: tf.TensorInfo };
  const { rectify, thresholdGrowsWithPenalty } = attrsOf(attrs);
  const dx = allocF32(backend, [...x.shape]);
  const dq = allocF32(backend, [...q.shape]);
  const loops = wasmLoops(backend);
  if (loops != null) {
    const m = tf.util.sizeFromShape(q.shape);
    const scratch = allocF32(backend, [2 * m + 2]); // m float64 sums, 8-byte aligned inside
    const scratchView = heapF32(backend, scratch);
    scratchView.fill(0);
    const sumsOffset = scratchView.byteOffset + (scratchView.byteOffset % 8);
    const xv = heapF32(backend, x);
    loops.quantizeGrad(
      heapF32(backend, dy).byteOffset,
      xv.byteOffset,
      heapF32(backend, q).byteOffset,
      heapF32(backend, dx).byteOffset,
      sumsOffset,
      xv.length,
      m,
      rectify ? 1 : 0,
    );
    const sums = new Float64Array(scratchView.buffer, sumsOffset, m);
    const dqv = heapF32(backend, dq);
    const sign = thresholdGrowsWithPenalty ? -1 : 1;
    for (let j = 0; j < m; j++) dqv[j] = sign * sums[j];
    free(backend, scratch);
    return [dx, dq];
  }
  const dyv = heapF32(backend, dy);
  const xv = heapF32(backend, x);
  const qv = heapF32(backend, q);
  const dxv = heapF32(backend, dx);
  const m = qv.length;
  const sums = new Float64Array(m);
  for (let base = 0; base < xv.length; base += m) {
    for (let j = 0; j < m; j++) {
      const i = base + j;
      let v = xv[i];
      const g = dyv[i];
      if (rectify && !(v > 0)) {
        // relu's gradient is 0 at x <= 0 (tfjs: step(x)); the level there is 0 too.
        dxv[i] = 0;
        if (v < 0) v = 0;
      } else {
        dxv[i] = g;
      }
      sums[j] += g * roundHalfEven(Math.fround(v / qv[j]));
    }
  }
  const dqv = heapF32(backend, dq);
  const sign = thresholdGrowsWithPenalty ? -1 : 1;
  for (let j = 0; j < m; j++) dqv[j] = sign * sums[j];
  return [dx, dq];
}

/** [clips, frames, values per frame] of a clip tensor [B, T, ...features]. */
function clipLayout(shape: readonly number[]): [number, number, number] {
  const features = shape.slice(2).reduce((a, b) => a * b, 1);
  return [shape[0], shape[1], features];
}

/** DeltaSparsityTemporalL1: input y [B, T, ...features] with T >= 2 → scalar mean |y_t − y_(t−1)|. */
export function temporalL1Wasm({ inputs, backend }: WasmKernelParams): tf.TensorInfo {
  const { y } = inputs as { y: tf.TensorInfo };
  const [B, T, F] = clipLayout(y.shape);
  const out = allocF32(backend, []);
  const yv = heapF32(backend, y);
  const loops = wasmLoops(backend);
  let sum = 0;
  if (loops != null) sum = loops.temporalL1(yv.byteOffset, B, T, F);
  else for (let b = 0; b < B; b++) {
    for (let t = 1; t < T; t++) {
      const later = (b * T + t) * F;
      const earlier = later - F;
      for (let f = 0; f < F; f++) sum += Math.abs(Math.fround(yv[later + f] - yv[earlier + f]));
    }
  }
  const count = B * (T - 1) * F;
  heapF32(backend, out)[0] = count > 0 ? sum / count : 0;
  return out;
}

/** DeltaSparsityTemporalL1Grad: inputs dy (scalar), y [B, T, ...features] → dY (y's shape). */
export function temporalL1GradWasm({ inputs, backend }: WasmKernelParams): tf.TensorInfo {
  const { dy, y } = inputs as { dy: tf.TensorInfo; y: tf.TensorInfo };
  const [B, T, F] = clipLayout(y.shape);
  const dY = allocF32(backend, [...y.shape]);
  const count = B * (T - 1) * F;
  const g = count > 0 ? Math.fround(heapF32(backend, dy)[0] / count) : 0;
  const yv = heapF32(backend, y);
  const out = heapF32(backend, dY);
  const loops = wasmLoops(backend);
  if (loops != null) {
    loops.temporalL1Grad(yv.byteOffset, out.byteOffset, B, T, F, g);
    return dY;
  }
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const here = (b * T + t) * F;
      for (let f = 0; f < F; f++) {
        const value = yv[here + f];
        // +sign(Δ_t) for the difference this frame ends, −sign(Δ_(t+1)) for the one it starts.
        const ends = t > 0 ? Math.sign(value - yv[here - F + f]) : 0;
        const starts = t < T - 1 ? Math.sign(yv[here + F + f] - value) : 0;
        out[here + f] = g * (ends - starts);
      }
    }
  }
  return dY;
}
