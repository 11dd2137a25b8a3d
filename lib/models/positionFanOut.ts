/**
 * Per-position fan-out: how many MACs one input value takes part in, depending on where it sits in the frame.
 *
 * The average fan-out of `fanOutOf` ('macs' convention, Hout·Wout·k²·Cout / (Hin·Win)) makes n · fanOut the
 * layer's dense MAC count, which includes the taps that fall on 'same' padding. A zero-skipping or delta
 * accelerator never executes those (padding is not an input), and with stride s > 1 an input's real fan-out
 * depends on its position: in a 3×3 stride-2 'same' conv of a 4×4 input (TensorFlow pads 0 rows above and 1
 * below), rows 0..3 lie in 1, 1, 2, 1 output windows, so a non-zero at (1, 1) feeds 1·1 = 1 output window,
 * one at (2, 2) 2·2 = 4, and the average says 2.25 for every position.
 *
 * Exact count: an input at row r, column c, of a window layer (conv, depthwise conv, window pool) feeds
 * rowFan[r] · columnFan[c] windows, each of `perWindow` MACs (filters for a conv, depthMultiplier for a
 * depthwise conv, 1 for a window pool). Rows and columns are independent because the windows are a product
 * of row windows and column windows. Dense layers and global pools feed every input to the same count
 * (units, 1): `rows` and `columns` are null.
 */
import * as tf from '@tensorflow/tfjs';
import { invalidArgument } from '../util/errors';
import { unwrapTimeDistributed } from './chain';
import { convOutputSize } from './fanOut';

/** Where each input value's MACs go, per position (see the module comment). */
export interface PositionFanOut {
  /** rows[r]: output windows containing input row r, [H]; null for a position-independent layer. */
  rows: number[] | null;
  /** columns[c]: output windows containing input column c, [W]; null for a position-independent layer. */
  columns: number[] | null;
  /**
   * MACs per window per input value: filters (conv), depthMultiplier (depthwise conv), 1 (window or global
   * pool), units (dense, whose every input feeds one MAC per unit).
   */
  perWindow: number;
}

/**
 * Output windows of a conv or pool (dilation 1) containing each input index along one axis, as tfjs pads:
 * 'same' pads pad_total = max((out − 1)·s + k − in, 0), pad_before = floor(pad_total / 2) (the extra row
 * goes after); 'valid' does not pad. Throws a DeltaSparsityError for another padding.
 */
export function axisFanOut(size: number, kernel: number, stride: number, padding: string): number[] {
  const out = convOutputSize(size, kernel, stride, padding);
  const padBefore = padding === 'same' ? Math.floor(Math.max((out - 1) * stride + kernel - size, 0) / 2) : 0;
  const fan = new Array<number>(size).fill(0);
  for (let o = 0; o < out; o++) {
    for (let k = 0; k < kernel; k++) {
      const r = o * stride - padBefore + k;
      if (r >= 0 && r < size) fan[r] += 1;
    }
  }
  return fan;
}

function pair(value: unknown, name: string): [number, number] {
  if (typeof value === 'number') return [value, value];
  if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'number')) return [value[0], value[1]];
  throw invalidArgument(name, 'a number or a pair of numbers', value);
}

/**
 * The per-position fan-out of the values entering `consumer` (a Conv2D, DepthwiseConv2D, Dense or pooling
 * layer, possibly wrapped in TimeDistributed); `frameShape` is its per-frame input shape, [H, W, C] for a
 * window layer. Throws a DeltaSparsityError for another layer, a dilated conv or a window layer whose frame is
 * not [H, W, C].
 */
export function positionFanOutOf(consumer: tf.layers.Layer, frameShape: readonly number[]): PositionFanOut {
  const inner = unwrapTimeDistributed(consumer);
  const config = inner.getConfig();
  const className = inner.getClassName();
  const dilation = config.dilationRate == null ? [1, 1] : pair(config.dilationRate, 'dilationRate');
  if (dilation[0] !== 1 || dilation[1] !== 1) throw invalidArgument(`${consumer.name} dilationRate`, '1 (dilated convs are not supported)', config.dilationRate);
  const windows = (kernel: [number, number], strides: [number, number], padding: string, perWindow: number): PositionFanOut => {
    if (frameShape.length !== 3) throw invalidArgument('frame shape', '[height, width, channels]', frameShape);
    return {
      rows: axisFanOut(frameShape[0], kernel[0], strides[0], padding),
      columns: axisFanOut(frameShape[1], kernel[1], strides[1], padding),
      perWindow,
    };
  };
  switch (className) {
    case 'Conv2D':
      return windows(pair(config.kernelSize, 'kernelSize'), pair(config.strides, 'strides'), String(config.padding), Number(config.filters));
    case 'DepthwiseConv2D':
      return windows(pair(config.kernelSize, 'kernelSize'), pair(config.strides, 'strides'), String(config.padding), Number(config.depthMultiplier ?? 1));
    case 'AveragePooling2D':
    case 'MaxPooling2D': {
      const size = pair(config.poolSize, 'poolSize');
      return windows(size, config.strides == null ? size : pair(config.strides, 'strides'), String(config.padding), 1);
    }
    case 'Dense':
      return { rows: null, columns: null, perWindow: Number(config.units) };
    case 'GlobalAveragePooling2D':
    case 'GlobalMaxPooling2D':
      return { rows: null, columns: null, perWindow: 1 };
    default:
      throw invalidArgument(`${consumer.name}`, 'a Conv2D, DepthwiseConv2D, Dense or pooling layer', className);
  }
}

/**
 * MACs executed for the non-zero values counted per position: Σ_r,c counts[r·W + c] · rows[r] · columns[c] ·
 * perWindow for a window layer (`counts` [H·W], non-zeros summed over frames and channels), Σ counts ·
 * perWindow for a position-independent one (`counts` of any length, e.g. [1] holding the total). Summed in
 * float64, so exact for integer counts below 2^53.
 */
export function executedMacs(fan: PositionFanOut, counts: ArrayLike<number>): number {
  let total = 0;
  if (fan.rows == null || fan.columns == null) {
    for (let i = 0; i < counts.length; i++) total += counts[i];
    return total * fan.perWindow;
  }
  const { rows, columns } = fan;
  const width = columns.length;
  if (counts.length !== rows.length * width) throw invalidArgument('counts', `${rows.length}·${width} per-position counts`, counts.length);
  for (let r = 0; r < rows.length; r++) {
    let rowSum = 0;
    for (let c = 0; c < width; c++) rowSum += counts[r * width + c] * columns[c];
    total += rowSum * rows[r];
  }
  return total * fan.perWindow;
}
