/** The study's figures, built from plain results (shared by the HTML report and the notebooks). */
import type { AblationRecord } from '../ablation/thresholdAblation';
import { estimateCost, type CostResult, type LayerWorkload } from '../hardware';
import type { SparsityMeasurement } from '../sparsity';
import type { EpochMetrics } from '../train/runFolder';
import {
  costCrossoverFigure,
  lineCrossings,
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

/** Whole-network energy per frame against a temporal density applied to every layer, with cross-overs. */
export function crossoverFigure(workloads: LayerWorkload[], hardware: string, points = 21): Figure {
  const densities = Array.from({ length: points }, (_, i) => i / (points - 1));
  const totals = densities.map((t) => estimateCost(workloads, hardware, { temporalDensity: t }).totals);
  const energy = (mode: 'dense' | 'spatial' | 'delta') => totals.map((t) => t[mode].energyPj.total / 1e6);
  const [dense, zeroSkipping, delta] = [energy('dense'), energy('spatial'), energy('delta')];
  const crossings = (other: number[], name: string) =>
    lineCrossings(densities, other, delta).map((c) => ({ ...c, between: ['delta', name] as [string, string] }));
  return costCrossoverFigure({
    title: `Energy per frame vs. temporal density (${hardware})`,
    temporalDensity: densities,
    yTitle: 'energy per frame (µJ)',
    series: [
      { name: 'dense', cost: dense },
      { name: 'delta', cost: delta },
      { name: 'zero-skipping', cost: zeroSkipping },
    ],
    crossovers: [...crossings(dense, 'dense'), ...crossings(zeroSkipping, 'zero-skipping')],
  });
}
