/**
 * The only file of lib/hardware that touches danfojs-node (which loads TensorFlow.js): it is required lazily,
 * on the first call, so that the cost model itself stays free of TensorFlow.
 */
import type { DataFrame } from 'danfojs-node';
import type { CostResult } from './cost';
import { costToRows } from './report';

type Danfo = typeof import('danfojs-node');

let danfo: Danfo | undefined;

function loadDanfo(): Danfo {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  danfo ??= require('danfojs-node') as Danfo;
  return danfo;
}

/**
 * A danfojs-node DataFrame with one row per (layer, mode) plus `total` rows; the columns are those of
 * `CostRow` (`layer`, `mode`, `density`, `macs`, `cycles`, `latency_s`, `energy_*_pj`, `dram_bytes`,
 * `sram_bytes`, `state_in`). Total rows have density NaN.
 */
export function costToDataFrame(result: CostResult): DataFrame {
  const rows = costToRows(result).map((r) => ({ ...r, density: r.density ?? Number.NaN }));
  const { DataFrame: Frame } = loadDanfo();
  return new Frame(rows);
}
