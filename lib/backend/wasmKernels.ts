/**
 * Registers on the `wasm` backend the kernels it needs to train our models (see wasmConvKernels.ts,
 * wasmDepthwiseKernels.ts and wasmSegmentKernels.ts). Idempotent: the kernel registry of tfjs is process-global, so a second call
 * (another test file, a second copy of this module) sees our marker and does nothing.
 */
import * as tf from '@tensorflow/tfjs';
import { conv2dBackpropFilterWasm, conv2dBackpropInputWasm } from './wasmConvKernels';
import { depthwiseBackpropFilterWasm, depthwiseBackpropInputWasm } from './wasmDepthwiseKernels';
import { unsortedSegmentSumWasm } from './wasmSegmentKernels';
import type { WasmKernelParams } from './wasmHeap';

interface PatchedKernel {
  name: string;
  /** `missing`: wasm has no such kernel; `replaced`: ours is faster than wasm's own. */
  kind: 'missing' | 'replaced';
  run: (params: WasmKernelParams) => tf.TensorInfo;
}

const PATCHES: readonly PatchedKernel[] = [
  { name: 'Conv2DBackpropFilter', kind: 'missing', run: conv2dBackpropFilterWasm },
  { name: 'Conv2DBackpropInput', kind: 'replaced', run: conv2dBackpropInputWasm },
  { name: 'DepthwiseConv2dNativeBackpropFilter', kind: 'missing', run: depthwiseBackpropFilterWasm },
  { name: 'DepthwiseConv2dNativeBackpropInput', kind: 'missing', run: depthwiseBackpropInputWasm },
  // Gradient of gather.
  { name: 'UnsortedSegmentSum', kind: 'missing', run: unsortedSegmentSumWasm },
];

/** Marks our kernel functions so that re-registration can recognise them. */
const MARK = Symbol.for('delta-sparsity.wasmKernel');

type MarkedKernelFunc = tf.KernelFunc & { [MARK]?: true };

function isOurs(name: string): boolean {
  const config = tf.getKernel(name, 'wasm');
  return config != null && (config.kernelFunc as MarkedKernelFunc)[MARK] === true;
}

/** Description of one kernel this library registers on `wasm`. */
export interface PatchedKernelInfo {
  kernelName: string;
  /** `missing`: tfjs-backend-wasm has none; `replaced`: ours replaces a slower wasm kernel. */
  kind: 'missing' | 'replaced';
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
    // Unregister first: registering over an existing kernel makes tfjs print a warning.
    if (tf.getKernel(patch.name, 'wasm') != null) tf.unregisterKernel(patch.name, 'wasm');
    const kernelFunc = ((params: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }) =>
      patch.run({
        inputs: params.inputs,
        backend: params.backend as WasmKernelParams['backend'],
        attrs: params.attrs ?? {},
      })) as MarkedKernelFunc;
    kernelFunc[MARK] = true;
    tf.registerKernel({ kernelName: patch.name, backendName: 'wasm', kernelFunc });
  }
  return PATCHES.filter((patch) => isOurs(patch.name)).map((patch) => patch.name);
}
