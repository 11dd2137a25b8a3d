/**
 * What the cost model needs to know about one layer, as plain numbers (no TensorFlow here).
 * `lib/sparsity` produces these from a model and measured clips; users can also write them by hand.
 *
 * All counts are per frame. "Input activations" are the values the layer reads: the outputs of the
 * delta (or activation) layer in front of it.
 */
import { invalidArgument } from '../util/errors';

export interface LayerWorkload {
  /** Layer name, e.g. "conv2". */
  name: string;
  /** What kind of linear layer consumes the activations. */
  kind: 'conv' | 'depthwise' | 'dense';
  /** n: number of input activations per frame. */
  inputActivations: number;
  /**
   * Multiplications each input activation takes part in, on average: the layer's dense MACs per frame / n, so
   * that n·fanOut is exactly its dense MAC count (about k·k·filters/stride² for a conv, units for a dense),
   * padding taps included.
   */
  fanOut: number;
  /** Number of weights (parameters) of the layer, biases excluded. */
  weights: number;
  /** Number of outputs per frame: in delta execution, one accumulator each. */
  outputs: number;
  /** Fraction of input activations that are non-zero, in [0, 1]. */
  spatialDensity: number;
  /** Fraction of input deltas (changes since the last value sent) that are non-zero, in [0, 1]. */
  temporalDensity: number;
  /**
   * MAC density of zero-skipping execution, in [0, 1]: the MACs executed for the non-zero inputs (each with its
   * position's fan-out: taps on padding are never executed, border inputs feed fewer outputs) / n·fanOut.
   * Default `spatialDensity` (every input taken to feed fanOut MACs), as in workloads written by hand or
   * before 2026-12; `measureSparsity` gives the exact value (`toWorkloads`). To ask what-ifs of a measured
   * workload, change its densities with `withDensities`, which moves these with them.
   */
  zeroSkippingMacDensity?: number;
  /** The same for delta execution in steady state (the non-zero changes). Default `temporalDensity`. */
  deltaMacDensity?: number;
  /**
   * Fraction of weights that are non-zero, in [0, 1]. Default 1 (dense weights). Only exploited by hardware
   * whose `zeros.weights` policy is `gate` or `skip`; assumed independent of the activation zeros.
   */
  weightDensity?: number;
}

/**
 * A copy of `layer` with other activation densities, for what-if questions: its measured MAC densities follow in
 * proportion (d_mac = min(1, d · measured d_mac / measured d), the assumption of the cross-over), so that they
 * never contradict the new densities. Setting `spatialDensity` or `temporalDensity` on a measured workload by hand
 * would keep the measured MAC densities, which the cost model uses for MACs and weight fetches. Densities in
 * [0, 1]; throws DeltaSparsityError otherwise.
 */
export function withDensities(layer: LayerWorkload, densities: { spatialDensity?: number; temporalDensity?: number }): LayerWorkload {
  const scaled = (name: string, value: number | undefined, measured: number, macDensity: number | undefined): [number, number | undefined] => {
    if (value === undefined) return [measured, macDensity];
    if (!(value >= 0 && value <= 1)) throw invalidArgument(name, 'a density in [0, 1]', value);
    if (macDensity === undefined) return [value, undefined];
    return [value, measured > 0 ? Math.min(1, (value * macDensity) / measured) : value];
  };
  const [spatialDensity, zeroSkippingMacDensity] = scaled('spatialDensity', densities.spatialDensity, layer.spatialDensity, layer.zeroSkippingMacDensity);
  const [temporalDensity, deltaMacDensity] = scaled('temporalDensity', densities.temporalDensity, layer.temporalDensity, layer.deltaMacDensity);
  const copy: LayerWorkload = { ...layer, spatialDensity, temporalDensity };
  if (zeroSkippingMacDensity !== undefined) copy.zeroSkippingMacDensity = zeroSkippingMacDensity;
  if (deltaMacDensity !== undefined) copy.deltaMacDensity = deltaMacDensity;
  return copy;
}
