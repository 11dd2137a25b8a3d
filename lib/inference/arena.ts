/**
 * One contiguous block for all of a sparse engine's buffers (weights, accumulators, sent levels, change lists,
 * touched sets), laid out once when the engine is built. With the WebAssembly loops the block is the wasm
 * module's own memory, so the loops read and write the engine's typed arrays in place; with the TypeScript
 * loops it is a plain ArrayBuffer. Both paths therefore share one layout and one set of stage classes.
 *
 * Growing a WebAssembly memory detaches every view of it, so buffers are first only reserved (each with a
 * callback that receives its view) and all views are made in `finish`, after the single grow.
 */

type ViewOf = {
  f64: Float64Array;
  f32: Float32Array;
  i32: Int32Array;
  u8: Uint8Array;
};
type Kind = keyof ViewOf;
const BYTES: Record<Kind, number> = { f64: 8, f32: 4, i32: 4, u8: 1 };

/** The memory a wasm module exports (the part of `WebAssembly.Memory` the arena needs). */
export interface GrowableMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

interface Reservation {
  kind: Kind;
  offset: number;
  length: number;
  bind(view: ViewOf[Kind]): void;
  initial?: ArrayLike<number>;
}

const PAGE = 65536;

export class Arena {
  private size = 0;
  private readonly reservations: Reservation[] = [];
  private finished = false;
  private readonly finishers: (() => void)[] = [];

  /** Reserves `length` elements (16-byte aligned, zero-filled); `bind` receives the view in `finish`. */
  reserve<K extends Kind>(kind: K, length: number, bind: (view: ViewOf[K]) => void, initial?: ArrayLike<number>): void {
    if (this.finished) throw new Error('Arena: reserve after finish');
    this.size = Math.ceil(this.size / 16) * 16;
    this.reservations.push({ kind, offset: this.size, length, bind: bind as (view: ViewOf[Kind]) => void, initial });
    this.size += length * BYTES[kind];
  }

  /** A copy of `values` in the arena. */
  copy<K extends Kind>(kind: K, values: ArrayLike<number>, bind: (view: ViewOf[K]) => void): void {
    this.reserve(kind, values.length, bind, values);
  }

  /** Runs `callback` in `finish`, after every view is bound (for set-up that reads several buffers). */
  onFinish(callback: () => void): void {
    this.finishers.push(callback);
  }

  /** Bytes reserved so far. */
  get bytes(): number {
    return this.size;
  }

  /**
   * Makes every view: in `memory` (grown to fit; it must hold nothing else) or, without one, in a new
   * ArrayBuffer. Copies the initial values.
   */
  finish(memory: GrowableMemory | null): void {
    this.finished = true;
    let buffer: ArrayBuffer;
    if (memory == null) buffer = new ArrayBuffer(Math.max(this.size, 16));
    else {
      const missing = Math.ceil(this.size / PAGE) - memory.buffer.byteLength / PAGE;
      if (missing > 0) memory.grow(missing);
      buffer = memory.buffer;
    }
    for (const r of this.reservations) {
      const view = viewOf(buffer, r.kind, r.offset, r.length);
      if (r.initial !== undefined) view.set(r.initial);
      r.bind(view);
    }
    for (const callback of this.finishers) callback();
  }
}

function viewOf(buffer: ArrayBuffer, kind: Kind, offset: number, length: number): ViewOf[Kind] {
  if (kind === 'f64') return new Float64Array(buffer, offset, length);
  if (kind === 'f32') return new Float32Array(buffer, offset, length);
  if (kind === 'i32') return new Int32Array(buffer, offset, length);
  return new Uint8Array(buffer, offset, length);
}
