/**
 * Whole-network energy per frame as a function of temporal density, as plain points for a figure, and a
 * trained model's measured operating point (its own per-layer densities) to mark on that curve.
 */
import { checkOptionKeys, invalidArgument, optionKeys } from '../util/errors';
import { COST_MODES, crossoverTemporalDensity, estimateCost, type CostMode, type EstimateCostOptions } from './cost';
import { loadHardware } from './presets';
import type { HardwareSpec } from './spec';
import type { LayerWorkload } from './workload';

export interface EnergyCurveOptions extends Omit<EstimateCostOptions, 'temporalDensity'> {
  /** Evenly spaced temporal densities from 0 to 1 (the exact cross-overs are added). Default 21. */
  points?: number;
}

/** A cross-over on the curve: where delta execution costs as much energy as `between[1]`. */
export interface CurveCrossover {
  temporalDensity: number;
  /** Energy per frame there, µJ. */
  energyUj: number;
  between: ['delta', 'dense' | 'zero-skipping'];
}

/** Energy per frame (µJ) of each execution mode at each temporal density. */
export interface EnergyCurve {
  hardware: string;
  /** Increasing, in [0, 1]; includes the cross-overs that lie strictly inside (0, 1). */
  temporalDensity: number[];
  /** Mode -> energy per frame (µJ) at each `temporalDensity`. */
  energyUj: Record<CostMode, number[]>;
  /** The exact cross-overs of `crossoverTemporalDensity` that lie strictly inside (0, 1). */
  crossovers: CurveCrossover[];
}

/**
 * Energy per frame of `workloads` on `hardware` when every layer has the same temporal density t, for t on
 * a grid over [0, 1] plus the exact cross-overs (so that the piecewise-linear delta line passes through
 * them). Each layer's delta MAC density follows t in proportion to its measured one (see cost.ts, "Cross-over"). Throws a DeltaSparsityError for `points` < 2 or bad workloads / hardware (as `estimateCost`).
 */
export function energyVersusTemporalDensity(
  workloads: LayerWorkload[],
  hardware: string | HardwareSpec,
  options: EnergyCurveOptions = {},
): EnergyCurve {
  checkOptionKeys('energyVersusTemporalDensity', options, optionKeys<EnergyCurveOptions>({ statePlacement: true, points: true }));
  const points = options.points ?? 21;
  if (!Number.isInteger(points) || points < 2) throw invalidArgument('points', 'an integer ≥ 2', points);
  const spec = typeof hardware === 'string' ? loadHardware(hardware) : hardware;
  const costOptions = { ...(options.statePlacement ? { statePlacement: options.statePlacement } : {}) };
  const exact = crossoverTemporalDensity(workloads, spec, costOptions).overall;
  const marked = [
    { temporalDensity: exact.vsDense, between: ['delta', 'dense'] as CurveCrossover['between'] },
    { temporalDensity: exact.vsZeroSkipping, between: ['delta', 'zero-skipping'] as CurveCrossover['between'] },
  ].filter((c) => c.temporalDensity > 0 && c.temporalDensity < 1);
  const grid = Array.from({ length: points }, (_, i) => i / (points - 1));
  const densities = [...new Set([...grid, ...marked.map((c) => c.temporalDensity)])].sort((a, b) => a - b);
  const totals = densities.map((t) => estimateCost(workloads, spec, { ...costOptions, temporalDensity: t }).totals);
  const energyUj = Object.fromEntries(COST_MODES.map((mode) => [mode, totals.map((total) => total[mode].energyPj.total / 1e6)])) as Record<CostMode, number[]>;
  return {
    hardware: spec.name,
    temporalDensity: densities,
    energyUj,
    crossovers: marked.map((c) => ({ ...c, energyUj: energyUj.delta[densities.indexOf(c.temporalDensity)] })),
  };
}

/** Where a trained model runs: its measured overall temporal density and its energy per frame in each mode. */
export interface OperatingPoint {
  /** Σ tᵢ·nᵢ / Σ nᵢ over the layers (tᵢ temporal density, nᵢ input activations): non-zero changes per input value. */
  temporalDensity: number;
  /** Mode -> energy per frame (µJ) with the layers' own measured densities. */
  energyUj: Record<CostMode, number>;
}

/** The measured operating point of a model from its workloads (see `OperatingPoint`). */
export function operatingPoint(workloads: LayerWorkload[], hardware: string | HardwareSpec, options: Omit<EstimateCostOptions, 'temporalDensity'> = {}): OperatingPoint {
  const cost = estimateCost(workloads, hardware, options);
  const inputs = workloads.reduce((sum, layer) => sum + layer.inputActivations, 0);
  const changes = workloads.reduce((sum, layer) => sum + layer.temporalDensity * layer.inputActivations, 0);
  return {
    temporalDensity: changes / inputs,
    energyUj: Object.fromEntries(COST_MODES.map((mode) => [mode, cost.totals[mode].energyPj.total / 1e6])) as Record<CostMode, number>,
  };
}
