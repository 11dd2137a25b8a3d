/**
 * A deliberately simple, analytic cost model of one video frame of inference on three kinds of hardware
 * execution. Plain numbers in, plain (JSON-able) numbers out; no TensorFlow.
 *
 * ## Modes
 * - `dense`:   every MAC is done; zeros are not exploited.
 * - `zero-skipping`: zero-skipping / zero-gating on the input activations (spatial sparsity, density s).
 * - `delta`:   the layer consumes changes Δ = x_t − x_sent instead of values (temporal sparsity, density t),
 *              and keeps state between frames: per input neuron the last value it sent, per output an
 *              accumulator (y_t = y_{t−1} + W·Δ_t).
 *
 * ## Notation (per layer, per frame)
 *   n inputs, f fan-out, W weights, m outputs, N = n·f dense MACs (padding taps included), d_w weight density
 *   (default 1),
 *   d = input density of the mode: 1 (dense), s (zero-skipping), t (delta): fraction of values moved,
 *   d_mac = MAC density of the mode: 1 (dense), s_mac = `zeroSkippingMacDensity`, t_mac = `deltaMacDensity`
 *   (default s, t): executed MACs of the non-zero inputs / N. It differs from d because a skip-capable
 *   accelerator never executes the taps on padding and an input's fan-out depends on its position
 *   (lib/sparsity/measure.ts),
 *   b = dataWidthBits, b_acc = accumulatorWidthBits, P = MAC units,
 *   E(level, op, bits) = level.{read|write}EnergyPj · bits / level.accessBits   (energy of moving one value).
 * Zero policies (hardware `zeros.inputs`, `zeros.weights`; both taken as `none` in dense mode):
 *   e_x = d_x if policy_x ∈ {gate, skip} else 1      (fraction of the operand treated as non-zero: energy)
 *   k_x = d_x if policy_x = skip else 1               (fraction of the operand that is issued/moved: cycles)
 *   with d_mac in e_in, k_in for MACs and weight fetches, and d for the activations moved (k_in,act).
 *
 * ## Formulas
 *   active MACs   A = N · e_in · e_w                        (the reported `macs`)
 *   issued MACs   I = N · k_in · k_w
 *   compute       E_c = A·E_mac,active + (N − A)·E_mac,idle (a gated or skipped MAC still costs the idle energy)
 *   weights       F_w = k_w · min(W, k_in·N)   weights moved into the scratchpad (a skipped input needs none of
 *                                             its weights; no weight is fetched twice in a frame)
 *                 E_w = A·E(wSpad, read, b) + F_w·(E(wSpad, write, b) + E(src_w, read, b))
 *                 src_w = global buffer if the layer's weights stay on chip between frames, else DRAM
 *   activations   F_in = k_in,act · n                        values (or non-zero deltas) moved
 *                 E_a = A·E(iSpad, read, b) + F_in·(E(GLB, write, b) + E(GLB, read, b) + E(iSpad, write, b))
 *                 (each activation is charged to the layer that consumes it: written to and read back from
 *                 the global buffer once; activations never spill to DRAM)
 *   delta state   (delta mode only; at location L = global buffer if it fits, else DRAM)
 *                 E_s = n·E(L, read, b) + t·n·E(L, write, b) + m·(E(L, read, b_acc) + E(L, write, b_acc))
 *                 every input's last-sent value is read to form Δ; only the t·n that fired are written back;
 *                 every accumulator is read and written once per frame.
 *   traffic       DRAM bytes = F_w·b/8 [weights off chip] + (n + t·n)·b/8 + 2m·b_acc/8 [state in DRAM]
 *                 SRAM bytes = 2·F_in·b/8 + F_w·b/8 [weights on chip] + state bytes [state in SRAM]
 *                 (SRAM = the global buffer; scratchpad accesses appear in energy only)
 *   cycles        max(I / P, DRAM bytes / dram.bytesPerCycle);  latency = cycles / clockHz
 *
 * ## What stays on chip (decided once per mode for the whole network, independent of t)
 *   capacity C = globalBuffer.capacityBytes − max over layers of (n + m)·b/8 (one layer's activations in flight).
 *   delta mode: states first, first-fit in layer order (a layer whose state does not fit in what is left goes
 *   to DRAM and later layers are still tried), or as `statePlacement` says; then, all modes: weights
 *   (k_w·W·b/8 bytes, compressed if weight zeros are skipped), first-fit in layer order. Anything that does not fit lives in DRAM and is moved every frame.
 *
 * ## Cross-over temporal density
 *   A what-if temporal density t (option `temporalDensity`, the cross-over, the energy curve) scales each
 *   layer's delta MAC density in proportion: t_mac(t) = min(1, t · r), r = measured t_mac / measured t (1 when
 *   either is missing or t = 0), i.e. the changes are assumed to keep the positions (and so the average
 *   executed fan-out) of the measured ones.
 *   With placement fixed, E_delta(t) is piecewise linear and non-decreasing in t (idle ≤ active MAC energy),
 *   with at most two kinks per layer: at t = W / (r·N) where min(W, t_mac·N) saturates (only when inputs are
 *   skipped), and at t = 1 / r where t_mac reaches 1 (only when r > 1).
 *   The cross-over t* against a reference energy E_ref (dense, or zero-skipping with the layer's own s) is the
 *   largest t with E_delta(t) ≤ E_ref: on the linear piece [t_a, t_b] that contains it,
 *     t* = t_a + (E_ref − E_delta(t_a)) · (t_b − t_a) / (E_delta(t_b) − E_delta(t_a)),
 *   0 if E_delta(0) > E_ref (delta never wins) and 1 if E_delta(1) ≤ E_ref. "Overall" applies one t to all
 *   layers and compares network totals (kinks are the union of the layers' kinks).
 *
 * Not modelled (simplifications to keep in mind when reading numbers): scratchpad capacities and refetches
 * caused by tiling, metadata of compressed formats, load imbalance between MAC units, SRAM bandwidth,
 * the network's first input and last output, biases, non-linearities and the delta comparisons' logic.
 */
import { checkOptionKeys, invalidArgument, optionKeys } from '../util/errors';
import type { LayerWorkload } from './workload';
import { HardwareSpec, MemoryLevelSpec, DramSpec, ZeroPolicy, validateHardwareSpec } from './spec';
import { loadHardware } from './presets';
import { validateLayerWorkloads } from './validate';
import {
  COST_MODES,
  type CostMode,
  type CostResult,
  type Crossover,
  type EstimateCostOptions,
  type LayerCost,
  type LayerModeCost,
  type MemoryPlacement,
  type ModeCost,
} from './costTypes';

export * from './costTypes';


interface Placements {
  weights: MemoryPlacement[];
  state: MemoryPlacement[];
}

function perValue(level: MemoryLevelSpec | DramSpec, op: 'read' | 'write', bits: number): number {
  const energy = op === 'read' ? level.readEnergyPj : level.writeEnergyPj;
  return (energy * bits) / level.accessBits;
}

function stateBytesOf(layer: LayerWorkload, hw: HardwareSpec): number {
  return (layer.inputActivations * hw.dataWidthBits + layer.outputs * hw.accumulatorWidthBits) / 8;
}

function storedWeightBytes(layer: LayerWorkload, hw: HardwareSpec): number {
  const weightDensity = layer.weightDensity ?? 1;
  const kept = hw.zeros.weights === 'skip' ? weightDensity : 1;
  return (kept * layer.weights * hw.dataWidthBits) / 8;
}

/** Decides, once per mode, which layers keep their weights and delta state in the global buffer. */
function place(layers: LayerWorkload[], hw: HardwareSpec, mode: CostMode, statePlacement: 'auto' | MemoryPlacement): Placements {
  const inFlight = Math.max(0, ...layers.map((l) => ((l.inputActivations + l.outputs) * hw.dataWidthBits) / 8));
  let free = Math.max(0, hw.memory.globalBuffer.capacityBytes - inFlight);
  const state: MemoryPlacement[] = layers.map(() => 'dram');
  if (mode === 'delta') {
    layers.forEach((layer, i) => {
      const bytes = stateBytesOf(layer, hw);
      if (statePlacement === 'sram') state[i] = 'sram';
      else if (statePlacement === 'auto' && bytes <= free) {
        state[i] = 'sram';
        free -= bytes;
      }
    });
  }
  const weights: MemoryPlacement[] = layers.map((layer) => {
    const bytes = storedWeightBytes(layer, hw);
    if (bytes <= free) {
      free -= bytes;
      return 'sram';
    }
    return 'dram';
  });
  return { weights, state };
}

function fractions(policy: ZeroPolicy, density: number): { energy: number; issued: number } {
  return {
    energy: policy === 'none' ? 1 : density,
    issued: policy === 'skip' ? density : 1,
  };
}

/** The per-layer formulas of the module comment, for one mode and its densities `d`, `d_mac`. */
function layerModeCost(
  layer: LayerWorkload,
  hw: HardwareSpec,
  mode: CostMode,
  { d, dMac }: Densities,
  weightPlacement: MemoryPlacement,
  statePlacement: MemoryPlacement,
): LayerModeCost {
  const n = layer.inputActivations;
  const m = layer.outputs;
  const N = n * layer.fanOut;
  const b = hw.dataWidthBits;
  const bAcc = hw.accumulatorWidthBits;
  const { inputSpad, weightSpad, globalBuffer, dram } = hw.memory;
  const dense = mode === 'dense';
  const input = fractions(dense ? 'none' : hw.zeros.inputs, dMac);
  const inputValues = fractions(dense ? 'none' : hw.zeros.inputs, d);
  const weight = fractions(dense ? 'none' : hw.zeros.weights, layer.weightDensity ?? 1);

  const A = N * input.energy * weight.energy;
  const I = N * input.issued * weight.issued;
  const compute = A * hw.mac.activeEnergyPj + (N - A) * hw.mac.idleEnergyPj;

  const Fw = weight.issued * Math.min(layer.weights, input.issued * N);
  const weightSource = weightPlacement === 'sram' ? globalBuffer : dram;
  const weights = A * perValue(weightSpad, 'read', b) + Fw * (perValue(weightSpad, 'write', b) + perValue(weightSource, 'read', b));

  const Fin = inputValues.issued * n;
  const activations =
    A * perValue(inputSpad, 'read', b) +
    Fin * (perValue(globalBuffer, 'write', b) + perValue(globalBuffer, 'read', b) + perValue(inputSpad, 'write', b));

  let deltaState = 0;
  let stateTrafficBytes = 0;
  if (mode === 'delta') {
    const where = statePlacement === 'sram' ? globalBuffer : dram;
    deltaState =
      n * perValue(where, 'read', b) +
      d * n * perValue(where, 'write', b) +
      m * (perValue(where, 'read', bAcc) + perValue(where, 'write', bAcc));
    stateTrafficBytes = ((n + d * n) * b + 2 * m * bAcc) / 8;
  }

  const weightBytes = (Fw * b) / 8;
  const dramBytes = (weightPlacement === 'dram' ? weightBytes : 0) + (statePlacement === 'dram' ? stateTrafficBytes : 0);
  const sramBytes =
    (2 * Fin * b) / 8 + (weightPlacement === 'sram' ? weightBytes : 0) + (statePlacement === 'sram' ? stateTrafficBytes : 0);
  const computeCycles = I / hw.macUnits;
  const memoryCycles = dramBytes / dram.bytesPerCycle;
  const cycles = Math.max(computeCycles, memoryCycles);
  const total = compute + weights + activations + deltaState;
  return {
    density: d,
    macDensity: dMac,
    macs: A,
    issuedMacs: I,
    cycles,
    computeCycles,
    memoryCycles,
    latencySeconds: cycles / hw.clockHz,
    energyPj: { compute, weights, activations, deltaState, total },
    dramBytes,
    sramBytes,
    weightPlacement,
    statePlacement: mode === 'delta' ? statePlacement : null,
    stateBytes: mode === 'delta' ? stateBytesOf(layer, hw) : 0,
  };
}

function sumModeCosts(costs: ModeCost[], hw: HardwareSpec): ModeCost {
  const sum = (pick: (c: ModeCost) => number) => costs.reduce((acc, c) => acc + pick(c), 0);
  const cycles = sum((c) => c.cycles);
  return {
    macs: sum((c) => c.macs),
    issuedMacs: sum((c) => c.issuedMacs),
    cycles,
    computeCycles: sum((c) => c.computeCycles),
    memoryCycles: sum((c) => c.memoryCycles),
    latencySeconds: cycles / hw.clockHz,
    energyPj: {
      compute: sum((c) => c.energyPj.compute),
      weights: sum((c) => c.energyPj.weights),
      activations: sum((c) => c.energyPj.activations),
      deltaState: sum((c) => c.energyPj.deltaState),
      total: sum((c) => c.energyPj.total),
    },
    dramBytes: sum((c) => c.dramBytes),
    sramBytes: sum((c) => c.sramBytes),
  };
}

function resolveHardware(hardware: HardwareSpec | string): HardwareSpec {
  return typeof hardware === 'string' ? loadHardware(hardware) : validateHardwareSpec(hardware);
}

/** The activation density d and the MAC density d_mac of a layer in a mode (see the module comment). */
interface Densities {
  d: number;
  dMac: number;
}

/** r of the module comment: delta MACs per non-zero change relative to the average fan-out. */
function deltaMacRatio(layer: LayerWorkload): number {
  if (layer.deltaMacDensity === undefined || !(layer.temporalDensity > 0)) return 1;
  return layer.deltaMacDensity / layer.temporalDensity;
}

function densityOf(layer: LayerWorkload, mode: CostMode, temporalOverride: number | undefined): Densities {
  if (mode === 'dense') return { d: 1, dMac: 1 };
  if (mode === 'zero-skipping') return { d: layer.spatialDensity, dMac: layer.zeroSkippingMacDensity ?? layer.spatialDensity };
  if (temporalOverride === undefined) return { d: layer.temporalDensity, dMac: layer.deltaMacDensity ?? layer.temporalDensity };
  return { d: temporalOverride, dMac: Math.min(1, temporalOverride * deltaMacRatio(layer)) };
}

/** Everything that does not depend on the temporal density: validated inputs and placements per mode. */
interface Prepared {
  layers: LayerWorkload[];
  hw: HardwareSpec;
  placements: Record<CostMode, Placements>;
}

function prepare(layers: LayerWorkload[], hardware: HardwareSpec | string, options: EstimateCostOptions): Prepared {
  const hw = resolveHardware(hardware);
  const checked = validateLayerWorkloads(layers);
  const statePlacement = options.statePlacement ?? 'auto';
  if (!['auto', 'sram', 'dram'].includes(statePlacement)) {
    throw invalidArgument('statePlacement', 'one of "auto", "sram", "dram"', statePlacement);
  }
  if (options.temporalDensity !== undefined) {
    const t = options.temporalDensity;
    if (typeof t !== 'number' || !Number.isFinite(t) || t < 0 || t > 1) {
      throw invalidArgument('temporalDensity', 'a density in [0, 1]', t);
    }
  }
  const placements = {} as Record<CostMode, Placements>;
  for (const mode of COST_MODES) placements[mode] = place(checked, hw, mode, statePlacement);
  return { layers: checked, hw, placements };
}

function costOf(p: Prepared, i: number, mode: CostMode, d: Densities): LayerModeCost {
  const placement = p.placements[mode];
  return layerModeCost(p.layers[i], p.hw, mode, d, placement.weights[i], placement.state[i]);
}

/** Largest t in [0, 1] with energy(t) ≤ reference, for a non-decreasing piecewise-linear energy(t). */
function solvePiecewiseLinear(energy: (t: number) => number, kinks: number[], reference: number): number {
  const points = [...new Set([0, 1, ...kinks.filter((k) => k > 0 && k < 1)])].sort((x, y) => x - y);
  const values = points.map(energy);
  // Relative tolerance: the energies are sums of products of the same numbers, so ties are exact up to rounding.
  const tolerance = 1e-12 * Math.max(Math.abs(reference), 1);
  if (values[0] > reference + tolerance) return 0;
  if (values[values.length - 1] <= reference + tolerance) return 1;
  for (let j = 1; j < points.length; j++) {
    if (values[j] > reference) {
      const [ta, tb, ea, eb] = [points[j - 1], points[j], values[j - 1], values[j]];
      return ta + ((reference - ea) * (tb - ta)) / (eb - ea);
    }
  }
  return 1;
}

function kinkOf(layer: LayerWorkload, hw: HardwareSpec): number[] {
  const N = layer.inputActivations * layer.fanOut;
  const r = deltaMacRatio(layer);
  if (!(r > 0)) return [];
  return [...(hw.zeros.inputs === 'skip' && N > 0 ? [layer.weights / (r * N)] : []), ...(r > 1 ? [1 / r] : [])];
}

function crossovers(p: Prepared): { layers: Crossover[]; overall: Crossover } {
  const indices = p.layers.map((_, i) => i);
  const deltaEnergy = (i: number) => (t: number) => costOf(p, i, 'delta', densityOf(p.layers[i], 'delta', t)).energyPj.total;
  const reference = (i: number, mode: 'dense' | 'zero-skipping') =>
    costOf(p, i, mode, densityOf(p.layers[i], mode, undefined)).energyPj.total;
  const layers = indices.map((i) => {
    const kinks = kinkOf(p.layers[i], p.hw);
    return {
      vsDense: solvePiecewiseLinear(deltaEnergy(i), kinks, reference(i, 'dense')),
      vsZeroSkipping: solvePiecewiseLinear(deltaEnergy(i), kinks, reference(i, 'zero-skipping')),
    };
  });
  const totalDelta = (t: number) => indices.reduce((acc, i) => acc + deltaEnergy(i)(t), 0);
  const allKinks = p.layers.flatMap((layer) => kinkOf(layer, p.hw));
  const totalReference = (mode: 'dense' | 'zero-skipping') => indices.reduce((acc, i) => acc + reference(i, mode), 0);
  return {
    layers,
    overall: {
      vsDense: solvePiecewiseLinear(totalDelta, allKinks, totalReference('dense')),
      vsZeroSkipping: solvePiecewiseLinear(totalDelta, allKinks, totalReference('zero-skipping')),
    },
  };
}

/**
 * Cost per frame of `layers` on `hardware` (a `HardwareSpec`, a preset name or a JSON file path) in the
 * dense, zero-skipping and delta modes, per layer and in total, plus the cross-over temporal densities.
 * Throws (naming the layer and the value) for densities outside [0, 1] and other malformed workloads.
 */
export function estimateCost(
  layers: LayerWorkload[],
  hardware: HardwareSpec | string,
  options: EstimateCostOptions = {},
): CostResult {
  checkOptionKeys('estimateCost', options, optionKeys<EstimateCostOptions>({ statePlacement: true, temporalDensity: true }));
  const p = prepare(layers, hardware, options);
  const cross = crossovers(p);
  const layerCosts: LayerCost[] = p.layers.map((layer, i) => {
    const modes = {} as Record<CostMode, LayerModeCost>;
    for (const mode of COST_MODES) modes[mode] = costOf(p, i, mode, densityOf(layer, mode, options.temporalDensity));
    return {
      name: layer.name,
      kind: layer.kind,
      spatialDensity: layer.spatialDensity,
      temporalDensity: options.temporalDensity ?? layer.temporalDensity,
      modes,
      crossover: cross.layers[i],
    };
  });
  const totals = {} as Record<CostMode, ModeCost>;
  for (const mode of COST_MODES) totals[mode] = sumModeCosts(layerCosts.map((l) => l.modes[mode]), p.hw);
  return {
    hardware: { name: p.hw.name, version: p.hw.version, ...(p.hw.file ? { file: p.hw.file } : {}) },
    layers: layerCosts,
    totals,
    crossover: cross.overall,
  };
}

/** Per-layer and overall cross-over temporal densities (see the module comment for the formula). */
export function crossoverTemporalDensity(
  layers: LayerWorkload[],
  hardware: HardwareSpec | string,
  options: Omit<EstimateCostOptions, 'temporalDensity'> = {},
): { layers: Array<Crossover & { name: string }>; overall: Crossover } {
  // The cross-over varies the temporal density itself: a fixed one is not an option here.
  checkOptionKeys('crossoverTemporalDensity', options, optionKeys<Omit<EstimateCostOptions, 'temporalDensity'>>({ statePlacement: true }));
  const p = prepare(layers, hardware, options);
  const cross = crossovers(p);
  return { layers: cross.layers.map((c, i) => ({ name: p.layers[i].name, ...c })), overall: cross.overall };
}
