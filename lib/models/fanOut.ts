/**
 * Fan-out: how many multiplications one input activation takes part in, in the layer that consumes it.
 * The delta penalty weighs |Δ| by it, and MAC counts are Σ (activations) · fanOut.
 *
 * Two conventions:
 * - 'macs' (default): the layer's multiply-accumulates per frame divided by its input activations,
 *   Hout·Wout·kh·kw·filters / (Hin·Win) for a conv. Then n · fanOut is exactly the layer's dense MAC count,
 *   stride and padding included: stride s divides it by about s² (each input feeds fewer output positions);
 *   'same' padding counts the multiplications by padded zeros that dense hardware performs; 'valid' padding
 *   makes border inputs feed fewer outputs, lowering the average.
 * - 'kernel': kh·kw·filters, what one interior input would touch at stride 1, ignoring stride and padding.
 *   The published layer takes this number by hand (its `n_outputs` argument); its paper describes it as the
 *   number of output connections of a neuron, i.e. this k·k·filters count.
 *
 * Depthwise conv: kh·kw·depthMultiplier (one channel only feeds its own filters). Dense: units.
 * Pools feed additions or comparisons, not multiplications: a global average pool counts 1 per input (each
 * value is added once into its channel's sum; the 1/(H·W) scale folds into the following dense), and a
 * window pool counts the windows an input belongs to (ph·pw, or the 'macs' average).
 */
import * as tf from '@tensorflow/tfjs';
import { invalidArgument } from '../util/errors';
import { unwrapTimeDistributed } from './chain';

export type FanOutConvention = 'macs' | 'kernel';

/** Output length of a conv or pool along one axis (dilation 1, as tfjs computes it). */
export function convOutputSize(size: number, kernel: number, stride: number, padding: string): number {
  if (padding === 'same') return Math.ceil(size / stride);
  if (padding === 'valid') return Math.ceil((size - kernel + 1) / stride);
  throw invalidArgument('padding', "'same' or 'valid'", padding);
}

function pair(value: unknown, name: string): [number, number] {
  if (typeof value === 'number') return [value, value];
  if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'number')) return [value[0], value[1]];
  throw invalidArgument(name, 'a number or a pair of numbers', value);
}

/** Average over input positions of how many output windows each belongs to (times `perWindow`). */
function windowFanOut(
  frameShape: readonly number[],
  kernel: [number, number],
  strides: [number, number],
  padding: string,
  perWindow: number,
  convention: FanOutConvention,
): number {
  if (convention === 'kernel') return kernel[0] * kernel[1] * perWindow;
  if (frameShape.length !== 3) throw invalidArgument('frame shape', '[height, width, channels]', frameShape);
  const [h, w] = frameShape;
  const outH = convOutputSize(h, kernel[0], strides[0], padding);
  const outW = convOutputSize(w, kernel[1], strides[1], padding);
  return (outH * outW * kernel[0] * kernel[1] * perWindow) / (h * w);
}

/**
 * Fan-out of the activations entering `consumer` (a Conv2D, DepthwiseConv2D, Dense or pooling layer, possibly
 * wrapped in TimeDistributed). `frameShape` is the per-frame input shape of the consumer, e.g. [H, W, C].
 */
export function fanOutOf(
  consumer: tf.layers.Layer,
  frameShape: readonly number[],
  convention: FanOutConvention = 'macs',
): number {
  const inner = unwrapTimeDistributed(consumer);
  const config = inner.getConfig();
  const className = inner.getClassName();
  const dilation = config.dilationRate == null ? [1, 1] : pair(config.dilationRate, 'dilationRate');
  if (dilation[0] !== 1 || dilation[1] !== 1) throw invalidArgument(`${consumer.name} dilationRate`, '1 (dilated convs are not supported)', config.dilationRate);
  switch (className) {
    case 'Conv2D':
      return windowFanOut(frameShape, pair(config.kernelSize, 'kernelSize'), pair(config.strides, 'strides'), String(config.padding), Number(config.filters), convention);
    case 'DepthwiseConv2D':
      return windowFanOut(frameShape, pair(config.kernelSize, 'kernelSize'), pair(config.strides, 'strides'), String(config.padding), Number(config.depthMultiplier ?? 1), convention);
    case 'Dense':
      return Number(config.units);
    case 'GlobalAveragePooling2D':
    case 'GlobalMaxPooling2D':
      return 1;
    case 'AveragePooling2D':
    case 'MaxPooling2D': {
      const size = pair(config.poolSize, 'poolSize');
      const strides = config.strides == null ? size : pair(config.strides, 'strides');
      return windowFanOut(frameShape, size, strides, String(config.padding), 1, convention);
    }
    default:
      throw invalidArgument(`${consumer.name}`, 'a Conv2D, DepthwiseConv2D, Dense or pooling layer', className);
  }
}
