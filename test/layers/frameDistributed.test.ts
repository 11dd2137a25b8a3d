/**
 * FrameDistributed folds time into the batch; tfjs-layers' TimeDistributed (one call per frame) is the
 * reference for every per-frame layer that treats batch items independently.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { FrameDistributed } from '../../lib/layers/frameDistributed';
import { buildSmallCnn, insertSparsityLayers } from '../../lib/models';
import { createSparsityForward } from '../../lib/train/sparsityForward';
import { isFrameWrapper, linearKind, modelChain } from '../../lib/models/chain';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

/** A clip model input [T, 7, 9, 3] → wrapped conv (stride 2, same) → wrapped dense, with either wrapper. */
function clipModel(wrap: 'frame' | 'time'): tf.LayersModel {
  const input = tf.input({ shape: [4, 7, 9, 3] });
  const conv = tf.layers.conv2d({ name: 'conv', filters: 5, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.glorotNormal({ seed: 3 }), biasInitializer: tf.initializers.randomNormal({ seed: 4 }) });
  const pool = tf.layers.globalAveragePooling2d({ name: 'pool' });
  const dense = tf.layers.dense({ name: 'fc', units: 2, kernelInitializer: tf.initializers.glorotNormal({ seed: 5 }) });
  const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor): tf.SymbolicTensor =>
    (wrap === 'frame' ? new FrameDistributed({ layer, name: `${layer.name}_td` }) : tf.layers.timeDistributed({ layer, name: `${layer.name}_td` })).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: apply(dense, apply(pool, apply(conv, input))) });
}

/** Saves a model in memory and loads it back. */
async function roundTrip(model: tf.LayersModel): Promise<tf.LayersModel> {
  let saved: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return tf.loadLayersModel(tf.io.fromMemory(saved as unknown as tf.io.ModelArtifacts));
}

describe('FrameDistributed', () => {
  it('gives the outputs and gradients of TimeDistributed', () => {
    const frame = clipModel('frame');
    const time = clipModel('time');
    // Same initialisers and seeds: the same weights; checked, since equal weights are the premise.
    frame.getWeights().forEach((w, i) => expect(maxAbsDiff(w, time.getWeights()[i])).toBe(0));
    const x = tf.randomNormal([3, 4, 7, 9, 3], 0, 1, 'float32', 7); // batch 3, odd frame sizes
    const loss = (model: tf.LayersModel) => () => tf.sum(tf.square(model.apply(x) as tf.Tensor)) as tf.Scalar;
    expect(maxAbsDiff(frame.apply(x) as tf.Tensor, time.apply(x) as tf.Tensor)).toBeLessThan(1e-6);
    const gFrame = tf.variableGrads(loss(frame), frame.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val));
    const gTime = tf.variableGrads(loss(time), time.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val));
    expect(Object.keys(gFrame.grads).length).toBe(4); // conv kernel, bias; dense kernel, bias
    const frameGrads = frame.trainableWeights.map((w) => gFrame.grads[w.originalName] ?? gFrame.grads[w.name]);
    const timeGrads = time.trainableWeights.map((w) => gTime.grads[w.originalName] ?? gTime.grads[w.name]);
    frameGrads.forEach((g, i) => {
      const scale = Math.max(1, tf.tidy(() => tf.max(tf.abs(timeGrads[i])).dataSync()[0]));
      expect(maxAbsDiff(g, timeGrads[i]) / scale).toBeLessThan(1e-5);
    });
    // The input gradient too.
    const dxFrame = tf.grad((v: tf.Tensor) => tf.sum(tf.square(frame.apply(v) as tf.Tensor)))(x);
    const dxTime = tf.grad((v: tf.Tensor) => tf.sum(tf.square(time.apply(v) as tf.Tensor)))(x);
    expect(maxAbsDiff(dxFrame, dxTime)).toBeLessThan(1e-5);
  });

  it('is recognised as a frame wrapper by the chain helpers', () => {
    const model = clipModel('frame');
    const chain = modelChain(model);
    expect(chain.map((layer) => isFrameWrapper(layer))).toEqual([true, true, true]);
    expect(chain.map((layer) => linearKind(layer))).toEqual(['conv', null, 'dense']);
  });

  it('round-trips through save and load with the same outputs', async () => {
    const model = clipModel('frame');
    const loaded = await roundTrip(model);
    expect(loaded.layers[1].getClassName()).toBe('FrameDistributed');
    const x = tf.randomUniform([2, 4, 7, 9, 3], 0, 1, 'float32', 2);
    expect(maxAbsDiff(loaded.predict(x) as tf.Tensor, model.predict(x) as tf.Tensor)).toBe(0);
  });

  it('loads models saved with TimeDistributed, and insertSparsityLayers rebuilds them with FrameDistributed', async () => {
    const old = clipModel('time');
    const loaded = await roundTrip(old);
    expect(loaded.layers[1].getClassName()).toBe('TimeDistributed');
    const x = tf.randomUniform([2, 4, 7, 9, 3], 0, 1, 'float32', 2);
    expect(maxAbsDiff(loaded.predict(x) as tf.Tensor, old.predict(x) as tf.Tensor)).toBe(0);
    const delta = insertSparsityLayers(loaded, { threshold: 1e-6, onInput: false, afterGlobalPooling: false });
    const wrappers = delta.layers.filter((layer) => isFrameWrapper(layer)).map((layer) => layer.getClassName());
    expect(wrappers).toEqual(['FrameDistributed', 'FrameDistributed', 'FrameDistributed']);
    // With a step of 1e-6 the delta layer after the relu conv changes its output by at most 5e-7 per value.
    expect(maxAbsDiff(delta.predict(x) as tf.Tensor, old.predict(x) as tf.Tensor)).toBeLessThan(1e-4);
  });

  it('passes the training flag to a BatchNormalization inside, with statistics over all B·T frames', () => {
    const input = tf.input({ shape: [3, 2, 2, 2] });
    const bn = tf.layers.batchNormalization({ name: 'bn', momentum: 0.5 });
    const model = tf.model({ inputs: input, outputs: new FrameDistributed({ layer: bn }).apply(input) as tf.SymbolicTensor });
    const x = tf.randomNormal([4, 3, 2, 2, 2], 2, 3, 'float32', 11);
    // Inference: moving mean 0, variance 1 → y = x / sqrt(1 + eps) ≈ x.
    expect(maxAbsDiff(model.apply(x, { training: false }) as tf.Tensor, x)).toBeLessThan(1e-2);
    // Training: each channel normalised over all 4·3·2·2 = 48 values → mean 0, variance ≈ 1 per channel.
    const y = model.apply(x, { training: true }) as tf.Tensor;
    const { mean, variance } = tf.moments(tf.reshape(y, [-1, 2]), 0);
    mean.dataSync().forEach((m) => expect(Math.abs(m)).toBeLessThan(1e-5));
    variance.dataSync().forEach((v) => expect(v).toBeCloseTo(1, 2));
    // The moving mean moved halfway (momentum 0.5) to the batch mean over all frames.
    const batchMean = tf.moments(tf.reshape(x, [-1, 2]), 0).mean;
    const movingMean = bn.getWeights()[2];
    expect(maxAbsDiff(movingMean, tf.mul(batchMean, 0.5))).toBeLessThan(1e-5);
  });

  it('trains the study model without leaking tensors', () => {
    const model = buildSmallCnn({ inputShape: [3, 8, 8, 3], classes: 2, filters: [4, 4], variant: 'delta' });
    expect(modelChain(model).filter((layer) => layer.getClassName() === 'FrameDistributed').length).toBe(4);
    const forward = createSparsityForward(model);
    const optimizer = tf.train.adam(1e-3);
    const x = tf.randomUniform([2, 3, 8, 8, 3], 0, 1, 'float32', 5);
    const labels = tf.oneHot(tf.tensor1d([0, 1], 'int32'), 2);
    const step = () => {
      const loss = optimizer.minimize(() => {
        const { output, penalty } = forward.apply(x, { training: true });
        return tf.add(tf.losses.softmaxCrossEntropy(labels, output), penalty) as tf.Scalar;
      }, true);
      if (loss != null) loss.dispose();
    };
    step(); // creates Adam's slot variables
    const before = tf.memory().numTensors;
    step();
    step();
    expect(tf.memory().numTensors).toBe(before);
  });
});
