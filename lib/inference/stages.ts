/**
 * The per-frame stages of the sparse engine (see engine.ts): a delta layer's quantise-and-compare, a linear
 * layer's accumulator, and element-wise maps. Each stage's buffers live in the engine's `Arena`; each stage runs
 * the WebAssembly loops (`SparseKernels`) when given them, else its TypeScript loops, with identical results.
 */
import type { LinearKind } from '../models/chain';
import type { StreamingLayerStats } from './streaming';
import type { Arena } from './arena';
import { SparseLinear, TouchedPositions } from './scatter';
import type { SparseKernels } from './sparseKernels';

/**
 * Operation counts of one linear layer since the last reset: those of the exact reference, and more. `macs`
 * counts the multiply-accumulates the engine's loops executed (stencil taps inside the output: border inputs
 * feed fewer, padding none), which is how `measureSparsity` and `createStreamingModel` count them.
 */
export interface SparseLayerStats extends StreamingLayerStats {
  /** Multiplications per input on average (`fanOutOf`, the engine's `fanOutConvention`); not used in `macs`. */
  fanOut: number;
  /** Σ nnz(input) over all frames. */
  nonZeroInputs: number;
  /** nnz(input) of the first frame since the last reset (sent whole behind a delta layer). */
  firstFrameNonZeroInputs: number;
}

/** Whole values after a layer; the positions listed (position·channels + c) may have changed this frame. */
export interface Values {
  kind: 'values';
  values: Float64Array;
  touched: TouchedPositions;
  channels: number;
}
/** Sparse changes sent by a delta layer: (indices[j], deltas[j]) for j < count. */
export interface Changes {
  kind: 'changes';
  indices: Int32Array;
  deltas: Float64Array;
  count: number;
  size: number;
}
export type Signal = Values | Changes;

export interface Stage {
  run(input: Signal): Signal;
  reset(): void;
}

/** round() with ties to even, as tf.round (banker's rounding). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x); // ties towards +∞
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * round(x / q) exactly as tfjs's quantize computes it (cpu and wasm backends, see lib/backend/wasmDeltaKernels.ts):
 * x rounded to float32, divided in float32, rounded half to even. Multiplying by a float64 1/q instead moves
 * quotients that float32 rounds onto k + ½ off the tie, which then round the other way.
 * @param q a float32 value (the layer's threshold), > 0
 */
export function quantizationLevel(x: number, q: number): number {
  return roundHalfEven(Math.fround(Math.fround(x) / q));
}

/** A change list of `n` entries in the arena. */
function changesIn(arena: Arena, n: number): Changes {
  const changes: Changes = { kind: 'changes', indices: new Int32Array(0), deltas: new Float64Array(0), count: 0, size: n };
  arena.reserve('i32', n, (view) => (changes.indices = view));
  arena.reserve('f64', n, (view) => (changes.deltas = view));
  return changes;
}

/**
 * A delta layer: level = round(relu(x) · (1/q)) with the reciprocal precomputed (a multiplication is several
 * times cheaper than a division; the two differ only within one float64 ulp of a tie), compared with the level
 * last sent; the changes (level − sent)·q go out as a sparse list.
 */
export class DeltaStage implements Stage {
  private thresholds!: Float64Array; // q per unit [n]
  private sent!: Float64Array; // levels last sent [n]
  private readonly output: Changes;
  constructor(
    thresholds: Float64Array,
    private readonly rectify: boolean,
    arena: Arena,
    private readonly kernels: SparseKernels | null,
  ) {
    const n = thresholds.length;
    arena.copy('f64', thresholds, (view) => (this.thresholds = view));
    arena.reserve('f64', n, (view) => (this.sent = view));
    this.output = changesIn(arena, n);
  }
  run(input: Signal): Signal {
    const { values, touched, channels } = input as Values;
    const { thresholds, sent, rectify } = this;
    const { indices, deltas } = this.output;
    if (this.kernels != null) {
      this.output.count = this.kernels.deltaPass(
        values.byteOffset, touched.list.byteOffset, touched.count, channels, thresholds.byteOffset, sent.byteOffset, rectify ? 1 : 0,
        indices.byteOffset, deltas.byteOffset,
      );
      return this.output;
    }
    const list = touched.list;
    let count = 0;
    for (let k = 0; k < touched.count; k++) {
      const base = list[k] * channels;
      for (let c = 0; c < channels; c++) {
        const i = base + c;
        let v = values[i];
        if (rectify && v < 0) v = 0;
        const q = thresholds[i];
        const level = quantizationLevel(v, q);
        const previous = sent[i];
        if (level !== previous) {
          indices[count] = i;
          deltas[count] = (level - previous) * q;
          sent[i] = level;
          count++;
        }
      }
    }
    this.output.count = count;
    return this.output;
  }
  reset(): void {
    this.sent.fill(0);
    this.output.count = 0;
  }
}

/**
 * A linear layer's output: a float64 accumulator (initialised with the bias) and a float32 pending sum of the
 * current frame's increments (the scatter's SIMD target), folded into the accumulator on the touched positions.
 */
export class LinearStage implements Stage {
  private accumulator!: Float64Array;
  private pending!: Float32Array;
  private bias: Float32Array | null = null; // per output channel
  private readonly touched: TouchedPositions;
  private readonly output: Values;
  private readonly all: Changes;
  private started = false;
  private frames = 0;
  private nonZeroInputs = 0;
  private firstFrameNonZeroInputs = 0;
  private macs = 0;
  constructor(
    private readonly scatter: SparseLinear,
    bias: Float32Array | null,
    readonly info: { name: string; kind: LinearKind | 'pool'; fanOut: number; denseMacsPerFrame: number; deltaInput: boolean },
    arena: Arena,
    private readonly kernels: SparseKernels | null,
  ) {
    arena.reserve('f64', scatter.outputPositions * scatter.outputChannels, (view) => (this.accumulator = view));
    arena.reserve('f32', scatter.outputPositions * scatter.outputChannels, (view) => (this.pending = view));
    if (bias != null) arena.copy('f32', bias, (view) => (this.bias = view));
    this.touched = new TouchedPositions(scatter.outputPositions, arena);
    this.output = { kind: 'values', values: new Float64Array(0), touched: this.touched, channels: scatter.outputChannels };
    arena.onFinish(() => {
      this.output.values = this.accumulator;
      this.resetAccumulator();
    });
    this.all = changesIn(arena, scatter.inputSize);
  }
  private resetAccumulator(): void {
    const { bias, accumulator } = this;
    if (bias == null) accumulator.fill(0);
    else for (let i = 0; i < accumulator.length; i++) accumulator[i] = bias[i % bias.length];
  }
  /** The non-zero entries of whole values, as changes against a zero input. */
  private nonZeros(input: Values): Changes {
    const { values } = input;
    const { indices, deltas } = this.all;
    if (this.kernels != null) {
      this.all.count = this.kernels.nonZeros(values.byteOffset, values.length, indices.byteOffset, deltas.byteOffset);
      return this.all;
    }
    let count = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v !== 0) {
        indices[count] = i;
        deltas[count++] = v;
      }
    }
    this.all.count = count;
    return this.all;
  }
  run(input: Signal): Signal {
    let changes: Changes;
    this.touched.clear();
    if (input.kind === 'changes') {
      changes = input;
    } else {
      // Whole values (no delta layer in front): recompute from the bias, skipping zeros.
      this.resetAccumulator();
      changes = this.nonZeros(input);
      this.touched.all();
    }
    if (!this.started) {
      // The first frame: every output is new, whatever the input touched.
      this.touched.all();
      this.firstFrameNonZeroInputs = changes.count;
      this.started = true;
    }
    this.macs += this.scatter.scatter(changes.indices, changes.deltas, changes.count, this.pending, this.touched);
    this.flush();
    this.nonZeroInputs += changes.count;
    this.frames += 1;
    return this.output;
  }
  /** accumulator += pending, pending = 0 on the touched positions. */
  private flush(): void {
    const { accumulator, pending, touched } = this;
    const channels = this.scatter.outputChannels;
    if (this.kernels != null) {
      this.kernels.flush(accumulator.byteOffset, pending.byteOffset, touched.list.byteOffset, touched.count, channels);
      return;
    }
    const list = touched.list;
    for (let k = 0; k < touched.count; k++) {
      for (let i = list[k] * channels, end = i + channels; i < end; i++) {
        accumulator[i] += pending[i];
        pending[i] = 0;
      }
    }
  }
  reset(): void {
    this.resetAccumulator();
    this.pending.fill(0);
    this.touched.clear();
    this.started = false;
    this.frames = 0;
    this.nonZeroInputs = 0;
    this.firstFrameNonZeroInputs = 0;
    this.macs = 0;
  }
  stats(): SparseLayerStats | null {
    const { name, kind, fanOut, denseMacsPerFrame, deltaInput } = this.info;
    if (kind === 'pool') return null;
    return {
      name,
      kind,
      deltaInput,
      frames: this.frames,
      macs: this.macs,
      denseMacs: this.frames * denseMacsPerFrame,
      fanOut,
      nonZeroInputs: this.nonZeroInputs,
      firstFrameNonZeroInputs: this.firstFrameNonZeroInputs,
    };
  }
}

/** An element-wise map: relu, relu6, or a per-channel affine map (an unfolded batch norm). */
export type Pointwise = { op: 'relu' } | { op: 'relu6' } | { op: 'affine'; scale: Float64Array; shift: Float64Array };
const OPCODE = { relu: 0, relu6: 1, affine: 2 } as const;

export class PointwiseStage implements Stage {
  private readonly output: Values;
  private scale: Float64Array = new Float64Array(1);
  private shift: Float64Array = new Float64Array(1);
  constructor(
    readonly op: Pointwise,
    size: number,
    arena: Arena,
    private readonly kernels: SparseKernels | null,
  ) {
    this.output = { kind: 'values', values: new Float64Array(0), touched: new TouchedPositions(0, arena), channels: 1 };
    arena.reserve('f64', size, (view) => (this.output.values = view));
    if (op.op === 'affine') {
      arena.copy('f64', op.scale, (view) => (this.scale = view));
      arena.copy('f64', op.shift, (view) => (this.shift = view));
    }
  }
  run(input: Signal): Signal {
    const { values, touched, channels } = input as Values;
    const out = this.output.values;
    const list = touched.list;
    const op = this.op;
    this.output.touched = touched;
    this.output.channels = channels;
    if (this.kernels != null) {
      const { scale, shift } = this;
      this.kernels.pointwise(OPCODE[op.op], values.byteOffset, out.byteOffset, list.byteOffset, touched.count, channels, scale.byteOffset, shift.byteOffset, scale.length);
      return this.output;
    }
    for (let k = 0; k < touched.count; k++) {
      const base = list[k] * channels;
      for (let i = base; i < base + channels; i++) {
        const v = values[i];
        if (op.op === 'relu') out[i] = v > 0 ? v : 0;
        else if (op.op === 'relu6') out[i] = v > 0 ? (v < 6 ? v : 6) : 0;
        else {
          const c = i % op.scale.length;
          out[i] = v * op.scale[c] + op.shift[c];
        }
      }
    }
    return this.output;
  }
  reset(): void {
    this.output.values.fill(0);
  }
}
