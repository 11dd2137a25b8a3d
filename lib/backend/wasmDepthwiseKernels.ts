/**
 * Gradient kernels of the depthwise 2-D convolution for the `wasm` backend, which has none in
 * tfjs-backend-wasm 4.22 (so depthwise-separable blocks cannot train on it).
 *
 * A depthwise convolution has no channel mixing, so its gradients are not one large matrix product;
 * they cost only KH*KW*M multiply-adds per input value, and a direct loop in JavaScript over the wasm
 * heap (contiguous channel runs innermost) is fast enough for our models. Filter-gradient sums run in a
 * Float64Array (JS doubles), then are stored as float32 once.
 *
 * Supports strides, dilations, same/valid/explicit padding, dimRoundingMode, channel multiplier M >= 1;
 * NHWC only (as the wasm forward kernel).
 */
import * as tf from '@tensorflow/tfjs';
import { allocF32, heapF32, WasmKernelParams } from './wasmHeap';

type Shape4 = [number, number, number, number];

interface DepthwiseGeometry {
  B: number;
  H: number;
  W: number;
  C: number;
  M: number;
  OH: number;
  OW: number;
  KH: number;
  KW: number;
  SH: number;
  SW: number;
  DH: number;
  DW: number;
  PT: number;
  PL: number;
}

function geometry(
  inputShape: number[],
  filterShape: number[],
  attrs: tf.DepthwiseConv2dNativeBackpropFilterAttrs | tf.DepthwiseConv2dNativeBackpropInputAttrs,
): DepthwiseGeometry {
  const dilations = attrs.dilations ?? [1, 1];
  const info = tf.backend_util.computeConv2DInfo(
    inputShape as Shape4,
    filterShape as Shape4,
    attrs.strides,
    dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    true,
  );
  return {
    B: info.batchSize,
    H: info.inHeight,
    W: info.inWidth,
    C: info.inChannels,
    M: filterShape[3],
    OH: info.outHeight,
    OW: info.outWidth,
    KH: info.filterHeight,
    KW: info.filterWidth,
    SH: info.strideHeight,
    SW: info.strideWidth,
    DH: info.dilationHeight,
    DW: info.dilationWidth,
    PT: info.padInfo.top,
    PL: info.padInfo.left,
  };
}

/**
 * Calls `visit(xOffset, yOffset, fOffset)` for every (input pixel, output pixel, filter tap) triple that the
 * forward depthwise convolution multiplies: offsets of the channel-0 values in x [B,H,W,C],
 * dy [B,OH,OW,C*M] and filter [KH,KW,C,M].
 */
function forEachTap(g: DepthwiseGeometry, visit: (xOffset: number, yOffset: number, fOffset: number) => void): void {
  const CM = g.C * g.M;
  for (let b = 0; b < g.B; b++) {
    for (let oh = 0; oh < g.OH; oh++) {
      for (let kh = 0; kh < g.KH; kh++) {
        const ih = oh * g.SH + kh * g.DH - g.PT;
        if (ih < 0 || ih >= g.H) continue;
        for (let ow = 0; ow < g.OW; ow++) {
          const yOffset = ((b * g.OH + oh) * g.OW + ow) * CM;
          for (let kw = 0; kw < g.KW; kw++) {
            const iw = ow * g.SW + kw * g.DW - g.PL;
            if (iw < 0 || iw >= g.W) continue;
            visit(((b * g.H + ih) * g.W + iw) * g.C, yOffset, (kh * g.KW + kw) * CM);
          }
        }
      }
    }
  }
}

/** DepthwiseConv2dNativeBackpropFilter: x [B,H,W,C], dy [B,OH,OW,C*M] -> dW [KH,KW,C,M]. */
export function depthwiseBackpropFilterWasm({ inputs, backend, attrs }: WasmKernelParams): tf.TensorInfo {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const a = attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
  const g = geometry(x.shape, a.filterShape, a);
  const { C, M } = g;
  const sums = new Float64Array(g.KH * g.KW * C * M);
  const xv = heapF32(backend, x);
  const yv = heapF32(backend, dy);
  if (M === 1) {
    forEachTap(g, (xo, yo, fo) => {
      for (let c = 0; c < C; c++) sums[fo + c] += xv[xo + c] * yv[yo + c];
    });
  } else {
    forEachTap(g, (xo, yo, fo) => {
      for (let c = 0; c < C; c++) {
        const xValue = xv[xo + c];
        const base = c * M;
        for (let m = 0; m < M; m++) sums[fo + base + m] += xValue * yv[yo + base + m];
      }
    });
  }
  const out = allocF32(backend, [g.KH, g.KW, C, M]);
  heapF32(backend, out).set(sums);
  return out;
}

/** DepthwiseConv2dNativeBackpropInput: dy [B,OH,OW,C*M], filter [KH,KW,C,M] -> dx = inputShape [B,H,W,C]. */
export function depthwiseBackpropInputWasm({ inputs, backend, attrs }: WasmKernelParams): tf.TensorInfo {
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const a = attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
  const g = geometry(a.inputShape, filter.shape, a);
  const { C, M } = g;
  const dx = allocF32(backend, [g.B, g.H, g.W, C]);
  const xv = heapF32(backend, dx);
  xv.fill(0);
  const yv = heapF32(backend, dy);
  const fv = heapF32(backend, filter);
  if (M === 1) {
    forEachTap(g, (xo, yo, fo) => {
      for (let c = 0; c < C; c++) xv[xo + c] += yv[yo + c] * fv[fo + c];
    });
  } else {
    forEachTap(g, (xo, yo, fo) => {
      for (let c = 0; c < C; c++) {
        const base = c * M;
        let sum = 0;
        for (let m = 0; m < M; m++) sum += yv[yo + base + m] * fv[fo + base + m];
        xv[xo + c] += sum;
      }
    });
  }
  return dx;
}
