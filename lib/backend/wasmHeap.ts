/**
 * Small helpers for kernels that work directly on the wasm backend's heap. A wasm tensor is one contiguous
 * float32 block in the WebAssembly memory; `typedArrayFromHeap` returns a view of it. The memory can grow
 * (and the old views then detach) whenever something is allocated, so every view is taken after the
 * allocations it depends on and never kept across another kernel call.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** The parameters tfjs passes to a kernel function. */
export interface WasmKernelParams {
  inputs: tf.NamedTensorInfoMap;
  backend: BackendWasm;
  attrs: tf.NamedAttrMap;
}

/** A float32 view of a wasm tensor's data (valid until the next allocation on the wasm heap). */
export function heapF32(backend: BackendWasm, info: tf.TensorInfo): Float32Array {
  const view = backend.typedArrayFromHeap(info);
  if (!(view instanceof Float32Array)) {
    throw new Error(`delta-sparsity wasm kernels support float32 tensors only, got ${info.dtype}`);
  }
  return view;
}

/** Allocates an uninitialised float32 tensor on the wasm heap. */
export function allocF32(backend: BackendWasm, shape: number[]): tf.TensorInfo {
  return backend.makeOutput(shape, 'float32');
}

/** Frees a temporary tensor made inside a kernel (never one of the kernel's inputs). */
export function free(backend: BackendWasm, info: tf.TensorInfo): void {
  backend.disposeData(info.dataId);
}

/**
 * Runs another kernel of the wasm backend directly (not through the engine: no tape, no scope), e.g.
 * the XNNPACK-backed `BatchMatMul`. The caller frees the result with `free` unless it returns it.
 */
export function runWasmKernel(
  name: string,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap,
  backend: BackendWasm,
): tf.TensorInfo {
  const config = tf.getKernel(name, 'wasm');
  if (config == null) throw new Error(`wasm kernel ${name} is not registered`);
  const result = config.kernelFunc({ inputs, attrs, backend });
  if (Array.isArray(result)) throw new Error(`wasm kernel ${name} returned several outputs`);
  return result as tf.TensorInfo;
}

/**
 * `a @ b` for row-major matrices a [M, K] and b [K, N] on the wasm heap, without transposes: the wasm
 * `BatchMatMul` runs untransposed operands through XNNPACK's fast path, while its transposed variants
 * measured 5-15x slower here. Returns a new tensor [1, M, N].
 */
export function matMulWasm(backend: BackendWasm, a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo {
  return runWasmKernel('BatchMatMul', { a, b }, { transposeA: false, transposeB: false }, backend);
}
