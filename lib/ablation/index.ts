export { ResultsStore, configKey } from './resultsStore';
export type { SweepRecord } from './resultsStore';
export { expandGrid, runSweep } from './sweep';
export type { SweepOptions, SweepOutcome } from './sweep';
export { fixedThresholdSweep, trainingSweep, setAllThresholds, ablationRows, ablationToDataFrame } from './thresholdAblation';
export type { AblationPoint, AblationResult, AblationRecord, FixedThresholdSweepOptions, TrainingSweepOptions } from './thresholdAblation';
