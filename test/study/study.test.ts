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
    const first = await runStudy({ out, fast: true, progress: 'silent', thresholds: [0.05, 0.1, 0.2, 0.4] });
    for (const file of ['report.html', 'summary.json', 'models.csv', 'layers.csv', 'ablation.csv', 'cost.csv']) {
      expect(fs.existsSync(path.join(out, file)), file).toBe(true);
    }
    expect(first.models.map((m) => m.model)).toEqual(['baseline', 'delta', 'spatial-l1']);
    for (const model of first.models) {
      // Op densities are ratios of the counted MACs; zero-skipping never does more than dense.
      expect(model.deltaOpDensity).toBeCloseTo(model.deltaMacsPerFrame / model.denseMacsPerFrame, 10);
      expect(model.zeroSkippingMacsPerFrame).toBeLessThanOrEqual(model.denseMacsPerFrame);
    }
    // The headline gain is the baseline's zero-skipping MACs over the delta model's delta MACs.
    const baseline = first.models[0];
    const delta = first.models[1];
    expect(first.deltaGainOverBaselineZeroSkipping).toBeCloseTo(baseline.zeroSkippingMacsPerFrame / delta.deltaMacsPerFrame, 10);
    expect(first.ablation.map((row) => row.threshold)).toEqual([0.05, 0.1, 0.2, 0.4]);
    // The HTML page holds the six figures and inlines Plotly (no CDN).
    const html = fs.readFileSync(first.reportHtml, 'utf8');
    for (const id of ['curves', 'spatial', 'temporal', 'pareto', 'energy', 'crossover']) {
      expect(html, id).toContain(`<div id="${id}" class="delta-sparsity-figure"`);
    }
    expect(html).not.toMatch(/<script[^>]+src="https?:/);

    const metricsBefore = readJsonLines(path.join(out, 'runs/fast/delta/metrics.jsonl')).length;
    const storeBefore = fs.readFileSync(path.join(out, 'runs/fast/ablation.jsonl'), 'utf8');
    const second = await runStudy({ out, fast: true, progress: 'silent', thresholds: [0.05, 0.1, 0.2, 0.4] });
    // Nothing retrained (no new epochs logged), no ablation point recomputed, same numbers.
    expect(readJsonLines(path.join(out, 'runs/fast/delta/metrics.jsonl')).length).toBe(metricsBefore);
    expect(fs.readFileSync(path.join(out, 'runs/fast/ablation.jsonl'), 'utf8')).toBe(storeBefore);
    expect(second.models[1].testClipAccuracy).toBe(delta.testClipAccuracy);
  });
});
