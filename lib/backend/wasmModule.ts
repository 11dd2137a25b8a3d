/**
 * Our own small WebAssembly module (lib/backend/wasm/kernels.wat) instantiated on the wasm backend's memory:
 * tfjs-backend-wasm exports its `WebAssembly.Memory`, so the module's loops read and write the backend's
 * tensors in place, without copies and without a JavaScript loop per element (issue #12). The tight loops
 * run several times faster than the same loops over typed arrays in JavaScript.
 *
 * `wasmLoops(backend)` returns null where the memory is not exported (another tfjs-backend-wasm build);
 * every caller then keeps its JavaScript loop, which computes the same values.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { WASM_KERNELS_BASE64 } from './wasmKernelsBinary';

/** The module's exports (see kernels.wat for each function's contract); pointers are byte offsets. */
export interface WasmLoops {
  quantize(x: number, q: number, y: number, n: number, m: number, rectify: number): void;
  quantizeGrad(dy: number, x: number, q: number, dx: number, sums: number, n: number, m: number, rectify: number): void;
  temporalL1(y: number, clips: number, frames: number, values: number): number;
  temporalL1Grad(y: number, out: number, clips: number, frames: number, values: number, g: number): void;
  im2col(x: number, col: number, b0: number, nb: number, ...dims: number[]): void;
  col2im(dcol: number, dx: number, b0: number, nb: number, ...dims: number[]): void;
}

/** The WebAssembly API of the JS engine (the project's TypeScript lib settings do not declare it). */
interface WebAssemblyApi {
  Memory: abstract new (...args: never[]) => object;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
}
const WebAssemblyApi = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

let compiled: object | null = null;
const instances = new WeakMap<object, WasmLoops>();

/** Set DELTA_WASM_LOOPS=0 to use the JavaScript loops (for comparisons). */
function disabled(): boolean {
  return process.env.DELTA_WASM_LOOPS === '0';
}

/** The module's functions bound to `backend`'s memory, or null when that memory is not reachable. */
export function wasmLoops(backend: BackendWasm): WasmLoops | null {
  if (disabled()) return null;
  const memory = (backend as unknown as { wasm?: { asm?: { memory?: unknown } } }).wasm?.asm?.memory;
  if (!(memory instanceof WebAssemblyApi.Memory)) return null;
  const known = instances.get(memory);
  if (known != null) return known;
  compiled ??= new WebAssemblyApi.Module(Buffer.from(WASM_KERNELS_BASE64, 'base64'));
  const instance = new WebAssemblyApi.Instance(compiled, { env: { memory } });
  const loops = instance.exports as unknown as WasmLoops;
  instances.set(memory, loops);
  return loops;
}

/** Byte offset of a float32 view of the heap (the pointer the module's functions take). */
export function pointer(view: Float32Array): number {
  return view.byteOffset;
}
