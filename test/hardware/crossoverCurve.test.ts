import { describe, expect, it } from 'vitest';
import { crossoverTemporalDensity, energyVersusTemporalDensity, estimateCost, operatingPoint, type LayerWorkload } from '../../lib/hardware';
import { DeltaSparsityError } from '../../lib/util/errors';

// Two layers of a small conv network; eyeriss-v2-like is a shipped preset.
const layers: LayerWorkload[] = [
  { name: 'conv1', kind: 'conv', inputActivations: 100, fanOut: 72, weights: 864, outputs: 400, spatialDensity: 0.9, temporalDensity: 0.2 },
  { name: 'conv2', kind: 'conv', inputActivations: 300, fanOut: 144, weights: 18432, outputs: 200, spatialDensity: 0.5, temporalDensity: 0.6 },
];
const hardware = 'eyeriss-v2-like';

describe('energyVersusTemporalDensity', () => {
  const curve = energyVersusTemporalDensity(layers, hardware, { points: 5 });

  it('samples 0, 0.25, ..., 1 plus the exact cross-overs, each value the cost model at that density in µJ', () => {
    const exact = crossoverTemporalDensity(layers, hardware).overall;
    const inside = [exact.vsDense, exact.vsZeroSkipping].filter((t) => t > 0 && t < 1);
    expect(curve.temporalDensity).toEqual([...new Set([0, 0.25, 0.5, 0.75, 1, ...inside])].sort((a, b) => a - b));
    // Reference: estimateCost with that density forced on every layer, pJ / 1e6 = µJ.
    const at = (t: number) => estimateCost(layers, hardware, { temporalDensity: t }).totals;
    curve.temporalDensity.forEach((t, i) => {
      expect(curve.energyUj.delta[i]).toBeCloseTo(at(t).delta.energyPj.total / 1e6, 12);
      expect(curve.energyUj.dense[i]).toBeCloseTo(at(t).dense.energyPj.total / 1e6, 12);
    });
  });

  it('puts each marked cross-over where delta costs what the other mode costs', () => {
    expect(curve.crossovers.length).toBeGreaterThan(0);
    for (const c of curve.crossovers) {
      const i = curve.temporalDensity.indexOf(c.temporalDensity);
      expect(i).toBeGreaterThanOrEqual(0);
      expect(c.energyUj).toBe(curve.energyUj.delta[i]);
      // The definition of a cross-over: equal energy (to rounding of the closed-form density).
      expect(curve.energyUj.delta[i]).toBeCloseTo(curve.energyUj[c.between[1]][i], 6);
    }
    expect(() => energyVersusTemporalDensity(layers, hardware, { points: 1 })).toThrow(DeltaSparsityError);
  });
});

describe('operatingPoint', () => {
  it('weights the layers\' temporal densities by their input activations and costs the model as measured', () => {
    const point = operatingPoint(layers, hardware);
    // (0.2·100 + 0.6·300) / (100 + 300) = (20 + 180) / 400 = 0.5
    expect(point.temporalDensity).toBeCloseTo(0.5, 12);
    const measured = estimateCost(layers, hardware).totals;
    expect(point.energyUj.delta).toBeCloseTo(measured.delta.energyPj.total / 1e6, 12);
    expect(point.energyUj['zero-skipping']).toBeCloseTo(measured['zero-skipping'].energyPj.total / 1e6, 12);
  });
});
