/** The study's HTML report: one offline page (Plotly inlined once) with the headline tables and figures. */
import { writeFileAtomic } from '../util/files';
import { escapeHtml, figureDivHtml, plotlyScriptTag, tableHtml, type Figure } from '../viz';
import type { StudyResult } from './runStudy';

export interface StudyReportContent {
  result: StudyResult;
  layerRows: Record<string, unknown>[];
  figures: Record<'curves' | 'spatial' | 'temporal' | 'pareto' | 'energy' | 'crossover', Figure>;
}

const percent = (value: number) => `${(100 * value).toFixed(1)}%`;

/** Writes the report page to `file` (atomically). */
export function writeStudyHtml(file: string, content: StudyReportContent): void {
  const { result, figures } = content;
  const section = (title: string, body: string) => `<section><h2>${escapeHtml(title)}</h2>\n${body}\n</section>`;
  const figure = (f: Figure, id: string) => figureDivHtml(f, { id });
  const models = result.models.map((m) => ({
    model: m.model,
    'test clip accuracy': percent(m.testClipAccuracy),
    'test video accuracy': percent(m.testVideoAccuracy),
    'spatial density': percent(m.spatialDensity),
    'temporal density': percent(m.temporalDensity),
    'dense MACs/frame': Math.round(m.denseMacsPerFrame),
    'zero-skipping MACs/frame': Math.round(m.zeroSkippingMacsPerFrame),
    'delta MACs/frame': Math.round(m.deltaMacsPerFrame),
  }));
  const energy = Object.entries(result.energyPerFrameMicrojoules).map(([model, e]) => ({
    model,
    'dense µJ/frame': e.dense,
    'zero-skipping µJ/frame': e.zeroSkipping,
    'delta µJ/frame': e.delta,
  }));
  const d = result.dataset;
  const body = [
    `<h1>delta-sparsity study</h1>`,
    `<p>Dataset <b>${escapeHtml(d.name)}</b>: ${d.classes.length} classes (${escapeHtml(d.classes.join(', '))}), ` +
      `${d.trainClips} training and ${d.testClips} test clips of ${d.clipLength} frames at ${d.size}x${d.size}. ` +
      `Baseline trained, then refined with delta layers and with spatial-L1 layers. Finished in ${result.seconds.toFixed(0)} s (cached runs are reused).</p>`,
    `<p><b>Headline:</b> the delta model needs ${result.deltaGainOverBaselineZeroSkipping.toFixed(2)}x fewer MACs per frame than the baseline ` +
      `run on a zero-skipping accelerator (delta execution vs. skipping the baseline's zero activations). ` +
      `Delta execution beats dense execution on <i>${escapeHtml(result.hardware)}</i> below a temporal density of ${percent(result.crossoverTemporalDensity.vsDense)} ` +
      `and zero-skipping below ${percent(result.crossoverTemporalDensity.vsZeroSkipping)} (same density in every layer).</p>`,
    section('Models', tableHtml(models)),
    section('Training', figure(figures.curves, 'curves')),
    section('Per-layer sparsity', `${figure(figures.spatial, 'spatial')}\n${figure(figures.temporal, 'temporal')}\n${tableHtml(content.layerRows, { maxRows: 200 })}`),
    section('Threshold ablation (q fixed at evaluation on the delta model)', `${figure(figures.pareto, 'pareto')}\n${tableHtml(result.ablation)}`),
    section(`Hardware cost (${result.hardware})`, `${tableHtml(energy)}\n${figure(figures.energy, 'energy')}\n${figure(figures.crossover, 'crossover')}`),
    `<p>Files next to this page: summary.json, models.csv, layers.csv, ablation.csv, cost.csv; run folders under runs/.</p>`,
  ].join('\n');
  const page =
    `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>delta-sparsity study</title>\n` +
    `<style>body{font-family:sans-serif;margin:24px;max-width:1200px} table{border-collapse:collapse;margin:8px 0} ` +
    `td,th{border:1px solid #ccc;padding:3px 8px;text-align:right} section{margin-top:28px}</style>\n` +
    `${plotlyScriptTag()}\n</head>\n<body>\n${body}\n</body>\n</html>\n`;
  writeFileAtomic(file, page);
}
