import { describe, expect, it } from 'vitest';
import { MODEL_SYMBOLS, NAMED_COLORS, costCrossoverFigure, crossoverFigure } from '../../lib/viz';
import { energyVersusTemporalDensity, operatingPoint, type LayerWorkload } from '../../lib/hardware';
import { DeltaSparsityError } from '../../lib/util/errors';

const layers = (temporalDensity: number, spatialDensity = 0.5): LayerWorkload[] => [
  { name: 'conv1', kind: 'conv', inputActivations: 100, fanOut: 72, weights: 864, outputs: 400, spatialDensity: 0.9, temporalDensity },
  { name: 'conv2', kind: 'conv', inputActivations: 300, fanOut: 144, weights: 18432, outputs: 200, spatialDensity, temporalDensity },
];

describe('costCrossoverFigure operating points', () => {
  it('adds one marker trace per operating point, after the cross-over, in the model\'s colour and symbol', () => {
    const fig = costCrossoverFigure({
      temporalDensity: [0, 0.5, 1],
      series: [{ name: 'dense', cost: [10, 10, 10] }, { name: 'delta', cost: [2, 7, 12] }],
      yTitle: 'energy per frame (µJ)',
      operatingPoints: [{ name: 'delta', temporalDensity: 0.2, cost: 4 }, { name: 'baseline', temporalDensity: 0.6, cost: 8, hover: 'dense: 10 µJ' }],
    });
    // delta - dense = -8, -3, 2: crosses between 0.5 and 1 at 0.5 + 0.5·3/5 = 0.8 (cost 7 + 0.6·5 = 10).
    expect(fig.data.map((t) => t.name)).toEqual(['dense', 'delta', 'cross-over', 'delta (measured)', 'baseline (measured)']);
    expect(fig.data[2].x?.[0]).toBeCloseTo(0.8, 12);
    expect([fig.data[3].x, fig.data[3].y]).toEqual([[0.2], [4]]);
    expect(fig.data[3].marker?.color).toBe(NAMED_COLORS.delta);
    expect(fig.data[4].marker?.symbol).toBe(MODEL_SYMBOLS.baseline);
    expect(fig.data[4].text).toEqual(['baseline<br>dense: 10 µJ']);
    // The series keep their mode colours.
    expect([fig.data[0].line?.color, fig.data[1].line?.color]).toEqual([NAMED_COLORS.dense, NAMED_COLORS.delta]);
    expect(fig.layout.xaxis?.range?.[1]).toBeCloseTo(1.01, 12);
  });
});

describe('crossoverFigure (energy curve and operating points computed by lib/hardware)', () => {
  it('draws dense, delta and zero-skipping energy, marks the cross-overs and each model at its measured density', () => {
    const models = { baseline: layers(0.5), delta: layers(0.1) };
    const curve = energyVersusTemporalDensity(layers(0.1), 'eyeriss-v2-like', { points: 11 });
    const operatingPoints = { baseline: operatingPoint(models.baseline, 'eyeriss-v2-like'), delta: operatingPoint(models.delta, 'eyeriss-v2-like') };
    const fig = crossoverFigure({ curve, operatingPoints });
    const names = fig.data.map((t) => t.name);
    expect(names.slice(0, 3)).toEqual(['dense', 'delta', 'zero-skipping']);
    expect(names.slice(-2)).toEqual(['baseline (measured)', 'delta (measured)']);
    expect(fig.data[2].line?.color).toBe(NAMED_COLORS['zero-skipping']);
    // Every layer has the same density here, so the overall one is that density, and the marker's height
    // is the model's delta-execution energy.
    const baseline = fig.data[fig.data.length - 2];
    expect(baseline.x).toEqual([0.5]);
    expect(baseline.y?.[0]).toBeCloseTo(operatingPoint(models.baseline, 'eyeriss-v2-like').energyUj.delta, 12);
    expect(fig.layout.xaxis?.title?.text).toContain('temporal density');
    expect(fig.layout.yaxis?.title?.text).toBe('energy per frame (µJ)');
    // The lines are the curve's points as they are; the cross-over marker sits on the curve's exact cross-overs.
    expect(fig.data[1].x).toEqual(curve.temporalDensity);
    expect(fig.data[1].y).toEqual(curve.energyUj.delta);
    expect(fig.data[3].x).toEqual(curve.crossovers.map((c) => c.temporalDensity));
    expect(fig.data[3].text).toEqual(curve.crossovers.map((c) => `delta = ${c.between[1]}`));
    // Without operating points: no markers and no note.
    const bare = crossoverFigure({ curve });
    expect(bare.data.some((t) => t.name?.endsWith('(measured)'))).toBe(false);
    expect(bare.layout.annotations?.some((a) => String(a.text).startsWith('Lines:'))).toBe(false);
  });

  it('refuses the former signature (workloads and hardware) with a one-line error naming the argument', () => {
    const call = () => (crossoverFigure as unknown as (a: unknown, b: unknown) => unknown)({ curve: layers(0.1) }, 'eyeriss-v2-like');
    expect(call).toThrow(DeltaSparsityError);
    expect(call).toThrow(/^curve: expected an energy curve \(energyVersusTemporalDensity\(workloads, hardware\)\)/);
    const positional = () => (crossoverFigure as unknown as (a: unknown, b: unknown) => unknown)(layers(0.1), 'eyeriss-v2-like');
    expect(positional).toThrow(/^crossoverFigure arguments: expected one object of named arguments \{ curve, operatingPoints\?, title\? \}/);
  });

  it('names the former models option, and operating points given as workloads or as an array', () => {
    const curve = energyVersusTemporalDensity(layers(0.1), 'eyeriss-v2-like', { points: 5 });
    const loose = crossoverFigure as unknown as (args: unknown) => unknown;
    expect(() => loose({ curve, models: { delta: layers(0.1) } })).toThrow(/^models: expected operatingPoints: \{ \[name\]: operatingPoint\(workloads, hardware\) \}/);
    expect(() => loose({ curve, operatingPoints: { delta: layers(0.1) } })).toThrow(/^operatingPoints\.delta: expected an operating point \(operatingPoint\(workloads, hardware\)\), not workloads/);
    expect(() => loose({ curve, operatingPoints: [operatingPoint(layers(0.1), 'eyeriss-v2-like')] })).toThrow(/^operatingPoints: expected an object/);
  });
});
