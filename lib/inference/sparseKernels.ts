/**
 * The sparse engine's WebAssembly loops (lib/inference/wasm/sparse.wat): one instance per engine, owning its
 * memory, in which the engine's `Arena` lays out every buffer. See the .wat for each function's contract;
 * pointers are byte offsets into that memory (a view's `byteOffset`).
 *
 * The loops use 128-bit SIMD (f32x4 lanes in the scatter, f64x2 in the per-position passes), which Node ≥ 16 supports.
 * `sparseKernels()` returns null where WebAssembly or its SIMD is missing; the engine then runs its
 * TypeScript loops, which compute the same values.
 */
import type { GrowableMemory } from './arena';
import { SPARSE_KERNELS_BASE64 } from './sparseKernelsBinary';

export interface SparseKernels {
  readonly memory: GrowableMemory;
  convScatter(
    idx: number, dlt: number, count: number, acc: number, kernel: number,
    rowStart: number, rowK: number, rowOut: number, colStart: number, colK: number, colOut: number,
    cin: number, span: number, cout: number, decode: number, outWidth: number, kw: number, depthwise: number,
    marks: number, list: number, countPtr: number,
  ): number;
  convScatterGrouped(
    idx: number, dlt: number, count: number, acc: number, kernel: number,
    rowStart: number, rowK: number, rowOut: number, colStart: number, colK: number, colOut: number,
    cin: number, cout: number, decode: number, outWidth: number, kw: number, marks: number, list: number, countPtr: number, scratch: number,
  ): number;
  denseScatter(idx: number, dlt: number, count: number, acc: number, kernel: number, cin: number, units: number, marks: number, list: number, countPtr: number): void;
  poolScatter(idx: number, dlt: number, count: number, acc: number, channels: number, scale: number, marks: number, list: number, countPtr: number): void;
  deltaPass(
    values: number, list: number, listCount: number, channels: number, steps: number, sent: number, rectify: number, outIdx: number, outDlt: number,
  ): number;
  pointwise(op: number, values: number, out: number, list: number, listCount: number, channels: number, scale: number, shift: number, m: number): void;
  flush(acc: number, pending: number, list: number, listCount: number, channels: number): void;
  nonZeros(values: number, n: number, outIdx: number, outDlt: number): number;
}

/** The WebAssembly API of the JS engine (the project's TypeScript lib settings do not declare it). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
}

let compiled: object | null | undefined;

/** A new instance of the loops with its own memory, or null where WebAssembly SIMD is unavailable. */
export function sparseKernels(): SparseKernels | null {
  const api = (globalThis as unknown as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  if (api == null) return null;
  if (compiled === undefined) {
    try {
      compiled = new api.Module(Buffer.from(SPARSE_KERNELS_BASE64, 'base64'));
    } catch {
      compiled = null; // no SIMD support: the module does not validate
    }
  }
  if (compiled == null) return null;
  return new api.Instance(compiled, {}).exports as SparseKernels;
}
