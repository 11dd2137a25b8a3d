export { ResultsStore } from './resultsStore';
export type { SweepRecord } from './resultsStore';
export { expandGrid, runSweep } from './sweep';
export type { SweepOptions, SweepOutcome } from './sweep';
export { fixedThresholdSweep, trainingSweep, planTrainingSweep, runRefinementPoint, refinementRunName, openAblationStore, ablationRows } from './sparsitySweeps';
export type { AblationPoint, AblationResult, AblationRecord, FixedThresholdSweepOptions, TrainingSweepOptions, TrainingSweepPlan } from './sparsitySweeps';
