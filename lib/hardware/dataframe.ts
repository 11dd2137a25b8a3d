/**
 * The DataFrame adapter of the cost model (danfojs-node is loaded lazily by `dataFrameOf`, so that the cost
 * model itself stays free of TensorFlow and of the optional danfojs-node).
 */
import { dataFrameOf, type DataFrame } from '../util/dataFrame';
import type { CostResult } from './cost';
import { costToRows } from './report';

/**
 * A danfojs-node DataFrame with one row per (layer, mode) plus `total` rows; the columns are those of
 * `CostRow` (`layer`, `mode`, `density`, `macs`, `cycles`, `latency_s`, `energy_*_pj`, `dram_bytes`,
 * `sram_bytes`, `state_in`). Total rows have density NaN. Throws a DeltaSparsityError when danfojs-node is
 * not installed.
 */
export function costToDataFrame(result: CostResult): DataFrame {
  return dataFrameOf(costToRows(result) as unknown as Record<string, unknown>[]);
}
