/**
 * The sparse linear updates of delta inference: one non-zero input change δ at flat input index i adds
 * δ·W (the part of the layer's weights that input feeds) into the layer's output. The sums go into a float32
 * 'pending' buffer [outputs] (four lanes per SIMD instruction) that the layer folds into its float64
 * accumulator after every frame (`LinearStage`): float32 rounding errors stay relative to one frame's
 * increments, not to the accumulated value, and the accumulator does not drift the way a float32 one would.
 *
 * - conv [kh, kw, Cin, Cout]: the input (y, x, c) feeds the outputs (oy, ox) with oy·s − padTop + ky = y for
 *   some kernel row ky (and likewise for columns), all Cout channels: a k×k×Cout stencil for an interior input
 *   at stride 1, fewer taps at stride s (only the ky with y + padTop − ky divisible by s) and at borders;
 * - depthwise [kh, kw, C, m]: the same taps, but only the m output channels of channel c;
 * - dense [Cin, units]: one weight row (the input's column of W·x), all units;
 * - global average pool: δ / (H·W) into its channel's mean.
 *
 * Inputs and outputs are row-major [H, W, C] (tfjs's NHWC frame layout), so flat index = (y·W + x)·C + c.
 * Kernels keep tfjs's layout [kh][kw][cin][cout]: the inner loop runs over Cout contiguous weights.
 * Each update also marks the output position (oy, ox) it touched, so that later stages revisit only those.
 *
 * Every buffer lives in the engine's `Arena`. Each scatter runs either the WebAssembly loops (`SparseKernels`,
 * f32x4 SIMD over the Cout contiguous weights) or the TypeScript loops below; both do the same float32
 * operations (δ rounded to float32, then fl(pending + fl(δ·w))) in the same order, so they agree bit for bit.
 * A conv with Cout a multiple of 16 first sums the changes of one input pixel per tap (s = Σ fl(δ_m·w_m), in
 * list order), then adds s: the output row is read and written once per tap instead of once per change.
 */
import { convOutputSize } from '../models/fanOut';
import type { Arena } from './arena';
import type { SparseKernels } from './sparseKernels';

/** Which kernel taps each input row (or column) feeds: taps r in start[y] .. start[y+1]−1. */
interface Taps {
  start: Int32Array;
  /** Kernel offset (ky or kx) of each tap. */
  kernel: Int32Array;
  /** Output row (oy) or column (ox) of each tap. */
  output: Int32Array;
}

/** Geometry of a 2-D window layer on one axis, as tfjs computes it (dilation 1). */
export interface AxisGeometry {
  input: number;
  output: number;
  kernel: number;
  stride: number;
  /** Zero rows added before the input: floor(total padding / 2) for 'same' (tfjs puts the odd one after). */
  padBefore: number;
}

/** Output size and padding of a conv along one axis, following tfjs: 'same' pads max((out−1)·s + k − in, 0) in total. */
export function axisGeometry(input: number, kernel: number, stride: number, padding: string): AxisGeometry {
  const output = convOutputSize(input, kernel, stride, padding);
  const total = padding === 'same' ? Math.max((output - 1) * stride + kernel - input, 0) : 0;
  return { input, output, kernel, stride, padBefore: Math.floor(total / 2) };
}

function tapsOf(axis: AxisGeometry, arena: Arena): Taps {
  const start = new Int32Array(axis.input + 1);
  const kernel: number[] = [];
  const output: number[] = [];
  for (let y = 0; y < axis.input; y++) {
    start[y] = kernel.length;
    for (let k = 0; k < axis.kernel; k++) {
      const t = y + axis.padBefore - k;
      if (t < 0 || t % axis.stride !== 0) continue;
      const o = t / axis.stride;
      if (o >= axis.output) continue;
      kernel.push(k);
      output.push(o);
    }
  }
  start[axis.input] = kernel.length;
  const taps: Taps = { start, kernel: Int32Array.from(kernel), output: Int32Array.from(output) };
  arena.copy('i32', taps.start, (view) => (taps.start = view));
  arena.copy('i32', taps.kernel, (view) => (taps.kernel = view));
  arena.copy('i32', taps.output, (view) => (taps.output = view));
  return taps;
}

/** The set of output positions touched in the current frame (each listed once). */
export class TouchedPositions {
  list!: Int32Array;
  count = 0;
  private marked!: Uint8Array;
  /** The count as the wasm loops read and write it. */
  private cell!: Int32Array;
  constructor(
    readonly positions: number,
    arena: Arena,
  ) {
    arena.reserve('i32', positions, (view) => (this.list = view));
    arena.reserve('u8', positions, (view) => (this.marked = view));
    arena.reserve('i32', 1, (view) => (this.cell = view));
  }
  clear(): void {
    const { list, marked } = this;
    for (let k = 0; k < this.count; k++) marked[list[k]] = 0;
    this.count = 0;
  }
  /** Marks every position (a whole frame recomputed). */
  all(): void {
    this.clear();
    for (let p = 0; p < this.positions; p++) this.list[p] = p;
    this.count = this.positions;
    this.marked.fill(1);
  }
  mark(p: number): void {
    if (this.marked[p] === 0) {
      this.marked[p] = 1;
      this.list[this.count++] = p;
    }
  }
  /** Hands the set to a wasm loop: its marks, list and count pointers (byte offsets). */
  lend(): [marks: number, list: number, countPtr: number] {
    this.cell[0] = this.count;
    return [this.marked.byteOffset, this.list.byteOffset, this.cell.byteOffset];
  }
  /** Takes the set back after the wasm loop (which may have added positions). */
  settle(): void {
    this.count = this.cell[0];
  }
}

/** Adds δ·W for sparse input changes into a float32 pending sum [outputs]; counts the multiply-accumulates done. */
export interface SparseLinear {
  /** Input values per frame (n). */
  readonly inputSize: number;
  /** Output positions (H·W, or 1 for a vector) and channels per position. */
  readonly outputPositions: number;
  readonly outputChannels: number;
  /**
   * Adds δ_j·W[:, index_j] into `pending` for j < count, marking touched output positions.
   * @returns multiply-accumulates performed (stencil entries inside the output)
   */
  scatter(indices: Int32Array, deltas: Float64Array, count: number, pending: Float32Array, touched: TouchedPositions): number;
}

/** Conv (multiplier = 0) or depthwise conv (multiplier ≥ 1) stencils. */
export class ConvScatter implements SparseLinear {
  readonly inputSize: number;
  readonly outputPositions: number;
  readonly outputChannels: number;
  private readonly rows: Taps;
  private readonly cols: Taps;
  private kernel!: Float32Array;
  /** (y << 20) | (x << 10) | c of each input index, for the wasm loop (integer division is slow there). */
  private decode: Int32Array = new Int32Array(0);
  private readonly kernels: SparseKernels | null;
  /** A conv with Cout a multiple of 16 sums the changes of one input pixel per tap first (`scatterGrouped`). */
  private readonly grouped: boolean;
  /** Per-group scratch: the wasm loop's splatted δ and row offsets; the TypeScript loop's channels and δ. */
  private scratch: Uint8Array = new Uint8Array(0);
  private readonly memberChannels: Int32Array;
  private readonly memberDeltas: Float64Array;
  private readonly sums: Float32Array;
  /**
   * @param kernel conv [kh, kw, Cin, Cout] or depthwise [kh, kw, C, multiplier], row-major (copied into `arena`)
   * @param depthwise true for a depthwise conv (`outChannels` = C·multiplier)
   * @param kernels the WebAssembly loops on `arena`'s memory, or null for the TypeScript loops
   */
  constructor(
    readonly height: AxisGeometry,
    readonly width: AxisGeometry,
    readonly inChannels: number,
    readonly outChannels: number,
    kernel: Float32Array,
    readonly depthwise: boolean,
    arena: Arena,
    kernels: SparseKernels | null = null,
  ) {
    // The decode table packs c, x, y in 10, 10 and 12 bits; larger layers keep the TypeScript loop.
    this.kernels = inChannels <= 1024 && width.input <= 1024 && height.input <= 4096 ? kernels : null;
    if (this.kernels != null) {
      const decode = new Int32Array(height.input * width.input * inChannels);
      for (let i = 0; i < decode.length; i++) {
        const c = i % inChannels;
        const pixel = (i - c) / inChannels;
        const x = pixel % width.input;
        decode[i] = (((pixel - x) / width.input) << 20) | (x << 10) | c;
      }
      arena.copy('i32', decode, (view) => (this.decode = view));
    }
    this.grouped = !depthwise && outChannels % 16 === 0;
    if (this.grouped && this.kernels != null) arena.reserve('u8', inChannels * 20, (view) => (this.scratch = view));
    this.memberChannels = new Int32Array(this.grouped ? inChannels : 0);
    this.memberDeltas = new Float64Array(this.grouped ? inChannels : 0);
    this.sums = new Float32Array(this.grouped ? outChannels : 0);
    this.rows = tapsOf(height, arena);
    this.cols = tapsOf(width, arena);
    arena.copy('f32', kernel, (view) => (this.kernel = view));
    this.inputSize = height.input * width.input * inChannels;
    this.outputPositions = height.output * width.output;
    this.outputChannels = outChannels;
  }

  scatter(indices: Int32Array, deltas: Float64Array, count: number, pending: Float32Array, touched: TouchedPositions): number {
    if (this.kernels != null && this.grouped) {
      const { rows, cols, inChannels: cin, outChannels: cout } = this;
      const [marks, list, countPtr] = touched.lend();
      const macs = this.kernels.convScatterGrouped(
        indices.byteOffset, deltas.byteOffset, count, pending.byteOffset, this.kernel.byteOffset,
        rows.start.byteOffset, rows.kernel.byteOffset, rows.output.byteOffset, cols.start.byteOffset, cols.kernel.byteOffset, cols.output.byteOffset,
        cin, cout, this.decode.byteOffset, this.width.output, this.width.kernel, marks, list, countPtr, this.scratch.byteOffset,
      );
      touched.settle();
      return macs;
    }
    if (this.grouped) return this.scatterGrouped(indices, deltas, count, pending, touched);
    if (this.kernels != null) {
      const { rows, cols, depthwise, inChannels: cin, outChannels: cout } = this;
      const span = depthwise ? (cout / cin) | 0 : cout;
      const [marks, list, countPtr] = touched.lend();
      const macs = this.kernels.convScatter(
        indices.byteOffset, deltas.byteOffset, count, pending.byteOffset, this.kernel.byteOffset,
        rows.start.byteOffset, rows.kernel.byteOffset, rows.output.byteOffset, cols.start.byteOffset, cols.kernel.byteOffset, cols.output.byteOffset,
        cin, span, cout, this.decode.byteOffset, this.width.output, this.width.kernel, depthwise ? 1 : 0, marks, list, countPtr,
      );
      touched.settle();
      return macs;
    }
    const cin = this.inChannels;
    const cout = this.outChannels;
    const inWidth = this.width.input;
    const outWidth = this.width.output;
    const kw = this.width.kernel;
    const kernel = this.kernel;
    const { start: rowStart, kernel: rowK, output: rowOut } = this.rows;
    const { start: colStart, kernel: colK, output: colOut } = this.cols;
    // Depthwise: channel c feeds only its own `span` outputs; a conv feeds all Cout.
    const depthwise = this.depthwise;
    const span = depthwise ? (cout / cin) | 0 : cout;
    let macs = 0;
    for (let j = 0; j < count; j++) {
      const index = indices[j];
      const delta = Math.fround(deltas[j]);
      const c = index % cin;
      // `| 0` keeps the quotients in int32 registers (they are exact integers).
      const pixel = ((index - c) / cin) | 0;
      const x = pixel % inWidth;
      const y = ((pixel - x) / inWidth) | 0;
      const outOffset = depthwise ? c * span : 0;
      for (let r = rowStart[y], rEnd = rowStart[y + 1]; r < rEnd; r++) {
        const ky = rowK[r];
        const rowBase = rowOut[r] * outWidth;
        for (let t = colStart[x], tEnd = colStart[x + 1]; t < tEnd; t++) {
          const position = rowBase + colOut[t];
          const w = ((ky * kw + colK[t]) * cin + c) * span;
          const o = position * cout + outOffset;
          // fround(δ·w) is the float32 product (exact in float64, then rounded once); the Float32Array store
          // rounds the sum once, as a float32 add does.
          for (let k = 0; k < span; k++) pending[o + k] += Math.fround(delta * kernel[w + k]);
          touched.mark(position);
          macs += span;
        }
      }
    }
    return macs;
  }

  /**
   * The TypeScript twin of the wasm `convScatterGrouped`: the changes of one input pixel (listed one after the
   * other) are summed per tap and output, s = Σ_m fl(δ_m·w_m) in list order in float32, then pending += s.
   */
  private scatterGrouped(indices: Int32Array, deltas: Float64Array, count: number, pending: Float32Array, touched: TouchedPositions): number {
    const { inChannels: cin, outChannels: cout, kernel, memberChannels, memberDeltas, sums } = this;
    const inWidth = this.width.input;
    const outWidth = this.width.output;
    const kw = this.width.kernel;
    const { start: rowStart, kernel: rowK, output: rowOut } = this.rows;
    const { start: colStart, kernel: colK, output: colOut } = this.cols;
    let macs = 0;
    let j = 0;
    while (j < count) {
      const pixel = (indices[j] / cin) | 0;
      let n = 0;
      for (; j < count && ((indices[j] / cin) | 0) === pixel; j++, n++) {
        memberChannels[n] = indices[j] - pixel * cin;
        memberDeltas[n] = Math.fround(deltas[j]);
      }
      const x = pixel % inWidth;
      const y = ((pixel - x) / inWidth) | 0;
      for (let r = rowStart[y], rEnd = rowStart[y + 1]; r < rEnd; r++) {
        const rowBase = rowOut[r] * outWidth;
        for (let t = colStart[x], tEnd = colStart[x + 1]; t < tEnd; t++) {
          const position = rowBase + colOut[t];
          const tap = (rowK[r] * kw + colK[t]) * cin * cout;
          const o = position * cout;
          // sums[k] = Σ_m fl(δ_m·w) in member order, each add rounded by the float32 store (as f32x4.add).
          sums.fill(0);
          for (let m = 0; m < n; m++) {
            const delta = memberDeltas[m];
            const w = tap + memberChannels[m] * cout;
            for (let k = 0; k < cout; k++) sums[k] += Math.fround(delta * kernel[w + k]);
          }
          for (let k = 0; k < cout; k++) pending[o + k] += sums[k];
          touched.mark(position);
          macs += n * cout;
        }
      }
    }
    return macs;
  }
}

/** Dense layer on the last axis: input (p, c) adds δ·W[c, :] into output position p. */
export class DenseScatter implements SparseLinear {
  readonly outputChannels: number;
  private kernel!: Float32Array;
  constructor(
    readonly inputSize: number,
    readonly inChannels: number,
    readonly outputPositions: number,
    kernel: Float32Array, // [Cin, units], copied into `arena`
    units: number,
    arena: Arena,
    private readonly kernels: SparseKernels | null = null,
  ) {
    this.outputChannels = units;
    arena.copy('f32', kernel, (view) => (this.kernel = view));
  }
  scatter(indices: Int32Array, deltas: Float64Array, count: number, pending: Float32Array, touched: TouchedPositions): number {
    if (this.kernels != null) {
      const [marks, list, countPtr] = touched.lend();
      this.kernels.denseScatter(indices.byteOffset, deltas.byteOffset, count, pending.byteOffset, this.kernel.byteOffset, this.inChannels, this.outputChannels, marks, list, countPtr);
      touched.settle();
      return count * this.outputChannels;
    }
    const cin = this.inChannels;
    const units = this.outputChannels;
    const kernel = this.kernel;
    for (let j = 0; j < count; j++) {
      const index = indices[j];
      const delta = Math.fround(deltas[j]);
      const c = index % cin;
      const position = (index - c) / cin;
      const w = c * units;
      const o = position * units;
      for (let k = 0; k < units; k++) pending[o + k] += Math.fround(delta * kernel[w + k]);
      touched.mark(position);
    }
    return count * units;
  }
}

/** Global average pool [H, W, C] → [C]: δ / (H·W) into the channel's mean (additions, no multiplications counted; float32 1/(H·W)). */
export class PoolScatter implements SparseLinear {
  readonly outputPositions = 1;
  readonly outputChannels: number;
  private readonly scale: number;
  constructor(
    readonly inputSize: number,
    channels: number,
    private readonly kernels: SparseKernels | null = null,
  ) {
    this.outputChannels = channels;
    this.scale = Math.fround(channels / inputSize);
  }
  scatter(indices: Int32Array, deltas: Float64Array, count: number, pending: Float32Array, touched: TouchedPositions): number {
    if (this.kernels != null) {
      const [marks, list, countPtr] = touched.lend();
      this.kernels.poolScatter(indices.byteOffset, deltas.byteOffset, count, pending.byteOffset, this.outputChannels, this.scale, marks, list, countPtr);
      touched.settle();
      return 0;
    }
    const channels = this.outputChannels;
    for (let j = 0; j < count; j++) pending[indices[j] % channels] += Math.fround(Math.fround(deltas[j]) * this.scale);
    if (count > 0) touched.mark(0);
    return 0;
  }
}
