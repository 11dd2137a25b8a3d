/**
 * The result types of the cost model (`cost.ts`): modes, energy breakdowns, per-layer and network costs, and
 * cross-over temporal densities. Units: energies in pJ per frame, bytes per frame, seconds per frame.
 */
import type { LayerWorkload } from './workload';

export type CostMode = 'dense' | 'zero-skipping' | 'delta';
export const COST_MODES: readonly CostMode[] = ['dense', 'zero-skipping', 'delta'];

/** Where persistent data (weights, delta state) lives between frames. */
export type MemoryPlacement = 'sram' | 'dram';

export interface EstimateCostOptions {
  /**
   * Where the delta state lives. `auto` (default): on chip (global buffer) while it fits, layer by layer;
   * `sram` forces all of it on chip regardless of capacity, `dram` forces it off chip.
   */
  statePlacement?: 'auto' | MemoryPlacement;
  /**
   * Temporal density to use for every layer instead of the layers' own `temporalDensity` (what-if).
   * Default: each layer's own value. Each layer's delta MAC density is scaled with it in proportion (see cost.ts).
   */
  temporalDensity?: number;
}

/** Energy split of one layer (or total) in one mode, pJ. */
export interface EnergyBreakdown {
  compute: number;
  weights: number;
  activations: number;
  deltaState: number;
  total: number;
}

/** Cost of one layer (or of the network) in one mode, per frame. */
export interface ModeCost {
  /** MACs done with non-zero operands. */
  macs: number;
  /** MAC slots issued (skipped MACs take none; gated MACs still take one). */
  issuedMacs: number;
  /** max(computeCycles, memoryCycles) for a layer; the sum of the layers' cycles for totals. */
  cycles: number;
  computeCycles: number;
  memoryCycles: number;
  latencySeconds: number;
  energyPj: EnergyBreakdown;
  dramBytes: number;
  sramBytes: number;
}

export interface LayerModeCost extends ModeCost {
  /** Input (activation) density used in this mode (1, s or t): activation traffic and delta state. */
  density: number;
  /** MAC density used in this mode (1, s_mac or t_mac): executed MACs / dense MACs (see cost.ts). */
  macDensity: number;
  weightPlacement: MemoryPlacement;
  /** Where the delta state lives (`null` outside delta mode). */
  statePlacement: MemoryPlacement | null;
  /** Bytes of delta state kept between frames (0 outside delta mode). */
  stateBytes: number;
}

/** Largest temporal density at which delta execution costs no more energy than the reference. */
export interface Crossover {
  /** vs dense execution. */
  vsDense: number;
  /** vs spatial zero-skipping/gating with the layers' own spatial density. */
  vsZeroSkipping: number;
}

export interface LayerCost {
  name: string;
  kind: LayerWorkload['kind'];
  spatialDensity: number;
  temporalDensity: number;
  modes: Record<CostMode, LayerModeCost>;
  crossover: Crossover;
}

export interface CostResult {
  hardware: { name: string; version: string; file?: string };
  layers: LayerCost[];
  totals: Record<CostMode, ModeCost>;
  crossover: Crossover;
}

