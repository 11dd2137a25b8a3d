/**
 * delta-sparsity: the public API, what a script or notebook needs (at most 60 runtime names; a test counts them).
 *
 * Everything else is reached through a subpath, one per folder of lib/ (`delta-sparsity/data`, `/viz`,
 * `/hardware`, `/train`, `/sparsity`, `/inference`, `/layers`, `/models`, `/ablation`, `/study`, `/bench`,
 * `/backend`, `/queue`, `/util`: declared in package.json `exports`), e.g. every figure builder is in
 * `delta-sparsity/viz`. Modules reached by neither are internal.
 */

// Setup: the backend (native TensorFlow > wasm > cpu) and the notebooks' data/mode choice.
export { initBackend } from './backend';
export type { BackendChoice, BackendName, InitBackendOptions } from './backend';
export { studyFromEnvironment } from './study';
export type { StudyEnvironment, StudyEnvironmentOptions } from './study';

// User mistakes: every one is a DeltaSparsityError with a one-line message.
export { DeltaSparsityError } from './util/errors';

// Layers and their factories.
export { DeltaActivation, deltaActivation, SpatialL1, spatialL1, FrameDistributed, frameDistributed } from './layers';
export type { DeltaActivationArgs, DeltaGranularity, DeltaOutput, SpatialL1Args, FrameDistributedArgs } from './layers';

// Model builders and inserting delta (or spatial-L1) layers into a trained model.
export { buildSmallCnn, buildMobileNet, insertSparsityLayers } from './models';
export type { SmallCnnArgs, MobileNetArgs, MobileNetBlock, InsertSparsityLayersArgs, ModelVariant, SparsityLayerArgs } from './models';

// Measuring spatial / temporal density and MAC counts; the per-layer workloads the cost model takes.
export { measureSparsity, toWorkloads } from './sparsity';
export type { SparsityMeasurement, LayerSparsity, OverallSparsity, MeasureSparsityOptions } from './sparsity';

// Streaming (frame-by-frame) delta inference: the tfjs reference and the sparse engine.
export { createStreamingModel, createSparseEngine } from './inference';
export type { StreamingModel, StreamingLayerStats } from './inference';
export type { SparseEngine, SparseEngineOptions, SparseLayerStats } from './inference';

// Training: configurations and presets, one run, the baseline -> refinement recipe, evaluation, saved models.
export { resolveTrainConfig, trainPresets, train, trainRecipe, evaluate, loadModelFromFolder, loadCheckpointModel } from './train';
export type { TrainConfig, TrainConfigInput, TrainPresetName, TrainOptions, TrainResult, RecipeOptions, RecipeResult, Evaluation } from './train';

// The main job (study) and its settings, shared by `npm start` and notebooks 02-04.
export { runStudy, studyRecipe, studyTrainConfig, studyThresholds, summarizeRun } from './study';
export type { StudyOptions, StudyResult, ModelSummary } from './study';

// Sweeps: fixed-threshold and (threshold, λ, variant) refinement sweeps, their results as table rows.
export { fixedThresholdSweep, trainingSweep, ablationRows } from './ablation';
export type { AblationPoint, AblationResult, FixedThresholdSweepOptions, TrainingSweepOptions } from './ablation';

// Hardware cost, the cross-over density, energy against temporal density and a model's operating point.
export { listHardwarePresets, loadHardware, estimateCost, costToRows, crossoverTemporalDensity, energyVersusTemporalDensity, operatingPoint } from './hardware';
export type { LayerWorkload, HardwareSpec, CostResult, CostMode, EstimateCostOptions, EnergyCurve, OperatingPoint } from './hardware';

// Datasets: the embedded synthetic set, the bundled Weizmann footage, any folder of labelled videos, UCF101.
export { createSyntheticDataset, createWeizmannDataset, createFolderDataset, createUcf101Dataset, loadVideoClip, classExamples } from './data';
export type { VideoDataset, ClipBatch, SyntheticDatasetOptions, WeizmannDatasetOptions, FolderDatasetOptions, Ucf101DatasetOptions } from './data';

// Display in a notebook: figures (builders are in delta-sparsity/viz), tables, progress, live training curves;
// plain rows as a danfo DataFrame (danfojs-node loaded on first use).
export { showFigure, showTable, notebookProgress, liveTrainingDisplay } from './viz';
export { dataFrameOf } from './util/dataFrame';
export type { DataFrame } from './util/dataFrame';
export type { Figure } from './viz';
