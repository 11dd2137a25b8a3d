/**
 * The main job in fast mode: every report file is written, the numbers are consistent with each other, and a
 * rerun reuses the cached runs and ablation points.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../lib/backend';
import { readJsonLines } from '../../lib/util/files';
import { dataSourceKey, runStudy, studyPaths } from '../../lib/study';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
});

describe('runStudy (fast)', () => {
  it('writes the report folder, and a rerun reuses every run and ablation point', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'study-'));
    const first = await runStudy({ out, fast: true, data: 'synthetic', progress: 'silent', thresholds: [0.05, 0.1, 0.2, 0.4] });
    for (const file of ['report.html', 'summary.json', 'models.csv', 'layers.csv', 'ablation.csv', 'cost.csv']) {
      expect(fs.existsSync(path.join(out, file)), file).toBe(true);
    }
    expect(first.models.map((m) => m.name)).toEqual(['baseline', 'delta', 'spatial-l1']);
    for (const model of first.models) {
      // Op densities are ratios of the counted MACs; zero-skipping never does more than dense.
      expect(model.deltaMacDensityFirstIncluded).toBeCloseTo(model.macsPerFrame.firstFrameIncluded / model.macsPerFrame.dense, 10);
      expect(model.macsPerFrame.zeroSkipping).toBeLessThanOrEqual(model.macsPerFrame.dense);
      // The first frame of a clip is sent whole: it never costs less than a frame of changes.
      expect(model.macsPerFrame.firstFrameIncluded).toBeGreaterThanOrEqual(model.macsPerFrame.steadyState - 1e-9);
      expect(model.testVideos).toBeGreaterThan(0);
    }
    // The headline gain is the baseline's zero-skipping MACs over the delta model's delta MACs, or withheld with
    // the reason when a model is not above chance.
    const baseline = first.models[0];
    const delta = first.models[1];
    if (baseline.aboveChance && delta.aboveChance) {
      expect(first.deltaGainOverBaselineZeroSkipping?.firstFrameIncluded).toBeCloseTo(baseline.macsPerFrame.zeroSkipping / delta.macsPerFrame.firstFrameIncluded, 10);
      expect(first.headlineWithheld).toBeNull();
    } else {
      expect(first.deltaGainOverBaselineZeroSkipping).toBeNull();
      expect(first.headlineWithheld).toMatch(/not above chance/);
    }
    const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(summary.dataset).toMatchObject({ name: first.dataset.name, protocol: 'split' });
    expect(summary.models[0]).toHaveProperty('macsPerFrame.firstFrameIncluded');
    expect(summary.models[0]).toHaveProperty('aboveChance');
    expect(first.ablation.map((row) => row.threshold)).toEqual([0.05, 0.1, 0.2, 0.4]);
    // The HTML page holds the six figures and inlines Plotly (no CDN).
    const html = fs.readFileSync(first.reportHtml, 'utf8');
    for (const id of ['curves', 'spatial', 'temporal', 'pareto', 'energy', 'crossover']) {
      expect(html, id).toContain(`<div id="${id}" class="delta-sparsity-figure"`);
    }
    expect(html).not.toMatch(/<script[^>]+src="https?:/);

    const metricsBefore = readJsonLines(path.join(out, 'runs/synthetic/fast/split/seed-1/delta/metrics.jsonl')).length;
    const storeBefore = fs.readFileSync(path.join(out, 'runs/synthetic/fast/ablation.jsonl'), 'utf8');
    const second = await runStudy({ out, fast: true, data: 'synthetic', progress: 'silent', thresholds: [0.05, 0.1, 0.2, 0.4] });
    // Nothing retrained (no new epochs logged), no ablation point recomputed, same numbers.
    expect(readJsonLines(path.join(out, 'runs/synthetic/fast/split/seed-1/delta/metrics.jsonl')).length).toBe(metricsBefore);
    expect(fs.readFileSync(path.join(out, 'runs/synthetic/fast/ablation.jsonl'), 'utf8')).toBe(storeBefore);
    expect(second.models[1].testClipAccuracy).toBe(delta.testClipAccuracy);
  });
});

describe('study run folders per data source (issue 13, item 2)', () => {
  it('keeps the Weizmann and synthetic studies, each UCF101 subset and fast/full apart, and one dataset in one place', () => {
    const out = '/tmp/study-paths';
    expect(studyPaths({ out }).runs).toBe(path.join(out, 'runs', 'weizmann', 'full'));
    // Other test subjects are another split: other run folders.
    expect(path.relative(path.join(out, 'runs'), studyPaths({ out, testSubjects: ['daria', 'eli'] }).runs)).toMatch(/^weizmann-[0-9a-f]{8}\/full$/);
    const synthetic = studyPaths({ out, fast: true, data: 'synthetic' }).runs;
    const ucf = studyPaths({ out, fast: true, ucf101Root: '/data/UCF-101', ucf101Classes: 3 }).runs;
    const ucfFive = studyPaths({ out, fast: true, ucf101Root: '/data/UCF-101', ucf101Classes: 5 }).runs;
    expect(synthetic).toBe(path.join(out, 'runs', 'synthetic', 'fast'));
    expect(studyPaths({ out, data: 'synthetic' }).runs).toBe(path.join(out, 'runs', 'synthetic', 'full'));
    expect(path.relative(path.join(out, 'runs'), ucf)).toMatch(/^ucf101-[0-9a-f]{8}\/fast$/);
    expect(new Set([synthetic, ucf, ucfFive]).size).toBe(3);
    // The same folder given two ways is one dataset.
    const relative = path.relative(process.cwd(), '/data/UCF-101');
    expect(studyPaths({ out, fast: true, ucf101Root: relative, ucf101Classes: 3 }).runs).toBe(ucf);
  });

  it('derives the key from the data section, so a new source gets its own folder', () => {
    expect(dataSourceKey({ source: 'synthetic', size: 32, clipLength: 8 })).toBe('synthetic');
    // Any source name and its options: the key is the name plus a hash of the options.
    const key = dataSourceKey({ source: 'weizmann' as 'synthetic', root: '/data/weizmann' } as Parameters<typeof dataSourceKey>[0]);
    expect(key).toMatch(/^weizmann-[0-9a-f]{8}$/);
  });
});

describe('study options are all checked before any work (issue 13, item 8)', () => {
  it.each([
    [{ hardware: 'eyeriss-v3-like' }, /hardware: expected a preset name/],
    [{ thresholds: [0.1, -1] }, /thresholds\[1\]: expected a positive finite number/],
    [{ ucf101Root: '/data/UCF-101', ucf101Classes: 0 }, /firstClasses/],
  ])('%j fails at once and writes nothing', async (bad, message) => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'study-bad-')), 'report');
    await expect(runStudy({ out, fast: true, progress: 'silent', ...bad })).rejects.toThrow(message);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('a file where the report folder belongs', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'study-bad-')), 'report');
    fs.writeFileSync(file, '');
    await expect(runStudy({ out: file, fast: true, progress: 'silent' })).rejects.toThrow(`out: ${file} is a file, where a folder is expected. Pick another path.`);
  });
});
