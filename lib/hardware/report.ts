/**
 * Flat rows and a readable text table of a `CostResult` (no dependencies; the DataFrame adapter and the CLI
 * build on these).
 */
import { COST_MODES, CostMode, CostResult, ModeCost } from './cost';

/** One row per (layer, mode), plus one `total` row per mode. Units in the column names. */
export interface CostRow {
  layer: string;
  mode: CostMode;
  density: number | null;
  macs: number;
  cycles: number;
  latency_s: number;
  energy_compute_pj: number;
  energy_weights_pj: number;
  energy_activations_pj: number;
  energy_delta_state_pj: number;
  energy_total_pj: number;
  dram_bytes: number;
  sram_bytes: number;
  /** Where the delta state lives (`''` outside delta mode and for totals). */
  state_in: string;
}

function row(layer: string, mode: CostMode, density: number | null, cost: ModeCost, stateIn: string): CostRow {
  return {
    layer,
    mode,
    density,
    macs: cost.macs,
    cycles: cost.cycles,
    latency_s: cost.latencySeconds,
    energy_compute_pj: cost.energyPj.compute,
    energy_weights_pj: cost.energyPj.weights,
    energy_activations_pj: cost.energyPj.activations,
    energy_delta_state_pj: cost.energyPj.deltaState,
    energy_total_pj: cost.energyPj.total,
    dram_bytes: cost.dramBytes,
    sram_bytes: cost.sramBytes,
    state_in: stateIn,
  };
}

/** Flattens a result into rows (layers in order, each with its three modes, then the totals). */
export function costToRows(result: CostResult): CostRow[] {
  const rows: CostRow[] = [];
  for (const layer of result.layers) {
    for (const mode of COST_MODES) {
      const cost = layer.modes[mode];
      rows.push(row(layer.name, mode, cost.density, cost, cost.statePlacement ?? ''));
    }
  }
  for (const mode of COST_MODES) rows.push(row('total', mode, null, result.totals[mode], ''));
  return rows;
}

/**
 * Where delta execution costs less, from a cross-over temporal density t* in [0, 1] (`crossoverTemporalDensity`):
 * "below 42.1%"; "at every temporal density" when t* = 1 (delta costs no more even when every input changes,
 * e.g. against dense hardware that also multiplies the padding); "at no temporal density" when t* = 0.
 */
export function crossoverText(crossover: number): string {
  if (crossover >= 1) return 'at every temporal density';
  if (crossover <= 0) return 'at no temporal density';
  return `below ${(100 * crossover).toFixed(1)}%`;
}

/** Compact engineering notation: 1234567 -> "1.23M". */
export function formatQuantity(value: number, unit = ''): string {
  if (value === 0) return `0${unit}`;
  const prefixes: Array<[number, string]> = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
    [1, ''],
    [1e-3, 'm'],
    [1e-6, 'µ'],
    [1e-9, 'n'],
    [1e-12, 'p'],
  ];
  const magnitude = Math.abs(value);
  const [scale, prefix] = prefixes.find(([s]) => magnitude >= s) ?? prefixes[prefixes.length - 1];
  return `${(value / scale).toPrecision(3)}${prefix}${unit}`;
}

function table(headers: string[], body: string[][]): string {
  const widths = headers.map((h, j) => Math.max(h.length, ...body.map((r) => r[j].length)));
  const line = (cells: string[]) => cells.map((c, j) => (j < 2 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/** A readable table of all rows, then the cross-over temporal densities. */
export function formatCostTable(result: CostResult): string {
  const headers = ['layer', 'mode', 'density', 'MACs', 'cycles', 'latency', 'compute', 'weights', 'activ.', 'delta st.', 'energy', 'DRAM', 'SRAM', 'state'];
  const body = costToRows(result).map((r) => [
    r.layer,
    r.mode,
    r.density === null ? '' : r.density.toFixed(3),
    formatQuantity(r.macs),
    formatQuantity(r.cycles),
    formatQuantity(r.latency_s, 's'),
    formatQuantity(r.energy_compute_pj * 1e-12, 'J'),
    formatQuantity(r.energy_weights_pj * 1e-12, 'J'),
    formatQuantity(r.energy_activations_pj * 1e-12, 'J'),
    formatQuantity(r.energy_delta_state_pj * 1e-12, 'J'),
    formatQuantity(r.energy_total_pj * 1e-12, 'J'),
    formatQuantity(r.dram_bytes, 'B'),
    formatQuantity(r.sram_bytes, 'B'),
    r.state_in,
  ]);
  const crossHeaders = ['layer', 't* vs dense', 't* vs zero-skipping'];
  const crossBody = [
    ...result.layers.map((l) => [l.name, l.crossover.vsDense.toFixed(4), l.crossover.vsZeroSkipping.toFixed(4)]),
    ['overall', result.crossover.vsDense.toFixed(4), result.crossover.vsZeroSkipping.toFixed(4)],
  ];
  const crossTable = table(crossHeaders, crossBody);
  return [
    `hardware: ${result.hardware.name} v${result.hardware.version}   (per frame; energy split: compute, weights, activations, delta state)`,
    table(headers, body),
    '',
    'cross-over temporal density t*: delta execution uses no more energy than the reference while t <= t*',
    '(overall: the same t in every layer; 0 = delta never wins, 1 = delta always wins)',
    crossTable,
  ].join('\n');
}
