import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { convOutputSize, fanOutOf } from '../../lib/models/fanOut';
import { buildMobileNet } from '../../lib/models/mobileNet';
import { buildSmallCnn } from '../../lib/models/smallCnn';
import { DeltaActivation } from '../../lib/layers/deltaActivation';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const conv = (strides: number, padding: 'same' | 'valid', kernelSize = 3) =>
  tf.layers.conv2d({ filters: 8, kernelSize, strides, padding });

describe('fanOutOf', () => {
  it('counts a conv by its multiply-accumulates per input activation (stride and padding included)', () => {
    // 8×8 input, k=3, 8 filters.
    // stride 1 'same': out 8×8 → 8·8·9·8 / (8·8) = 72 = k·k·filters
    expect(fanOutOf(conv(1, 'same'), [8, 8, 4])).toBe(72);
    // stride 2 'same': out 4×4 → 4·4·9·8 / 64 = 18 (each input feeds ~ a quarter as many outputs)
    expect(fanOutOf(conv(2, 'same'), [8, 8, 4])).toBe(18);
    // stride 1 'valid': out 6×6 → 6·6·9·8 / 64 = 40.5 (border inputs feed fewer outputs)
    expect(fanOutOf(conv(1, 'valid'), [8, 8, 4])).toBe(40.5);
    // stride 2 'valid': out ceil(6/2)=3 → 3·3·9·8 / 64 = 10.125
    expect(fanOutOf(conv(2, 'valid'), [8, 8, 4])).toBe(10.125);
    // 'kernel' convention (the published n_outputs): k·k·filters whatever the stride
    expect(fanOutOf(conv(2, 'valid'), [8, 8, 4], 'kernel')).toBe(72);
    // Wrapped in TimeDistributed: the same
    expect(fanOutOf(tf.layers.timeDistributed({ layer: conv(2, 'same') }), [8, 8, 4])).toBe(18);
  });

  it('counts a depthwise conv by k·k·multiplier and a dense layer by its units', () => {
    const dw = (strides: number) => tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, strides, padding: 'same' });
    expect(fanOutOf(dw(1), [8, 8, 4])).toBe(18); // 3·3·2
    expect(fanOutOf(dw(2), [8, 8, 4])).toBe(4.5); // 4·4·9·2 / 64
    expect(fanOutOf(tf.layers.dense({ units: 7 }), [32])).toBe(7);
    expect(fanOutOf(tf.layers.globalAveragePooling2d({}), [4, 4, 8])).toBe(1);
    expect(() => fanOutOf(tf.layers.flatten(), [4])).toThrow(/Conv2D, DepthwiseConv2D, Dense/);
  });

  it('matches tfjs output sizes', () => {
    expect(convOutputSize(7, 3, 2, 'same')).toBe(4);
    expect(convOutputSize(7, 3, 2, 'valid')).toBe(3);
    const y = tf.layers.conv2d({ filters: 1, kernelSize: 3, strides: 2, padding: 'valid' }).apply(tf.zeros([1, 7, 7, 1])) as tf.Tensor;
    expect(y.shape).toEqual([1, 3, 3, 1]);
  });
});

describe('builders place delta layers with derived fan-outs', () => {
  it('small CNN: input, after every relu, after the pool', () => {
    const model = buildSmallCnn({ inputShape: [4, 16, 16, 3], classes: 5, filters: [4, 6], variant: 'delta' });
    const fanOuts = Object.fromEntries(model.layers.filter((l) => l instanceof DeltaActivation).map((l) => [l.name, (l as DeltaActivation).fanOut]));
    // conv1: 16×16 → 8×8, 8·8·9·4/(16·16) = 9; conv2: 8×8 → 4×4, 4·4·9·6/64 = 13.5;
    // the last relu feeds the global pool (one addition each): 1; the pooled features feed the dense: 5 units.
    expect(fanOuts).toEqual({ delta_conv1: 9, delta_conv2: 13.5, delta_pool: 1, delta_logits: 5 });
    const y = model.predict(tf.zeros([2, 4, 16, 16, 3])) as tf.Tensor;
    expect(y.shape).toEqual([2, 5]);
  });

  it('MobileNet: depthwise and pointwise consumers, width multiplier', () => {
    const model = buildMobileNet({
      inputShape: [2, 16, 16, 3],
      classes: 4,
      widthMultiplier: 0.5,
      stemFilters: 8,
      blocks: [{ filters: 16, stride: 2 }],
      variant: 'delta',
    });
    const fanOuts = Object.fromEntries(model.layers.filter((l) => l instanceof DeltaActivation).map((l) => [l.name, (l as DeltaActivation).fanOut]));
    // stem: 16×16 → 8×8, 4 filters (8·0.5): 8·8·9·4/256 = 9; dw1 stride 2 on 8×8: 4·4·9·1/64 = 2.25;
    // pw1 1×1, 8 filters (16·0.5): 8; pool: 1; logits: 4.
    expect(fanOuts).toEqual({ delta_conv_stem: 9, delta_dw1: 2.25, delta_pw1: 8, delta_pool: 1, delta_logits: 4 });
  });
});
