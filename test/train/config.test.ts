import { describe, expect, it } from 'vitest';
import { mergeConfig, resolveTrainConfig, trainPresets } from '../../lib/train/config';
import { DeltaSparsityError } from '../../lib/util/errors';

describe('resolveTrainConfig', () => {
  it('fills defaults, then the preset, then the user overrides', () => {
    const config = resolveTrainConfig({ epochs: 3, data: { clipLength: 6 } }, 'quick');
    expect(config.epochs).toBe(3); // user override beats the preset's 2
    expect(config.data.clipLength).toBe(6); // user override beats the preset's 4
    expect(config.data.size).toBe(trainPresets.quick.data.size); // from the preset
    expect(config.data.frameStride).toBe(2); // schema default
    expect(config.sparsity.threshold).toBe(0.1); // schema default: the published initial q
  });

  it('names an unknown option and lists the valid ones', () => {
    expect(() => resolveTrainConfig({ data: { sise: 3 } } as never)).toThrow(DeltaSparsityError);
    expect(() => resolveTrainConfig({ data: { sise: 3 } } as never)).toThrow(/unknown option data\.sise \(did you mean size\?\).*clipLength/);
    expect(() => resolveTrainConfig({ epoch: 3 } as never)).toThrow(/unknown option epoch \(did you mean epochs\?\)/);
  });

  it('names a bad value and what was received', () => {
    expect(() => resolveTrainConfig({ epochs: -1 })).toThrow(/epochs: .*Received: epochs=-1/);
    expect(() => resolveTrainConfig({ optimizer: { name: 'adamw' } } as never)).toThrow(/optimizer\.name: .*Received: optimizer\.name="adamw"/);
  });

  it('rejects an unknown preset, listing the valid names', () => {
    expect(() => resolveTrainConfig({}, 'quik')).toThrow(/preset: expected one of default, quick, paper\. Received: preset="quik" \(did you mean quick\?\)/);
  });
});

describe('mergeConfig', () => {
  it('merges nested objects and replaces arrays', () => {
    expect(mergeConfig({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3] } })).toEqual({ a: { b: 1, c: [3] }, d: 1 });
  });
});
