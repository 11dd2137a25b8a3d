import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { studyFromEnvironment } from '../../lib/study/environment';
import { studyPaths, studyTrainConfig } from '../../lib/study/settings';

const root = path.resolve(__dirname, '../..');

describe('studyFromEnvironment', () => {
  it('defaults to the embedded Weizmann footage in full mode, with runs under the repository reports/', () => {
    const setup = studyFromEnvironment({ env: {} });
    expect(setup.fast).toBe(false);
    expect(setup.data).toBe('weizmann');
    expect(setup.paths.root).toBe(root);
    // Independent of the caller's folder: <root>/reports/study/runs/weizmann/full.
    expect(setup.paths.runs).toBe(path.join(root, 'reports', 'study', 'runs', 'weizmann', 'full'));
    expect(setup.paths.ablationStore).toBe(path.join(setup.paths.runs, 'ablation.jsonl'));
    expect(studyTrainConfig(setup.study).data?.source).toBe('weizmann');
    expect(setup.description).toMatch(/^Data: the embedded Weizmann footage .*; full mode; runs in reports\/study\/runs\/weizmann\/full$/);
  });

  it('uses the synthetic set in fast mode, and UCF101 when UCF101_ROOT is set (fast or not)', () => {
    const fast = studyFromEnvironment({ env: { DELTA_FAST: '1' } });
    expect([fast.fast, fast.data]).toEqual([true, 'synthetic']);
    expect(fast.paths.runs).toBe(path.join(root, 'reports', 'study', 'runs', 'synthetic', 'fast'));
    expect(fast.description).toContain('fast mode (DELTA_FAST=1)');

    const ucf = studyFromEnvironment({ env: { UCF101_ROOT: '/data/UCF-101', DELTA_FAST: '0' } });
    expect(ucf.data).toBe('ucf101');
    expect(ucf.study.ucf101Root).toBe('/data/UCF-101');
    expect(studyTrainConfig(ucf.study).data?.root).toBe('/data/UCF-101');
    expect(ucf.paths.runs).toBe(studyPaths(ucf.study).runs);
    expect(ucf.description).toContain('from /data/UCF-101');
    expect(studyFromEnvironment({ env: { UCF101_ROOT: '/data/UCF-101', DELTA_FAST: '1' } }).data).toBe('ucf101');
  });

  it('lets DELTA_DATA choose, and names the variable in one-line errors', () => {
    expect(studyFromEnvironment({ env: { DELTA_FAST: '1', DELTA_DATA: 'weizmann' } }).data).toBe('weizmann');
    expect(() => studyFromEnvironment({ env: { DELTA_FAST: 'yes' } })).toThrow(/DELTA_FAST.*Received: .*yes/);
    expect(() => studyFromEnvironment({ env: { DELTA_DATA: 'kinetics' } })).toThrow(/DELTA_DATA.*Received: .*kinetics/);
    expect(() => studyFromEnvironment({ env: { DELTA_DATA: 'ucf101' } })).toThrow(/UCF101_ROOT/);
  });

  it('honours an explicit report folder', () => {
    const setup = studyFromEnvironment({ env: {}, out: '/tmp/elsewhere' });
    expect(setup.paths.out).toBe('/tmp/elsewhere');
    expect(setup.paths.runs.startsWith('/tmp/elsewhere/runs/')).toBe(true);
  });
});
