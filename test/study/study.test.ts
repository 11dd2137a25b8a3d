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
import { runStudy } from '../../lib/study';

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
      expect(model.deltaOpDensity).toBeCloseTo(model.macsPerFrame.firstFrameIncluded / model.macsPerFrame.dense, 10);
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
