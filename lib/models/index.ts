/** Per-frame video network builders, inserting delta layers into trained models, fan-out. */
export { buildSmallCnn } from './smallCnn';
export type { SmallCnnArgs } from './smallCnn';
export { buildMobileNet, DEFAULT_MOBILENET_BLOCKS } from './mobileNet';
export type { MobileNetArgs, MobileNetBlock } from './mobileNet';
export { insertSparsityLayers } from './insertSparsityLayers';
export type { InsertSparsityLayersArgs } from './insertSparsityLayers';
export { MODEL_VARIANTS } from './assemble';
export type { FrameNetworkArgs, ModelVariant, SparsityLayerArgs } from './assemble';
export { fanOutOf, convOutputSize } from './fanOut';
export type { FanOutConvention } from './fanOut';
export { modelChain, linearKind, isFrameWrapper } from './chain';
export type { LinearKind } from './chain';
export { foldBatchNorm, foldBatchNormInChain, batchNormParams, linearWeights } from './foldBatchNorm';
export type { BatchNormParams, FoldedLinearLayer, LinearWeights } from './foldBatchNorm';
export { meanThreshold, setAllThresholds } from './thresholds';
export { axisFanOut, positionFanOutOf, executedMacs } from './positionFanOut';
export type { PositionFanOut } from './positionFanOut';
