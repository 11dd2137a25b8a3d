/** What createSparseEngine accepts and rejects (one-line errors before the first frame). */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSparseEngine, SparseEngine } from '../../lib/inference/engine';
import { buildSmallCnn } from '../../lib/models/smallCnn';
import { DeltaSparsityError } from '../../lib/util/errors';
import { denseLogits, frameOf, movingClip } from './helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const FRAME = [16, 16, 3];
const FRAME_SIZE = 16 * 16 * 3;

function oneLine(fn: () => unknown): DeltaSparsityError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DeltaSparsityError);
    expect((error as Error).message).not.toContain('\n');
    return error as DeltaSparsityError;
  }
  throw new Error('expected a DeltaSparsityError');
}

describe('createSparseEngine arguments', () => {
  it('rejects null and non-models with an invalidArgument error', () => {
    expect(oneLine(() => createSparseEngine(null as unknown as tf.LayersModel)).message).toMatch(/^model: expected a tf\.LayersModel.*Received: .*null/);
    expect(oneLine(() => createSparseEngine({} as unknown as tf.LayersModel)).message).toMatch(/Received: .*Object/);
  });

  for (const output of ['delta', 'delta-drop-first'] as const) {
    it(`rejects a delta layer with output '${output}', naming the layer and the option`, () => {
      const model = buildSmallCnn({ inputShape: [4, 16, 16, 3], classes: 3, filters: [4, 8], variant: 'delta', output });
      const message = oneLine(() => createSparseEngine(model)).message;
      expect(message).toContain('delta_conv1');
      expect(message).toContain(`output '${output}'`);
      model.dispose();
    });
  }

  for (const variant of ['baseline', 'spatial-l1'] as const) {
    it(`runs a ${variant} model (no delta layers, deltaLayers 0) as dense inference`, () => {
      const model = buildSmallCnn({ inputShape: [4, 16, 16, 3], classes: 3, filters: [4, 8], variant });
      const engine = createSparseEngine(model);
      expect(engine.deltaLayers).toBe(0);
      const clip = movingClip(4, 16);
      const dense = denseLogits(model, clip, 4, FRAME);
      for (let t = 0; t < 4; t++) {
        const streamed = engine.step(frameOf(clip, t, FRAME_SIZE));
        streamed.forEach((v, k) => expect(v).toBeCloseTo(dense[t][k], 5));
      }
      engine.dispose();
      model.dispose();
    });
  }

  it('counts the delta layers of a delta model', () => {
    // buildSmallCnn with two convs: delta layers before conv1, conv2, the pool and the logits.
    const model = buildSmallCnn({ inputShape: [4, 16, 16, 3], classes: 3, filters: [4, 8], variant: 'delta' });
    const engine: SparseEngine = createSparseEngine(model);
    const expected = model.layers.filter((l) => l.getClassName() === 'DeltaActivation').length;
    expect(engine.deltaLayers).toBe(expected);
    expect(expected).toBeGreaterThan(0);
    engine.dispose();
    model.dispose();
  });

  it('refuses step() after dispose() with a one-line error', () => {
    const model = buildSmallCnn({ inputShape: [4, 16, 16, 3], classes: 3, filters: [4], variant: 'delta' });
    const engine = createSparseEngine(model);
    engine.step(new Float32Array(FRAME_SIZE));
    engine.dispose();
    expect(oneLine(() => engine.step(new Float32Array(FRAME_SIZE))).message).toMatch(/^step: expected an engine that has not been disposed/);
    model.dispose();
  });
});
