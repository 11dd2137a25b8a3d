/**
 * `UnsortedSegmentSum` for the `wasm` backend, which lacks it in tfjs-backend-wasm 4.22. tfjs needs it for
 * the gradient of `gather` (embedding lookups, frame selection by index), so without it such a model
 * cannot train on wasm. A direct loop over the heap: the work is one add per input value.
 */
import * as tf from '@tensorflow/tfjs';
import type { WasmKernelParams } from './wasmHeap';

/** x [S..., R...], segmentIds int32 [S...] -> [numSegments, R...]; ids outside [0, numSegments) are dropped. */
export function unsortedSegmentSumWasm({ inputs, backend, attrs }: WasmKernelParams): tf.TensorInfo {
  const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const { numSegments } = attrs as unknown as tf.UnsortedSegmentSumAttrs;
  const idCount = tf.util.sizeFromShape(segmentIds.shape);
  const rowShape = x.shape.slice(segmentIds.shape.length);
  const row = tf.util.sizeFromShape(rowShape);
  if (idCount * row !== tf.util.sizeFromShape(x.shape)) {
    throw new Error(`UnsortedSegmentSum: segmentIds shape ${segmentIds.shape} is not a prefix of x shape ${x.shape}`);
  }
  const out = backend.makeOutput([numSegments, ...rowShape], x.dtype);
  const outValues = backend.typedArrayFromHeap(out);
  outValues.fill(0);
  const xValues = backend.typedArrayFromHeap(x);
  const ids = backend.typedArrayFromHeap(segmentIds);
  for (let i = 0; i < idCount; i++) {
    const id = ids[i];
    if (id < 0 || id >= numSegments) continue;
    const src = i * row;
    const dst = id * row;
    for (let j = 0; j < row; j++) outValues[dst + j] += xValues[src + j];
  }
  return out;
}
