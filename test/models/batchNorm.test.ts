/**
 * BatchNorm and input normalisation in the builders: where the layers go, that they train and load, and that
 * inserting sparsity layers into a trained BN model keeps its function.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DeltaActivation } from '../../lib/layers/deltaActivation';
import { InputNormalization } from '../../lib/layers/inputNormalization';
import { insertSparsityLayers } from '../../lib/models/insertSparsityLayers';
import { buildMobileNet } from '../../lib/models/mobileNet';
import { buildSmallCnn } from '../../lib/models/smallCnn';
import { modelChain, unwrapTimeDistributed } from '../../lib/models/chain';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const innerNames = (model: tf.LayersModel) => modelChain(model).map((l) => unwrapTimeDistributed(l).getClassName());
const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

describe('batchNorm and inputNormalization options', () => {
  it('puts normalisation first, BN between each conv and its relu, and the delta layers after the relus', () => {
    const model = buildSmallCnn({ inputShape: [4, 8, 8, 3], classes: 3, filters: [4, 8], batchNorm: true, inputNormalization: true, variant: 'delta' });
    expect(innerNames(model)).toEqual([
      'InputNormalization', 'DeltaActivation', 'Conv2D', 'BatchNormalization', 'ReLU', 'DeltaActivation', 'Conv2D', 'BatchNormalization', 'ReLU',
      'DeltaActivation', 'GlobalAveragePooling2D', 'DeltaActivation', 'Dense', 'GlobalAveragePooling1D',
    ]);
    // Convs followed by BN have no bias (BN's beta is the bias); the input delta layer sees signed normalised pixels.
    const convs = modelChain(model).map(unwrapTimeDistributed).filter((l) => l.getClassName() === 'Conv2D');
    expect(convs.map((c) => c.getWeights().length)).toEqual([1, 1]);
    const inputDelta = model.layers.find((l) => l.name === 'delta_conv1') as DeltaActivation;
    expect(inputDelta.rectify).toBe(false);
    expect((model.layers.find((l) => l.name === 'delta_conv2') as DeltaActivation).rectify).toBe(true);
    model.dispose();
  });

  it('adds BN after every conv of the MobileNet-style model', () => {
    const model = buildMobileNet({ inputShape: [2, 16, 16, 3], classes: 2, batchNorm: true, blocks: [{ filters: 8, stride: 1 }] });
    expect(innerNames(model).filter((n) => n !== 'ReLU')).toEqual([
      'Conv2D', 'BatchNormalization', 'DepthwiseConv2D', 'BatchNormalization', 'Conv2D', 'BatchNormalization',
      'GlobalAveragePooling2D', 'Dense', 'GlobalAveragePooling1D',
    ]);
    model.dispose();
  });

  it('normalises with the statistics set, and round-trips its config', () => {
    const model = buildSmallCnn({ inputShape: [2, 4, 4, 3], classes: 2, filters: [2], inputNormalization: true });
    const layer = model.layers.find((l) => l instanceof InputNormalization) as InputNormalization;
    layer.setStatistics([0.5, 0.25, 0], [0.5, 0.25, 2]);
    // (x − mean) / std for x = [1, 0.5, 4]: [1, 1, 2]
    const y = layer.apply(tf.tensor([[1, 0.5, 4]])) as tf.Tensor;
    expect(Array.from(y.dataSync())).toEqual([1, 1, 2]);
    expect(layer.statistics()).toEqual({ mean: [0.5, 0.25, 0], std: [0.5, 0.25, 2] });
    const clone = InputNormalization.fromConfig(InputNormalization, layer.getConfig()) as InputNormalization;
    expect(clone.channels).toBe(3);
    expect(() => layer.setStatistics([0, 0, 0], [1, 0, 1])).toThrow(/std.*Received: std=/);
    expect(() => layer.setStatistics([0, 0], [1, 1])).toThrow(/mean/);
    tf.dispose([y]);
    model.dispose();
  });

  it('updates the BN moving statistics when trained, and keeps the function when sparsity layers are inserted', () => {
    const model = buildSmallCnn({ inputShape: [null, 8, 8, 3], classes: 3, filters: [4, 8], batchNorm: true, inputNormalization: true });
    const bn = modelChain(model).map(unwrapTimeDistributed).find((l) => l.getClassName() === 'BatchNormalization') as tf.layers.Layer;
    const movingMeanBefore = Array.from(bn.getWeights()[2].dataSync());
    const x = tf.randomUniform([4, 3, 8, 8, 3], 0, 1, 'float32', 3);
    const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 0], 'int32'), 3);
    const optimizer = tf.train.adam(1e-2);
    for (let step = 0; step < 3; step++) {
      optimizer.minimize(() => tf.losses.softmaxCrossEntropy(labels, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar);
    }
    const movingMeanAfter = Array.from(bn.getWeights()[2].dataSync());
    expect(movingMeanAfter).not.toEqual(movingMeanBefore);
    // Spatial-L1 layers are pass-throughs: the refined model computes exactly what the trained BN model does.
    const refined = insertSparsityLayers(model, { variant: 'spatial-l1', perFrame: false });
    expect(maxAbsDiff(model.predict(x) as tf.Tensor, refined.predict(x) as tf.Tensor)).toBeLessThan(1e-6);
    // And the delta model with a tiny q, within the quantisation error.
    const delta = insertSparsityLayers(model, { threshold: 1e-6, sparsityWeight: 0, perFrame: false });
    expect(delta.layers.some((l) => l instanceof DeltaActivation)).toBe(true);
    expect(maxAbsDiff(model.predict(x) as tf.Tensor, delta.predict(x) as tf.Tensor)).toBeLessThan(1e-3);
    optimizer.dispose();
    tf.dispose([x, labels]);
    [model, refined, delta].forEach((m) => m.dispose());
  });
});
