import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../lib/util/random';
import { DeltaSparsityError } from '../../lib/util/errors';
import {
  COST_MODES,
  HardwareSpec,
  LayerWorkload,
  crossoverTemporalDensity,
  estimateCost,
  listHardwarePresets,
  loadHardware,
} from '../../lib/hardware';

/**
 * Round-number hardware so every term of the model can be followed by hand (energies in pJ, per 8-bit value
 * since every accessBits is 8; an accumulator of 16 bits costs twice the per-access energy).
 */
function handHardware(overrides: Partial<HardwareSpec> = {}): HardwareSpec {
  return {
    name: 'hand',
    version: '0',
    description: 'numbers chosen for hand computation',
    dataWidthBits: 8,
    accumulatorWidthBits: 16,
    macUnits: 2,
    clockHz: 1000,
    mac: { activeEnergyPj: 1, idleEnergyPj: 0.1 },
    zeros: { inputs: 'skip', weights: 'none' },
    memory: {
      inputSpad: { capacityBytes: 1, accessBits: 8, readEnergyPj: 0.25, writeEnergyPj: 0.5 },
      weightSpad: { capacityBytes: 1, accessBits: 8, readEnergyPj: 0.5, writeEnergyPj: 0.25 },
      globalBuffer: { capacityBytes: 1e6, accessBits: 8, readEnergyPj: 1, writeEnergyPj: 2 },
      dram: { accessBits: 8, readEnergyPj: 10, writeEnergyPj: 20, bytesPerCycle: 1 },
    },
    ...overrides,
  };
}

/** A dense layer: n = 10 inputs, fan-out f = 4 (so N = 40 MACs, W = 40 weights), m = 4 outputs. */
const L1: LayerWorkload = {
  name: 'fc',
  kind: 'dense',
  inputActivations: 10,
  fanOut: 4,
  weights: 40,
  outputs: 4,
  spatialDensity: 0.5,
  temporalDensity: 0.2,
};

/** A conv-like layer whose weights are reused: n = 16, f = 2 (N = 32), W = 4 (kink at t = W/N = 0.125), m = 8. */
const L2: LayerWorkload = {
  name: 'conv',
  kind: 'conv',
  inputActivations: 16,
  fanOut: 2,
  weights: 4,
  outputs: 8,
  spatialDensity: 0.25,
  temporalDensity: 0.1,
};

describe('estimateCost: one layer by hand', () => {
  const result = estimateCost([L1], handHardware());
  const [layer] = result.layers;

  it('dense mode', () => {
    // N = 10·4 = 40 MACs, all active and issued.
    // compute     = 40·1                                   = 40
    // weights     = 40 spad reads·0.5 + F_w=min(40,40)=40 ·(spad write 0.25 + GLB read 1) = 20 + 50 = 70
    // activations = 40 spad reads·0.25 + F_in=10 ·(GLB write 2 + GLB read 1 + spad write 0.5) = 10 + 35 = 45
    // total 155; cycles = 40 / 2 MAC units = 20; latency = 20 / 1000 Hz = 0.02 s
    // SRAM bytes = 2·10 activations + 40 weights = 60; DRAM 0 (everything fits in the 1 MB buffer)
    const dense = layer.modes.dense;
    expect(dense.macs).toBe(40);
    expect(dense.energyPj.compute).toBeCloseTo(40, 10);
    expect(dense.energyPj.weights).toBeCloseTo(70, 10);
    expect(dense.energyPj.activations).toBeCloseTo(45, 10);
    expect(dense.energyPj.deltaState).toBe(0);
    expect(dense.energyPj.total).toBeCloseTo(155, 10);
    expect(dense.cycles).toBe(20);
    expect(dense.latencySeconds).toBeCloseTo(0.02, 12);
    expect(dense.sramBytes).toBe(60);
    expect(dense.dramBytes).toBe(0);
    expect(dense.statePlacement).toBeNull();
  });

  it('spatial (zero-skipping) mode at s = 0.5', () => {
    // active = issued = 40·0.5 = 20 MACs; 20 skipped MACs cost the idle energy.
    // compute     = 20·1 + 20·0.1                           = 22
    // weights     = 20·0.5 + F_w=min(40, 0.5·40)=20 ·1.25   = 10 + 25 = 35
    // activations = 20·0.25 + F_in=0.5·10=5 ·3.5            = 5 + 17.5 = 22.5
    // total 79.5; cycles = 20 / 2 = 10; SRAM bytes = 2·5 + 20 = 30
    const spatial = layer.modes['zero-skipping'];
    expect(spatial.macs).toBe(20);
    expect(spatial.energyPj.compute).toBeCloseTo(22, 10);
    expect(spatial.energyPj.weights).toBeCloseTo(35, 10);
    expect(spatial.energyPj.activations).toBeCloseTo(22.5, 10);
    expect(spatial.energyPj.total).toBeCloseTo(79.5, 10);
    expect(spatial.cycles).toBe(10);
    expect(spatial.sramBytes).toBe(30);
  });

  it('delta mode at t = 0.2, state in the global buffer', () => {
    // active = issued = 40·0.2 = 8 MACs.
    // compute     = 8·1 + 32·0.1                            = 11.2
    // weights     = 8·0.5 + F_w=min(40, 0.2·40)=8 ·1.25     = 4 + 10 = 14
    // activations = 8·0.25 + F_in=0.2·10=2 ·3.5             = 2 + 7 = 9
    // delta state = 10 last-sent reads·1 + 2 writes·2 + 4 accumulators·(read 1·16/8 + write 2·16/8 = 6)
    //             = 10 + 4 + 24 = 38
    // total 72.2; cycles = 8 / 2 = 4
    // state bytes moved = (10 + 2)·1 + 2·4·2 = 28; SRAM bytes = 2·2 + 8 + 28 = 40
    const delta = layer.modes.delta;
    expect(delta.macs).toBeCloseTo(8, 12);
    expect(delta.energyPj.compute).toBeCloseTo(11.2, 10);
    expect(delta.energyPj.weights).toBeCloseTo(14, 10);
    expect(delta.energyPj.activations).toBeCloseTo(9, 10);
    expect(delta.energyPj.deltaState).toBeCloseTo(38, 10);
    expect(delta.energyPj.total).toBeCloseTo(72.2, 10);
    expect(delta.cycles).toBeCloseTo(4, 12);
    expect(delta.sramBytes).toBeCloseTo(40, 10);
    expect(delta.dramBytes).toBe(0);
    expect(delta.statePlacement).toBe('sram');
    // state kept: 10 inputs·1 B + 4 accumulators·2 B = 18 B
    expect(delta.stateBytes).toBe(18);
  });

  it('delta mode with the state forced into DRAM pays DRAM energy and bandwidth', () => {
    const delta = estimateCost([L1], handHardware(), { statePlacement: 'dram' }).layers[0].modes.delta;
    // state = 10 reads·10 + 2 writes·20 + 4·(read 10·2 + write 20·2 = 60) = 100 + 40 + 240 = 380
    expect(delta.energyPj.deltaState).toBeCloseTo(380, 10);
    // DRAM bytes = 28 (state traffic above); memory cycles = 28 / 1 B per cycle = 28 > 4 compute cycles
    expect(delta.dramBytes).toBeCloseTo(28, 10);
    expect(delta.computeCycles).toBeCloseTo(4, 12);
    expect(delta.cycles).toBeCloseTo(28, 10);
  });

  it('totals of one layer equal that layer', () => {
    for (const mode of COST_MODES) {
      expect(result.totals[mode].energyPj.total).toBeCloseTo(layer.modes[mode].energyPj.total, 10);
      expect(result.totals[mode].cycles).toBeCloseTo(layer.modes[mode].cycles, 10);
    }
  });

  it('the result is plain JSON', () => {
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });
});

describe('cross-over temporal density', () => {
  it('matches the hand computation for one layer', () => {
    // From the dense/delta arithmetic above, as functions of t (no kink: W/N = 40/40 = 1):
    //   compute 40t + 0.1·40(1−t) = 4 + 36t; weights 40t·0.5 + 40t·1.25 = 70t; activations 40t·0.25 + 10t·3.5 = 45t;
    //   state 10 + 10t·2 + 24 = 34 + 20t  =>  E_delta(t) = 38 + 171t  (check: t = 0.2 gives 72.2).
    // vs dense 155:   t* = (155 − 38) / 171 = 117/171;   vs spatial 79.5: t* = 41.5/171.
    const cross = crossoverTemporalDensity([L1], handHardware());
    expect(cross.layers[0].vsDense).toBeCloseTo(117 / 171, 12);
    expect(cross.layers[0].vsZeroSkipping).toBeCloseTo(41.5 / 171, 12);
    expect(cross.overall.vsDense).toBeCloseTo(117 / 171, 12);
    // estimateCost reports the same numbers.
    expect(estimateCost([L1], handHardware()).layers[0].crossover.vsDense).toBeCloseTo(117 / 171, 12);
  });

  it('handles the kink of a layer whose weights are reused, and the overall cross-over', () => {
    // L2: dense energy = compute 32 + weights (32·0.5 + 4·1.25 = 21) + activations (32·0.25 + 16·3.5 = 64) = 117.
    // E_delta(t) = (3.2 + 28.8t) + (16t + 1.25·min(4, 32t)) + 64t + (16 + 16t·2 + 8·6)
    //            = 67.2 + 140.8t + 1.25·min(4, 32t)  -> 67.2 + 180.8t below t = 0.125, 72.2 + 140.8t above.
    // vs dense: 72.2 + 140.8t = 117 -> t* = 44.8/140.8 (above the kink, so this piece is the right one).
    // spatial at s = 0.25: 10.4 + 9 + 16 = 35.4 < E_delta(0) = 67.2 -> delta never wins -> 0.
    // Overall (same t in both layers): E = 38 + 171t + E_L2(t); dense 155 + 117 = 272, spatial 79.5 + 35.4 = 114.9.
    //   vs dense, above the kink: 110.2 + 311.8t = 272 -> t* = 161.8/311.8.
    //   vs spatial, below the kink: 105.2 + 351.8t = 114.9 -> t* = 9.7/351.8.
    const cross = crossoverTemporalDensity([L1, L2], handHardware());
    expect(cross.layers[1].vsDense).toBeCloseTo(44.8 / 140.8, 12);
    expect(cross.layers[1].vsZeroSkipping).toBe(0);
    expect(cross.overall.vsDense).toBeCloseTo(161.8 / 311.8, 12);
    expect(cross.overall.vsZeroSkipping).toBeCloseTo(9.7 / 351.8, 12);
  });

  it('at the cross-over, delta and the reference cost the same energy', () => {
    const layers = [L1, L2];
    const cross = crossoverTemporalDensity(layers, 'eyeriss-v2-like');
    const at = estimateCost(layers, 'eyeriss-v2-like', { temporalDensity: cross.overall.vsDense });
    expect(at.totals.delta.energyPj.total).toBeCloseTo(at.totals.dense.energyPj.total, 6);
  });
});

describe('MAC densities: executed MACs differ from the activation densities', () => {
  // L1 as measured by measureSparsity: half the inputs non-zero (s = 0.5) but their executed MACs only 0.4 of
  // the dense 40 (s_mac), a fifth of the changes non-zero (t = 0.2) feeding 0.15 of the dense MACs (t_mac).
  const measured: LayerWorkload = { ...L1, zeroSkippingMacDensity: 0.4, deltaMacDensity: 0.15 };

  it('MACs and weight fetches follow the MAC density, activation traffic and delta state the activation density', () => {
    const [layer] = estimateCost([measured], handHardware()).layers;
    // Zero-skipping: A = I = 40·0.4 = 16; compute 16 + 24·0.1 = 18.4; weights 16·0.5 + F_w=min(40, 16)=16 ·1.25
    // = 8 + 20 = 28; activations 16·0.25 + F_in=0.5·10=5 ·3.5 = 4 + 17.5 = 21.5; total 67.9; cycles 16/2 = 8.
    const zs = layer.modes['zero-skipping'];
    expect([zs.density, zs.macDensity]).toEqual([0.5, 0.4]);
    expect(zs.macs).toBeCloseTo(16, 12);
    expect(zs.energyPj.compute).toBeCloseTo(18.4, 10);
    expect(zs.energyPj.weights).toBeCloseTo(28, 10);
    expect(zs.energyPj.activations).toBeCloseTo(21.5, 10);
    expect(zs.energyPj.total).toBeCloseTo(67.9, 10);
    expect(zs.cycles).toBeCloseTo(8, 12);
    expect(zs.sramBytes).toBeCloseTo(26, 10); // 2·5 activations + 16 weights
    // Delta: A = 40·0.15 = 6; compute 6 + 34·0.1 = 9.4; weights 6·0.5 + 6·1.25 = 10.5; activations 6·0.25 + 2·3.5
    // = 8.5; state as at t = 0.2: 38 (see 'delta mode at t = 0.2'); total 66.4.
    const delta = layer.modes.delta;
    expect([delta.density, delta.macDensity]).toEqual([0.2, 0.15]);
    expect(delta.energyPj.compute).toBeCloseTo(9.4, 10);
    expect(delta.energyPj.weights).toBeCloseTo(10.5, 10);
    expect(delta.energyPj.activations).toBeCloseTo(8.5, 10);
    expect(delta.energyPj.deltaState).toBeCloseTo(38, 10);
    expect(delta.energyPj.total).toBeCloseTo(66.4, 10);
    // Dense ignores them: 155 as in 'dense mode'.
    expect(layer.modes.dense.energyPj.total).toBeCloseTo(155, 10);
    expect(layer.modes.dense.macDensity).toBe(1);
  });

  it('a what-if temporal density scales the delta MAC density in proportion (r = 0.15 / 0.2 = 0.75)', () => {
    // t = 0.4: t_mac = 0.3, A = 12; compute 12 + 28·0.1 = 14.8; weights 12·1.75 = 21; activations 12·0.25 + 4·3.5 = 17;
    // state 10 + 4·2 + 24 = 42; total 94.8.
    const delta = estimateCost([measured], handHardware(), { temporalDensity: 0.4 }).layers[0].modes.delta;
    expect(delta.macDensity).toBeCloseTo(0.3, 12);
    expect(delta.energyPj.total).toBeCloseTo(94.8, 10);
    // E_delta(t) = (4 + 27t) + 52.5t + 42.5t + (34 + 20t) = 38 + 142t (t = 0.2 gives 66.4).
    // vs dense 155: t* = 117/142; vs zero-skipping 67.9: t* = 29.9/142.
    const cross = crossoverTemporalDensity([measured], handHardware());
    expect(cross.layers[0].vsDense).toBeCloseTo(117 / 142, 12);
    expect(cross.layers[0].vsZeroSkipping).toBeCloseTo(29.9 / 142, 12);
  });

  it('clamps the scaled MAC density at 1, with a kink there (r = 0.4 / 0.2 = 2)', () => {
    const dense = { ...L1, deltaMacDensity: 0.4 };
    // t ≤ 0.5: t_mac = 2t: compute 4 + 72t, weights 140t, activations 20t + 35t, state 34 + 20t → 38 + 287t;
    // t ≥ 0.5: t_mac = 1: compute 40, weights 70, activations 10 + 35t, state 34 + 20t → 154 + 55t (181.5 at 0.5 both).
    expect(estimateCost([dense], handHardware(), { temporalDensity: 0.8 }).layers[0].modes.delta.energyPj.total).toBeCloseTo(154 + 55 * 0.8, 10);
    const cross = crossoverTemporalDensity([dense], handHardware());
    expect(cross.layers[0].vsDense).toBeCloseTo(117 / 287, 12); // 38 + 287t = 155, below the kink
    expect(cross.layers[0].vsZeroSkipping).toBeCloseTo(41.5 / 287, 12); // 79.5: no zero-skipping MAC density given
  });

  it('defaults to the activation densities (hand-written and older workloads) and validates the new fields', () => {
    const old = estimateCost([L1], handHardware()).layers[0];
    expect([old.modes['zero-skipping'].macDensity, old.modes.delta.macDensity]).toEqual([0.5, 0.2]);
    expect(() => estimateCost([{ ...L1, deltaMacDensity: 1.5 }], handHardware())).toThrow(/deltaMacDensity of layer "fc".*1\.5/);
    expect(() => estimateCost([{ ...L1, zeroSkippingMacDensity: -1 }], handHardware())).toThrow(/zeroSkippingMacDensity of layer "fc"/);
  });
});

describe('invariants', () => {
  it('delta mode at temporal density 1 costs more than dense (the state overhead), on every preset', () => {
    for (const preset of listHardwarePresets()) {
      const result = estimateCost([{ ...L1, temporalDensity: 1 }, { ...L2, temporalDensity: 1 }], preset.name);
      for (const layer of result.layers) {
        expect(layer.modes.delta.energyPj.total).toBeGreaterThan(layer.modes.dense.energyPj.total);
        // ... and the difference is exactly the state energy: everything else equals dense at t = 1.
        const withoutState = layer.modes.delta.energyPj.total - layer.modes.delta.energyPj.deltaState;
        expect(withoutState).toBeCloseTo(layer.modes.dense.energyPj.total, 6);
      }
    }
  });

  it('gating lowers energy but not cycles', () => {
    const gating = handHardware({ zeros: { inputs: 'gate', weights: 'none' } });
    const layer = estimateCost([L1], gating).layers[0];
    // Hand check: A = 20, issued = 40 -> compute 22; weights 20·0.5 + 40·1.25 = 60; activations 20·0.25 + 10·3.5 = 40.
    expect(layer.modes['zero-skipping'].energyPj.total).toBeCloseTo(122, 10);
    expect(layer.modes['zero-skipping'].energyPj.total).toBeLessThan(layer.modes.dense.energyPj.total);
    expect(layer.modes['zero-skipping'].cycles).toBe(layer.modes.dense.cycles);
    expect(layer.modes['zero-skipping'].macs).toBe(20);
    // Skipping saves cycles as well.
    const skipping = estimateCost([L1], handHardware()).layers[0];
    expect(skipping.modes['zero-skipping'].cycles).toBeLessThan(skipping.modes.dense.cycles);
  });

  it('lower density never costs more in skipping mode (random densities and layers, all presets)', () => {
    const random = new SeededRandom(6);
    const presets = listHardwarePresets().map((p) => loadHardware(p.name));
    for (let trial = 0; trial < 200; trial++) {
      const hardware = presets[trial % presets.length];
      const n = 1 + random.int(5000);
      const fanOut = 1 + random.int(300);
      const kind = random.next() < 0.5 ? 'dense' : 'conv';
      const weights = kind === 'dense' ? n * fanOut : Math.max(1, Math.floor((n * fanOut) / (1 + random.int(1000))));
      const [low, high] = [random.next(), random.next()].sort((x, y) => x - y);
      const layer = (spatialDensity: number, temporalDensity: number): LayerWorkload => ({
        name: 'l',
        kind,
        inputActivations: n,
        fanOut,
        weights,
        outputs: 1 + random.int(5000),
        spatialDensity,
        temporalDensity,
      });
      const base = layer(low, low);
      const sparse = estimateCost([base], hardware).layers[0].modes;
      const denser = estimateCost([{ ...base, spatialDensity: high, temporalDensity: high }], hardware).layers[0].modes;
      for (const mode of ['zero-skipping', 'delta'] as const) {
        expect(sparse[mode].energyPj.total).toBeLessThanOrEqual(denser[mode].energyPj.total * (1 + 1e-12));
        expect(sparse[mode].cycles).toBeLessThanOrEqual(denser[mode].cycles * (1 + 1e-12));
        expect(sparse[mode].dramBytes).toBeLessThanOrEqual(denser[mode].dramBytes * (1 + 1e-12));
        expect(sparse[mode].sramBytes).toBeLessThanOrEqual(denser[mode].sramBytes * (1 + 1e-12));
      }
      // ... and zero-skipping never costs more than dense.
      expect(sparse['zero-skipping'].energyPj.total).toBeLessThanOrEqual(sparse.dense.energyPj.total * (1 + 1e-12));
    }
  });

  it('Eyeriss-like preset: dense compute energy is MACs × 0.561 pJ', () => {
    // N = 16·2 = 32 MACs × 0.561 pJ (Sparseloop artifact) = 17.952 pJ
    const layer = estimateCost([L2], 'eyeriss-v2-like').layers[0];
    expect(layer.modes.dense.energyPj.compute).toBeCloseTo(17.952, 10);
    // spatial at s = 0.25 with dense weights: 8 active × 0.561 + 24 skipped × 0.018 = 4.488 + 0.432 = 4.92
    expect(layer.modes['zero-skipping'].energyPj.compute).toBeCloseTo(4.92, 10);
  });
});

describe('placement in the global buffer', () => {
  it('keeps delta state first, then weights, while they fit', () => {
    // In flight: max((10+4)·1, (16+8)·1) = 24 B; capacity 44 B leaves 20 B.
    // delta: L1 state 10 + 4·2 = 18 B fits (2 B left); L2 state 16 + 8·2 = 32 B does not; weights (40 B, 4 B) do not.
    // dense: L1 weights 40 B do not fit; L2 weights 4 B do.
    const hw = handHardware();
    hw.memory.globalBuffer.capacityBytes = 44;
    const result = estimateCost([L1, L2], hw);
    expect(result.layers.map((l) => l.modes.delta.statePlacement)).toEqual(['sram', 'dram']);
    expect(result.layers.map((l) => l.modes.delta.weightPlacement)).toEqual(['dram', 'dram']);
    expect(result.layers.map((l) => l.modes.dense.weightPlacement)).toEqual(['dram', 'sram']);
    // L1 dense weights from DRAM: 40 weights·(spad read 0.5) + 40·(spad write 0.25 + DRAM read 10) = 20 + 410 = 430
    expect(result.layers[0].modes.dense.energyPj.weights).toBeCloseTo(430, 10);
    expect(result.layers[0].modes.dense.dramBytes).toBe(40);
  });
});

describe('bad densities', () => {
  it('names the layer and the value', () => {
    expect(() => estimateCost([{ ...L1, temporalDensity: 1.2 }], handHardware())).toThrow(DeltaSparsityError);
    expect(() => estimateCost([{ ...L1, temporalDensity: 1.2 }], handHardware())).toThrow(
      /temporalDensity of layer "fc".*1\.2/,
    );
    expect(() => estimateCost([L1, { ...L2, spatialDensity: -0.1 }], handHardware())).toThrow(
      /spatialDensity of layer "conv".*-0\.1/,
    );
    expect(() => estimateCost([{ ...L1, weightDensity: 2 }], handHardware())).toThrow(/weightDensity of layer "fc".*2/);
    expect(() => estimateCost([L1], handHardware(), { temporalDensity: 3 })).toThrow(/temporalDensity.*3/);
  });

  it('rejects hardware given in code with a bad field, naming it', () => {
    const hw = handHardware();
    hw.mac.idleEnergyPj = 2;
    expect(() => estimateCost([L1], hw)).toThrow(/mac\.idleEnergyPj.*2/);
    const negative = handHardware();
    negative.memory.dram.readEnergyPj = -5;
    expect(() => estimateCost([L1], negative)).toThrow(/memory\.dram\.readEnergyPj.*-5/);
  });
});
