/** `describeRunData` and `describeMacGain`: the lines `train` and `cost` print about what a run measured. */
import { describe, expect, it } from 'vitest';
import { resolveTrainConfig } from '../../lib/train/config';
import { describeMacGain, describeRunData } from '../../lib/train/describeRun';

describe('describeRunData', () => {
  it('says that the synthetic set is generated, and gives clip length × size, seed and test videos', () => {
    const config = resolveTrainConfig({ seed: 7, data: { clipLength: 6, size: 24 } });
    expect(describeRunData(config, 72)).toBe(
      'data: synthetic (generated moving shapes, not real video; --set data.source=weizmann trains on the bundled Weizmann clips, as study does), ' +
        'generated train/test sets, clips of 6 frames × 24×24 px, seed 7, 72 test videos',
    );
    expect(describeRunData(resolveTrainConfig({ data: { testClipLength: 12 } }))).toMatch(/clips of 8 frames × 32×32 px \(test clips 12 frames\), seed \d+$/);
  });

  it('names the Weizmann split by its test subjects', () => {
    const line = describeRunData(resolveTrainConfig({ data: { source: 'weizmann' } }), 30);
    expect(line).toMatch(/^data: weizmann \(bundled real clips\), .*lyova, moshe, shahar.*, clips of 8 frames × 32×32 px, seed \d+, 30 test videos$/);
  });

  it('falls back to the configured root when the file lists cannot be read', () => {
    const line = describeRunData(resolveTrainConfig({ data: { source: 'folder', root: '/no/such/folder', subjectPattern: '^(\\w+)_' } }));
    expect(line).toMatch(/^data: folder, split not readable \(data\.root \/no\/such\/folder\), clips of 8 frames/);
  });
});

describe('describeMacGain', () => {
  // Densities chosen so the ratios are exact: 1 / 0.25 = 4, 1 / 0.5 = 2, 0.5 / 0.25 = 2.
  const overall = { deltaMacDensity: 0.25, zeroSkippingMacDensity: 0.5 };

  it('a delta model: delta execution in steady state, against dense and zero-skipping', () => {
    expect(describeMacGain(overall, 'delta')).toBe("delta execution, steady state (each clip's first frame left out): 4.00x fewer MACs than dense, 2.00x fewer than zero-skipping");
  });

  it('a model without delta layers: zero-skipping against dense', () => {
    expect(describeMacGain(overall, 'baseline')).toBe('zero-skipping execution: 2.00x fewer MACs than dense (a baseline model has no delta layers)');
    expect(describeMacGain({ deltaMacDensity: Number.NaN, zeroSkippingMacDensity: Number.NaN }, 'spatial-l1')).toBe('zero-skipping execution: - fewer MACs than dense (a spatial-l1 model has no delta layers)');
  });
});
