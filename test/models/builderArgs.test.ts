/** A misspelt builder argument is refused with the closest name, not silently ignored (tester's report). */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildMobileNet } from '../../lib/models/mobileNet';
import { buildSmallCnn } from '../../lib/models/smallCnn';
import { insertSparsityLayers } from '../../lib/models/insertSparsityLayers';
import { DeltaSparsityError } from '../../lib/util/errors';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const loose = <T>(fn: (args: T) => unknown) => fn as unknown as (args: Record<string, unknown>) => unknown;

describe('builder arguments', () => {
  it('names an unknown argument and the closest known one', () => {
    const base = { inputShape: [4, 8, 8, 3], classes: 3 };
    expect(() => loose(buildSmallCnn)({ ...base, filtres: [4] })).toThrow(DeltaSparsityError);
    expect(() => loose(buildSmallCnn)({ ...base, filtres: [4] })).toThrow(/^buildSmallCnn: unknown argument 'filtres' \(did you mean filters\?\)/);
    expect(() => loose(buildMobileNet)({ ...base, widthMultipler: 0.5 })).toThrow(/^buildMobileNet: unknown argument 'widthMultipler' \(did you mean widthMultiplier\?\)/);
    const model = buildSmallCnn({ inputShape: [4, 8, 8, 3], classes: 3, filters: [4] });
    expect(() => loose<Record<string, unknown>>((args) => insertSparsityLayers(model, args as never))({ treshold: 0.5 })).toThrow(/^insertSparsityLayers: unknown argument 'treshold' \(did you mean threshold\?\)/);
    // Every documented argument is accepted.
    const full = buildSmallCnn({ ...base, inputShape: [4, 8, 8, 3], filters: [4], kernelSize: 3, strides: [1], seed: 2, name: 'm', batchNorm: false, inputNormalization: false, variant: 'delta', threshold: 0.2, granularity: 'layer', sparsityWeight: 0.1, output: 'quantized', thresholdGrowsWithPenalty: true, fanOutConvention: 'macs', onInput: false, rectifyInput: true, afterGlobalPooling: true });
    expect(full.name).toBe('m');
    full.dispose();
    model.dispose();
  });
});
