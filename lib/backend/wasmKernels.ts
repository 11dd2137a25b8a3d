/**
 * Registers on the `wasm` backend the kernels it needs to train our models (see wasmConvKernels.ts,
 * wasmDepthwiseKernels.ts and wasmSegmentKernels.ts), faster layout and reduction kernels (wasmLayoutKernels.ts,
 * wasmReduceKernels.ts) and the delta layer's fused kernels (wasmDeltaKernels.ts). Their inner loops run in our
 * own WebAssembly module on the backend's heap where it is exported (wasmModule.ts, wasm/kernels.wat). Idempotent: the kernel registry of tfjs is process-global, so a second call
 * (another test file, a second copy of this module) sees our marker and does nothing.
 */
import * as tf from '@tensorflow/tfjs';
import { conv2dBackpropFilterWasm, conv2dBackpropInputWasm } from './wasmConvKernels';
import {
  QUANTIZE_GRAD_KERNEL,
  QUANTIZE_KERNEL,
  quantizeGradWasm,
  quantizeWasm,
  TEMPORAL_L1_GRAD_KERNEL,
  TEMPORAL_L1_KERNEL,
  temporalL1GradWasm,
  temporalL1Wasm,
} from './wasmDeltaKernels';
import { depthwiseBackpropFilterWasm, depthwiseBackpropInputWasm } from './wasmDepthwiseKernels';
import { identityWasm, padWasm, sliceWasm, transposeWasm, unpackWasm, type WasmKernelFallback } from './wasmLayoutKernels';
import { sumWasm } from './wasmReduceKernels';
import { unsortedSegmentSumWasm } from './wasmSegmentKernels';
import type { WasmKernelParams } from './wasmHeap';

/** `missing`: tfjs-backend-wasm has none; `replaced`: ours replaces a slower wasm kernel; `fused`: a kernel of
 * our own that does the work of a chain of tfjs ops (the delta layer's quantizer and penalty). */
export type PatchedKernelKind = 'missing' | 'replaced' | 'fused';

interface PatchedKernel {
  name: string;
  /** `missing`: wasm has no such kernel; `replaced`: ours is faster than wasm's own; `fused`: our own op. */
  kind: PatchedKernelKind;
  /** `fallback`: the wasm kernel ours replaced (for `replaced` kernels that delegate some cases to it). */
  run: (params: WasmKernelParams, fallback: WasmKernelFallback) => tf.TensorInfo | tf.TensorInfo[];
}

const PATCHES: readonly PatchedKernel[] = [
  { name: 'Conv2DBackpropFilter', kind: 'missing', run: conv2dBackpropFilterWasm },
  { name: 'Conv2DBackpropInput', kind: 'replaced', run: conv2dBackpropInputWasm },
  { name: 'DepthwiseConv2dNativeBackpropFilter', kind: 'missing', run: depthwiseBackpropFilterWasm },
  { name: 'DepthwiseConv2dNativeBackpropInput', kind: 'missing', run: depthwiseBackpropInputWasm },
  // Gradient of gather.
  { name: 'UnsortedSegmentSum', kind: 'missing', run: unsortedSegmentSumWasm },
  // Rank-5 clip tensors: TimeDistributed (transpose, unstack, and its gradient), temporal differences.
  { name: 'Slice', kind: 'replaced', run: sliceWasm },
  { name: 'Unpack', kind: 'replaced', run: unpackWasm },
  { name: 'Transpose', kind: 'replaced', run: transposeWasm },
  { name: 'PadV2', kind: 'replaced', run: padWasm },
  // Clones of the tensors saved for gradients: share the data instead of copying it.
  { name: 'Identity', kind: 'replaced', run: identityWasm },
  // Sums over leading axes (gradients of per-channel delta thresholds broadcast over clips).
  { name: 'Sum', kind: 'replaced', run: sumWasm },
  // The delta layer's straight-through quantizer and temporal L1 penalty (lib/layers/fusedDelta.ts).
  { name: QUANTIZE_KERNEL, kind: 'fused', run: quantizeWasm },
  { name: QUANTIZE_GRAD_KERNEL, kind: 'fused', run: quantizeGradWasm },
  { name: TEMPORAL_L1_KERNEL, kind: 'fused', run: temporalL1Wasm },
  { name: TEMPORAL_L1_GRAD_KERNEL, kind: 'fused', run: temporalL1GradWasm },
];

function noFallback(name: string): WasmKernelFallback {
  return () => {
    throw new Error(`delta-sparsity: the wasm backend has no ${name} kernel to fall back on`);
  };
}

/** Marks our kernel functions so that re-registration can recognise them. */
const MARK = Symbol.for('delta-sparsity.wasmKernel');

type MarkedKernelFunc = tf.KernelFunc & { [MARK]?: true };

function isOurs(name: string): boolean {
  const config = tf.getKernel(name, 'wasm');
  return config != null && (config.kernelFunc as MarkedKernelFunc)[MARK] === true;
}

/** The wasm backend's own kernels that ours replaced in this process (for parity tests and benchmarks). */
const replacedOriginals = new Map<string, tf.KernelConfig>();

/**
 * tfjs-backend-wasm's own kernel that ours replaced, e.g. to compare results, or undefined when there was
 * none (or another copy of this module registered the replacement).
 */
export function replacedWasmKernel(kernelName: string): tf.KernelConfig | undefined {
  return replacedOriginals.get(kernelName);
}

/** Description of one kernel this library registers on `wasm`. */
export interface PatchedKernelInfo {
  kernelName: string;
  kind: PatchedKernelKind;
}

/** The kernels this library registers on the `wasm` backend (whether or not that has happened yet). */
export function patchedWasmKernels(): PatchedKernelInfo[] {
  return PATCHES.map((patch) => ({ kernelName: patch.name, kind: patch.kind }));
}

/**
 * Registers our kernels on `wasm` (replacing wasm's own where `kind` is `replaced`). Call after
 * `@tensorflow/tfjs-backend-wasm` has been loaded, before or after `tf.setBackend('wasm')`.
 * Returns the names of the kernels that are ours after the call.
 */
export function registerWasmTrainingKernels(): string[] {
  for (const patch of PATCHES) {
    if (isOurs(patch.name)) continue;
    const original = tf.getKernel(patch.name, 'wasm');
    if (original != null) replacedOriginals.set(patch.name, original);
    const fallback: WasmKernelFallback =
      original == null
        ? noFallback(patch.name)
        : (params) => original.kernelFunc(params as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo | tf.TensorInfo[];
    // Unregister first: registering over an existing kernel makes tfjs print a warning.
    if (original != null) tf.unregisterKernel(patch.name, 'wasm');
    const kernelFunc = ((params: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }) =>
      patch.run(
        {
          inputs: params.inputs,
          backend: params.backend as WasmKernelParams['backend'],
          attrs: params.attrs ?? {},
        },
        fallback,
      )) as MarkedKernelFunc;
    kernelFunc[MARK] = true;
    // Keep the original's setup: wasm kernels call each other directly (e.g. Sum calls wasm's transpose),
    // and that setup binds the wasm function, when the backend is initialised after this registration.
    tf.registerKernel({
      kernelName: patch.name,
      backendName: 'wasm',
      kernelFunc,
      setupFunc: original?.setupFunc,
      disposeFunc: original?.disposeFunc,
    });
  }
  return PATCHES.filter((patch) => isOurs(patch.name)).map((patch) => patch.name);
}
