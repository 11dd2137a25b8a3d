/**
 * A network's energy on an accelerator: per layer in each execution mode, and against temporal density with
 * the cross-overs and the trained models' operating points. Plain numbers in: the caller computes the cost
 * (`estimateCost`), the curve (`energyVersusTemporalDensity`) and the operating points (`operatingPoint`).
 */
import { invalidArgument } from '../../util/errors';
import type { Figure } from '../types';
import { layerBarsFigure } from './bars';
import { costCrossoverFigure } from './cost';
import { checkFiniteArray, requireFigureArgs } from './common';

/** The execution modes of the cost model (`CostMode` in lib/hardware), by the names figures show. */
export type EnergyMode = 'dense' | 'zero-skipping' | 'delta';
const ENERGY_MODES: readonly EnergyMode[] = ['dense', 'zero-skipping', 'delta'];

/** What the per-layer energy figure reads of a cost estimate (`estimateCost`'s result fits). */
export interface LayerEnergyCost {
  hardware: { name: string };
  layers: readonly { name: string; modes: Record<EnergyMode, { energyPj: { total: number } }> }[];
}

export interface LayerEnergyArgs {
  /** One model's cost, e.g. `estimateCost(toWorkloads(run.sparsity), 'eyeriss-v2-like')`. Energies in pJ. */
  cost: LayerEnergyCost;
  /** Default: `'Energy per frame by layer and execution mode (<hardware>)'`. */
  title?: string;
}

/** Energy per frame of each layer in each execution mode (µJ); a log axis when they span more than 100×. */
export function layerEnergyFigure(args: LayerEnergyArgs): Figure {
  requireFigureArgs('layerEnergyFigure', args, '{ cost, title? }');
  const { cost } = args;
  if (cost == null || typeof cost !== 'object' || !Array.isArray(cost.layers as unknown) || typeof cost.hardware?.name !== 'string') {
    throw invalidArgument('cost', 'a cost estimate { hardware, layers } (estimateCost(workloads, hardware))', cost);
  }
  const series = ENERGY_MODES.map((mode) => ({
    name: mode,
    values: cost.layers.map((layer) => layer.modes[mode].energyPj.total / 1e6),
  }));
  const all = series.flatMap((s) => s.values);
  // Layers often differ by orders of magnitude (the widest conv dominates): a log axis keeps the small ones visible.
  const logY = all.every((v) => v > 0) && Math.max(...all) / Math.min(...all) > 100;
  return layerBarsFigure({
    title: args.title ?? `Energy per frame by layer and execution mode (${cost.hardware.name})`,
    layers: cost.layers.map((layer) => layer.name),
    yTitle: `energy per frame (µJ${logY ? ', log scale' : ''})`,
    series,
    logY,
  });
}

/** Energy per frame (µJ) of each mode against temporal density (`energyVersusTemporalDensity`'s result fits). */
export interface EnergyCurveData {
  /** Hardware name, for the title. */
  hardware: string;
  /** Increasing, in [0, 1]. */
  temporalDensity: readonly number[];
  /** Mode -> energy per frame (µJ) at each temporal density. */
  energyUj: Readonly<Record<EnergyMode, readonly number[]>>;
  /** Exact cross-overs of delta execution with another mode. */
  crossovers: readonly { temporalDensity: number; energyUj: number; between: readonly [EnergyMode, EnergyMode] }[];
}

/** Where a trained model runs (`operatingPoint`'s result fits). */
export interface OperatingPointData {
  /** Overall temporal density with the model's own per-layer densities, in [0, 1]. */
  temporalDensity: number;
  /** Mode -> energy per frame (µJ). */
  energyUj: Readonly<Record<EnergyMode, number>>;
}

export interface CrossoverArgs {
  /** The curve, e.g. `energyVersusTemporalDensity(toWorkloads(runs.delta.sparsity), 'eyeriss-v2-like')`. */
  curve: EnergyCurveData;
  /**
   * Trained models to mark at their measured operating point, delta-execution energy, by name, e.g.
   * `{ baseline: operatingPoint(workloads.baseline, hardware), ... }`. Default: none.
   */
  operatingPoints?: Readonly<Record<string, OperatingPointData>>;
  /** Default: `'Energy per frame vs. temporal density (<hardware>)'`. */
  title?: string;
}

/**
 * Whole-network energy per frame (µJ) against a temporal density applied to every layer, one line per mode
 * (dense, delta, zero-skipping), with the exact cross-overs marked and each operating point on the delta
 * line's side (with a note saying how the two differ). Throws a DeltaSparsityError for a curve that is not
 * `energyVersusTemporalDensity`'s shape (e.g. the workloads and hardware of the former signature).
 */
export function crossoverFigure(args: CrossoverArgs): Figure {
  requireFigureArgs('crossoverFigure', args, '{ curve, operatingPoints?, title? }');
  if ('models' in args) {
    throw invalidArgument('models', 'operatingPoints: { [name]: operatingPoint(workloads, hardware) } (crossoverFigure no longer computes them)', 'models');
  }
  const { curve } = args;
  if (curve == null || typeof curve !== 'object' || !Array.isArray(curve.temporalDensity as unknown) || curve.energyUj == null || !Array.isArray(curve.crossovers as unknown)) {
    throw invalidArgument('curve', 'an energy curve (energyVersusTemporalDensity(workloads, hardware))', curve);
  }
  if (args.operatingPoints != null && (typeof args.operatingPoints !== 'object' || Array.isArray(args.operatingPoints))) {
    throw invalidArgument('operatingPoints', 'an object { [model name]: operatingPoint(workloads, hardware) }', args.operatingPoints);
  }
  const models = Object.entries(args.operatingPoints ?? {});
  for (const [name, point] of models) {
    if (point == null || typeof point !== 'object' || Array.isArray(point) || point.energyUj == null) {
      throw invalidArgument(`operatingPoints.${name}`, 'an operating point (operatingPoint(workloads, hardware)), not workloads', point);
    }
  }
  models.forEach(([name, point]) => checkFiniteArray(`operatingPoints.${name}`, [point?.temporalDensity, point?.energyUj?.delta]));
  return costCrossoverFigure({
    title: args.title ?? `Energy per frame vs. temporal density (${curve.hardware})`,
    temporalDensity: curve.temporalDensity,
    xTitle: 'temporal density (fraction of changes sent, every layer)',
    yTitle: 'energy per frame (µJ)',
    series: (['dense', 'delta', 'zero-skipping'] as const).map((mode) => ({ name: mode, cost: curve.energyUj[mode] })),
    crossovers: curve.crossovers.map((c) => ({ x: c.temporalDensity, y: c.energyUj, between: [c.between[0], c.between[1]] as [string, string] })),
    ...(args.operatingPoints ? { note: 'Lines: the delta model with the same temporal density in every layer.<br>Markers: each trained model in delta execution, with its own measured per-layer densities (so it may sit off the line).', height: 480 } : {}),
    operatingPoints: models.map(([name, point]) => ({
      name,
      temporalDensity: point.temporalDensity,
      cost: point.energyUj.delta,
      hover: ENERGY_MODES.map((mode) => `${mode}: ${point.energyUj[mode].toPrecision(3)} µJ/frame`).join('<br>'),
    })),
  });
}
