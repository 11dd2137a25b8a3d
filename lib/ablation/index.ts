export { ResultsStore } from './resultsStore';
export type { SweepRecord } from './resultsStore';
export { expandGrid, runSweep } from './sweep';
export type { SweepOptions, SweepOutcome } from './sweep';
export { fixedThresholdSweep, trainingSweep, planTrainingSweep, runRefinementPoint, refinementRunName, openAblationStore, setAllThresholds, ablationRows } from './thresholdAblation';
export type { AblationPoint, AblationResult, AblationRecord, FixedThresholdSweepOptions, TrainingSweepOptions, TrainingSweepPlan } from './thresholdAblation';
