export { runStudy, summarizeRun } from './runStudy';
export type { StudyResult, ModelSummary } from './runStudy';
export { studyPaths, studyRecipe, studyThresholds, studyTrainConfig } from './settings';
export type { StudyOptions } from './settings';
export { studyCurvesFigure, layerDensityFigure, studyParetoFigure, layerEnergyFigure, crossoverFigure } from './figures';
