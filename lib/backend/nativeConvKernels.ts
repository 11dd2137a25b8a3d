/**
 * The wasm backend's convolution kernels computed by the optional oneDNN addon (see onednnAddon.ts):
 * Conv2D, FusedConv2D, DepthwiseConv2dNative, FusedDepthwiseConv2D and the input and filter gradients of both.
 * Registered for the `wasm` backend on top of whatever kernel is registered there (tfjs-backend-wasm's own or
 * ours in wasmKernels.ts), which stays the fallback for what the addon does not take: NCHW, non-float32,
 * PReLU activations, biases that are not one value per output channel.
 *
 * No copies: the output is allocated on the wasm heap first, then float32 views of every operand are taken
 * (memory growth detaches older views) and oneDNN reads and writes through them in place.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { allocF32, heapF32, type WasmKernelParams } from './wasmHeap';
import { loadOneDnnAddon, resolveConvProvider, type ConvKernelChoice, type ConvProvider, type OneDnnAddon } from './onednnAddon';

type Shape4 = [number, number, number, number];

/** Activation codes of the addon's fused forward (addon.cc, enum Activation). */
const ACTIVATION_CODES: Record<string, number> = { linear: 0, relu: 1, relu6: 2, elu: 3, sigmoid: 4, leakyrelu: 5 };

interface ConvAttrs {
  strides: [number, number] | number;
  pad: tf.backend_util.PadInfo['type'] | number | tf.backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  activation?: string;
  leakyreluAlpha?: number;
}

/** The addon's geometry vector (see OneDnnAddon), or null where the addon does not apply. */
function geometry(xShape: number[], filterShape: number[], attrs: ConvAttrs, depthwise: boolean): Int32Array | null {
  if (attrs.dataFormat === 'NCHW') return null;
  const info = tf.backend_util.computeConv2DInfo(
    xShape as Shape4,
    filterShape as Shape4,
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad as tf.backend_util.ExplicitPadding,
    attrs.dimRoundingMode,
    depthwise,
  );
  const p = info.padInfo;
  const values = [
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth, info.outChannels,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth,
    p.top, p.left, p.bottom, p.right, depthwise ? info.inChannels : 1,
  ];
  // Empty tensors and negative pads (tfjs's 'valid' never makes them, explicit pads are >= 0) go to the fallback.
  if (values.slice(0, 13).some((v) => v < 1) || values.slice(13, 17).some((v) => v < 0)) return null;
  return Int32Array.from(values);
}

function allFloat32(...infos: (tf.TensorInfo | undefined)[]): boolean {
  return infos.every((info) => info == null || info.dtype === 'float32');
}

type Fallback = (params: WasmKernelParams) => tf.TensorInfo | tf.TensorInfo[];

function convForward(depthwise: boolean, fused: boolean) {
  return (params: WasmKernelParams, addon: OneDnnAddon, fallback: Fallback): tf.TensorInfo | tf.TensorInfo[] => {
    const { inputs, backend } = params;
    const attrs = params.attrs as unknown as ConvAttrs;
    const { x, filter, bias, preluActivationWeights } = inputs as Record<string, tf.TensorInfo | undefined>;
    if (x == null || filter == null || preluActivationWeights != null || !allFloat32(x, filter, bias)) return fallback(params);
    const activation = fused ? ACTIVATION_CODES[attrs.activation ?? 'linear'] : 0;
    if (activation === undefined) return fallback(params);
    const g = geometry(x.shape, filter.shape, attrs, depthwise);
    if (g == null) return fallback(params);
    const outChannels = g[6];
    if (bias != null && tf.util.sizeFromShape(bias.shape) !== outChannels) return fallback(params);
    const y = allocF32(backend, [g[0], g[4], g[5], outChannels]);
    addon.convForward(
      g,
      heapF32(backend, x),
      heapF32(backend, filter),
      bias == null ? null : heapF32(backend, bias),
      heapF32(backend, y),
      activation,
      attrs.leakyreluAlpha ?? 0.2,
    );
    return y;
  };
}

function convBackpropInput(depthwise: boolean) {
  return (params: WasmKernelParams, addon: OneDnnAddon, fallback: Fallback): tf.TensorInfo | tf.TensorInfo[] => {
    const { inputs, backend } = params;
    const attrs = params.attrs as unknown as ConvAttrs & { inputShape: number[] };
    const { dy, filter } = inputs as Record<string, tf.TensorInfo | undefined>;
    if (dy == null || filter == null || !allFloat32(dy, filter)) return fallback(params);
    const g = geometry(attrs.inputShape, filter.shape, attrs, depthwise);
    if (g == null) return fallback(params);
    const dx = allocF32(backend, [g[0], g[1], g[2], g[3]]);
    addon.convBackwardData(g, heapF32(backend, dy), heapF32(backend, filter), heapF32(backend, dx));
    return dx;
  };
}

function convBackpropFilter(depthwise: boolean) {
  return (params: WasmKernelParams, addon: OneDnnAddon, fallback: Fallback): tf.TensorInfo | tf.TensorInfo[] => {
    const { inputs, backend } = params;
    const attrs = params.attrs as unknown as ConvAttrs & { filterShape: number[] };
    const { x, dy } = inputs as Record<string, tf.TensorInfo | undefined>;
    if (x == null || dy == null || !allFloat32(x, dy)) return fallback(params);
    const g = geometry(x.shape, attrs.filterShape, attrs, depthwise);
    if (g == null) return fallback(params);
    const dw = allocF32(backend, [...attrs.filterShape]);
    addon.convBackwardWeights(g, heapF32(backend, x), heapF32(backend, dy), heapF32(backend, dw));
    return dw;
  };
}

type NativeKernel = (params: WasmKernelParams, addon: OneDnnAddon, fallback: Fallback) => tf.TensorInfo | tf.TensorInfo[];

const NATIVE_KERNELS: ReadonlyArray<[string, NativeKernel]> = [
  ['Conv2D', convForward(false, false)],
  ['FusedConv2D', convForward(false, true)],
  ['Conv2DBackpropInput', convBackpropInput(false)],
  ['Conv2DBackpropFilter', convBackpropFilter(false)],
  ['DepthwiseConv2dNative', convForward(true, false)],
  ['FusedDepthwiseConv2D', convForward(true, true)],
  ['DepthwiseConv2dNativeBackpropInput', convBackpropInput(true)],
  ['DepthwiseConv2dNativeBackpropFilter', convBackpropFilter(true)],
];

/** The kernels the addon computes on `wasm` when it is used. */
export function nativeConvKernelNames(): string[] {
  return NATIVE_KERNELS.map(([name]) => name);
}

/**
 * Marks our kernels on `wasm`. It is wasmKernels.ts's mark, so that its (idempotent) re-registration leaves
 * these kernels in place instead of wrapping them.
 */
const MARK = Symbol.for('delta-sparsity.wasmKernel');
const NATIVE = Symbol.for('delta-sparsity.onednnKernel');
type MarkedKernelFunc = tf.KernelFunc & { [MARK]?: true; [NATIVE]?: true };

/** The kernels ours displaced, restored when switching back to `wasm`. */
const displaced = new Map<string, tf.KernelConfig>();

function isNative(name: string): boolean {
  const config = tf.getKernel(name, 'wasm');
  return config != null && (config.kernelFunc as MarkedKernelFunc)[NATIVE] === true;
}

function installNative(addon: OneDnnAddon): void {
  for (const [name, run] of NATIVE_KERNELS) {
    if (isNative(name)) continue;
    const previous = tf.getKernel(name, 'wasm');
    if (previous == null) continue; // tfjs-backend-wasm not loaded: nothing to put ours on.
    displaced.set(name, previous);
    const fallback: Fallback = (params) =>
      previous.kernelFunc(params as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo | tf.TensorInfo[];
    const kernelFunc = ((params: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }) =>
      run({ inputs: params.inputs, backend: params.backend as BackendWasm, attrs: params.attrs ?? {} }, addon, fallback)) as MarkedKernelFunc;
    kernelFunc[MARK] = true;
    kernelFunc[NATIVE] = true;
    tf.unregisterKernel(name, 'wasm');
    // The previous kernel's setup binds its wasm functions, which the fallback needs.
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc, setupFunc: previous.setupFunc, disposeFunc: previous.disposeFunc });
  }
}

function restoreWasm(): void {
  for (const [name] of NATIVE_KERNELS) {
    const previous = displaced.get(name);
    if (!isNative(name) || previous == null) continue;
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(previous);
    displaced.delete(name);
  }
}

/** Which provider's conv kernels are registered on `wasm` now. */
export function activeConvProvider(): ConvProvider {
  return isNative('Conv2D') ? 'onednn' : 'wasm';
}

/**
 * Chooses the conv provider (argument > DELTA_CONV > `onednn` if the addon is built) and registers its
 * kernels on `wasm`; switching back to `wasm` restores the kernels ours displaced. Call after
 * tfjs-backend-wasm is loaded and our wasm training kernels are registered (initBackend does).
 * Throws `DeltaSparsityError` when `onednn` is forced but the addon is not built (saying how to build it).
 */
export function chooseConvKernels(provider?: ConvProvider): ConvKernelChoice {
  const choice = resolveConvProvider(provider);
  if (choice.provider === 'onednn') {
    const load = loadOneDnnAddon();
    if (load.ok) installNative(load.addon);
  } else {
    restoreWasm();
  }
  return choice;
}
