/** Sparse-hardware cost estimation: hardware presets, the cost model, cross-over densities, reports. */
export type { LayerWorkload } from './workload';
export { withDensities } from './workload';
export * from './spec';
export * from './presets';
export * from './validate';
export * from './cost';
export * from './crossoverCurve';
export { costToRows, crossoverText, formatCostTable } from './report';
export type { CostRow } from './report';
