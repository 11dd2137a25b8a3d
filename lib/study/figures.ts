/** The study's figures, built from plain results (shared by the HTML report and the notebooks). */
import type { AblationRecord } from '../ablation/thresholdAblation';
import { crossoverTemporalDensity, estimateCost, loadHardware, type CostResult, type HardwareSpec, type LayerWorkload } from '../hardware';
import type { SparsityMeasurement } from '../sparsity';
import type { EpochMetrics } from '../train/runFolder';
import {
  costCrossoverFigure,
  layerBarsFigure,
  paretoFigure,
  trainingCurvesFigure,
  type Figure,
  type ParetoPoint,
} from '../viz';

/** Loss, accuracy and temporal density per epoch, one line per run. */
export function studyCurvesFigure(runs: Record<string, EpochMetrics[]>): Figure {
  return trainingCurvesFigure({
    title: 'Training: loss, test accuracy and temporal density per epoch',
    runs: Object.entries(runs).map(([name, metrics]) => ({
      name,
      epochs: metrics.map((row) => row.epoch),
      history: {
        trainLoss: metrics.map((row) => row.trainLoss as number | null),
        testClipAccuracy: metrics.map((row) => row.testClipAccuracy as number | null),
        temporalDensity: metrics.map((row) => row.temporalDensity as number | null),
      },
    })),
    metrics: ['trainLoss', 'testClipAccuracy', 'temporalDensity'],
    metricTitles: { trainLoss: 'training loss', testClipAccuracy: 'test clip accuracy', temporalDensity: 'temporal density' },
  });
}

/** Per-layer density of each run: `which` selects spatial (non-zero activations) or temporal (non-zero changes). */
export function layerDensityFigure(measurements: Record<string, SparsityMeasurement>, which: 'spatialDensity' | 'temporalDensity'): Figure {
  const names = Object.keys(measurements);
  const layers = measurements[names[0]].layers.map((layer) => layer.name);
  return layerBarsFigure({
    title: which === 'temporalDensity' ? 'Temporal density of each layer\'s input (fraction of non-zero changes)' : 'Spatial density of each layer\'s input (fraction of non-zero activations)',
    layers,
    yTitle: which === 'temporalDensity' ? 'temporal density' : 'spatial density',
    series: names.map((name) => ({ name, values: layers.map((layerName) => measurements[name].layers.find((l) => l.name === layerName)?.[which] ?? 0) })),
  });
}

/** Accuracy against the fraction of dense MACs a delta accelerator executes, for ablation points and models. */
export function studyParetoFigure(records: AblationRecord[], models: Record<string, { accuracy: number; deltaOpFraction: number }>): Figure {
  const points: ParetoPoint[] = [
    ...records
      .filter((record) => record.result.denseToDeltaOpsRatio !== null && record.result.denseToDeltaOpsRatio > 0)
      .map((record) => ({
        label: `q=${record.config.threshold}${record.config.mode === 'trained' ? ` λ=${record.config.sparsityWeight}` : ''}`,
        opDensity: 1 / (record.result.denseToDeltaOpsRatio as number),
        accuracy: record.result.testClipAccuracy,
      })),
    ...Object.entries(models).map(([name, model]) => ({ label: name, opDensity: model.deltaOpFraction, accuracy: model.accuracy })),
  ];
  return paretoFigure({
    title: 'Accuracy vs. delta op density (fraction of dense MACs executed)',
    points,
    xTitle: 'delta op density (Σ nnz(Δ)·fanOut / Σ n·fanOut)',
    yTitle: 'test clip accuracy',
  });
}

/** Energy per frame of each layer in each execution mode (µJ). */
export function layerEnergyFigure(cost: CostResult): Figure {
  return layerBarsFigure({
    title: `Energy per frame by layer and execution mode (${cost.hardware.name})`,
    layers: cost.layers.map((layer) => layer.name),
    yTitle: 'energy per frame (µJ)',
    series: (['dense', 'spatial', 'delta'] as const).map((mode) => ({
      name: mode === 'spatial' ? 'zero-skipping' : mode,
      values: cost.layers.map((layer) => layer.modes[mode].energyPj.total / 1e6),
    })),
  });
}

/**
 * Whole-network energy per frame against a temporal density applied to every layer, with the exact
 * cross-overs of `crossoverTemporalDensity` marked (delta vs dense, delta vs zero-skipping).
 */
export function crossoverFigure(workloads: LayerWorkload[], hardware: string | HardwareSpec, points = 21): Figure {
  const spec = typeof hardware === 'string' ? loadHardware(hardware) : hardware;
  const exact = crossoverTemporalDensity(workloads, spec).overall;
  const marked = [
    { x: exact.vsDense, between: ['delta', 'dense'] as [string, string] },
    { x: exact.vsSpatial, between: ['delta', 'zero-skipping'] as [string, string] },
  ].filter((c) => c.x > 0 && c.x < 1);
  // The grid includes the cross-overs so that the (piecewise linear) delta line passes through the markers.
  const grid = Array.from({ length: points }, (_, i) => i / (points - 1));
  const densities = [...new Set([...grid, ...marked.map((c) => c.x)])].sort((a, b) => a - b);
  const totals = densities.map((t) => estimateCost(workloads, spec, { temporalDensity: t }).totals);
  const energy = (mode: 'dense' | 'spatial' | 'delta') => totals.map((t) => t[mode].energyPj.total / 1e6);
  const delta = energy('delta');
  return costCrossoverFigure({
    title: `Energy per frame vs. temporal density (${spec.name})`,
    temporalDensity: densities,
    yTitle: 'energy per frame (µJ)',
    series: [
      { name: 'dense', cost: energy('dense') },
      { name: 'delta', cost: delta },
      { name: 'zero-skipping', cost: energy('spatial') },
    ],
    crossovers: marked.map((c) => ({ ...c, y: delta[densities.indexOf(c.x)] })),
  });
}
