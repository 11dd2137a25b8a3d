export { runStudy, summarizeRun } from './runStudy';
export type { StudyResult, ModelSummary } from './runStudy';
export { studyPaths, studyRecipe, studyThresholds, studyTrainConfig, dataSourceKey } from './settings';
export { checkStudyOptions } from './checkOptions';
export type { StudyOptions } from './settings';
export { studyCurvesFigure, layerDensityFigure, studyParetoFigure, layerEnergyFigure, crossoverFigure } from './figures';
