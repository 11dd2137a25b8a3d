/** The study's HTML reports: one offline page each (Plotly inlined once) with the headline tables and figures. */
import { crossoverText } from '../hardware';
import { writeFileAtomic } from '../util/files';
import { escapeHtml, figureDivHtml, plotlyScriptTag, tableHtml, type Figure } from '../viz';
import { publishedComparisonRows, type OurModelCells, type PublishedResult } from './published';
import type { LopoStudyResult, StudyDataset, StudyResult } from './types';
import type { AggregateSummary, MeanStd, ModelSummary } from './summary';

export interface StudyReportContent {
  result: StudyResult;
  layerRows: Record<string, unknown>[];
  figures: Record<'curves' | 'spatial' | 'temporal' | 'pareto' | 'energy' | 'crossover', Figure>;
}

const percent = (value: number) => `${(100 * value).toFixed(1)}%`;
const plusMinus = (v: MeanStd, scale = 100, digits = 1) => (v.n > 1 ? `${(scale * v.mean).toFixed(digits)} ± ${(scale * v.std).toFixed(digits)}` : (scale * v.mean).toFixed(digits));
const section = (title: string, body: string) => `<section><h2>${escapeHtml(title)}</h2>\n${body}\n</section>`;

function page(title: string, body: string): string {
  return (
    `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>${escapeHtml(title)}</title>\n` +
    `<style>body{font-family:sans-serif;margin:24px;max-width:1200px} table{border-collapse:collapse;margin:8px 0} ` +
    `td,th{border:1px solid #ccc;padding:3px 8px;text-align:right} section{margin-top:28px} .warn{color:#a00}</style>\n` +
    `${plotlyScriptTag()}\n</head>\n<body>\n${body}\n</body>\n</html>\n`
  );
}

function publishedSection(published: PublishedResult, ours: OurModelCells[], dataset: StudyDataset): string {
  const p = published.setting;
  return section(
    'Beside the published results',
    `<p>${escapeHtml(published.citation)}. ${escapeHtml(published.source)} Setting: ${escapeHtml(p.dataset)}, ` +
      `${escapeHtml(p.network)}, ${p.clipLength}-frame windows at ${p.frameSize}x${p.frameSize}, frame stride ${p.frameStride}. ` +
      `Its accuracy: ${escapeHtml(p.accuracy)} Ours: ${escapeHtml(dataset.name)} ` +
      `(${escapeHtml(dataset.split)}), ${dataset.clipLength}-frame clips at ${dataset.size}x${dataset.size}, a small CNN trained from scratch; ` +
      `our test clip accuracy (per window) is the like-for-like figure, our test video accuracy an extra. ` +
      `Density: the baseline's spatial density (non-zero activations) and the sparse models' density of what they send ` +
      `(delta: non-zero changes, steady state; spatial-L1: non-zero activations).</p>\n` +
      tableHtml(publishedComparisonRows(published, ours)),
  );
}

/**
 * What a fixed split's accuracy is worth, said where it is shown: there is no validation split, and the study's
 * settings were chosen on the Weizmann fixed split's test accuracy (settings.ts, README "Tried"), so accuracies
 * on that split are optimistic. For data split by subject, leave-one-subject-out is named as the fairer figure.
 * Empty for the leave-one-subject-out protocol.
 */
export function fixedSplitCaveat(d: StudyDataset): string {
  if (d.protocol === 'lopo') return '';
  const perVideo = d.testVideos > 0 ? ` One test video is ${(100 / d.testVideos).toFixed(1)} points.` : '';
  const lopo = d.testSubjects !== undefined
    ? ' Leave-one-subject-out (<code>--protocol lopo</code>: every subject held out once, same settings) is the fairer figure.'
    : '';
  return (
    `<p class="warn">No validation split: the study's settings (λ = 0.01 for the delta refinement, the network, input size, learning rate ` +
    `and augmentation) were chosen on the test accuracy of Weizmann's fixed split, so accuracies on that split are optimistic.${perVideo}${lopo}</p>`
  );
}

function datasetParagraph(d: StudyDataset): string {
  const clips =
    d.protocol === 'lopo'
      ? `per fold ${d.trainClips} training clips per epoch and ${d.testClips} test clips; ${d.testVideos} test videos over all folds`
      : `${d.trainClips} training clips per epoch and ${d.testClips} test clips from ${d.testVideos} test videos`;
  const skipped =
    d.skippedVideos.length === 0
      ? 'No video was skipped.'
      : `<span class="warn">${d.skippedVideos.length} videos skipped:</span> ${d.skippedVideos.map((v) => `${escapeHtml(v.video)} (${escapeHtml(v.reason)})`).join('; ')}.`;
  return (
    `<p>Dataset <b>${escapeHtml(d.name)}</b>, ${escapeHtml(d.split)}: ${d.classes.length} classes (${escapeHtml(d.classes.join(', '))}), ` +
    `${clips}; clips of ${d.clipLength} frames at ` +
    `${d.size}x${d.size}; seeds ${d.seeds.join(', ')}. ${skipped}</p>` +
    fixedSplitCaveat(d)
  );
}

function chanceCell(m: ModelSummary): string {
  return m.aboveChance ? `yes (p = ${m.chance.pValue.toExponential(1)})` : `NO (p = ${m.chance.pValue.toFixed(2)})`;
}

/** Writes the fixed-split study's page to `file` (atomically). */
export function writeStudyHtml(file: string, content: StudyReportContent): void {
  const { result, figures } = content;
  const figure = (f: Figure, id: string) => figureDivHtml(f, { id });
  const T = result.dataset.clipLength;
  const models = result.models.map((m) => ({
    model: m.name,
    'test video accuracy': `${percent(m.testVideoAccuracy)} of ${m.testVideos}`,
    'above chance': chanceCell(m),
    'spatial density': percent(m.spatialDensity),
    'temporal density': percent(m.temporalDensity),
    'dense MACs/frame': Math.round(m.macsPerFrame.dense),
    'zero-skipping MACs/frame': Math.round(m.macsPerFrame.zeroSkipping),
    [`delta MACs/frame, ${T}-frame clips (first frame whole)`]: Math.round(m.macsPerFrame.firstFrameIncluded),
    'delta MACs/frame, steady state': Math.round(m.macsPerFrame.steadyState),
  }));
  const energy = Object.entries(result.energyPerFrameMicrojoules).map(([model, e]) => ({
    model,
    'dense µJ/frame': e.dense,
    'zero-skipping µJ/frame': e.zeroSkipping,
    'delta µJ/frame (steady state)': e.delta,
  }));
  const gain = result.deltaGainOverBaselineZeroSkipping;
  const headline = gain
    ? `<p><b>Headline${result.dataset.seeds.length > 1 ? ` (seed ${result.dataset.seeds[0]}; all seeds below)` : ''}:</b> the delta model runs ${gain.firstFrameIncluded.toFixed(2)}x fewer MACs per frame on a delta accelerator than the baseline ` +
      `on a zero-skipping accelerator, over ${T}-frame clips whose first frame is processed whole (${gain.steadyState.toFixed(2)}x in steady state). ` +
      `Delta execution costs less on <i>${escapeHtml(result.hardware)}</i> than dense execution ${crossoverText(result.crossoverTemporalDensity.vsDense)} ` +
      `and than zero-skipping ${crossoverText(result.crossoverTemporalDensity.vsZeroSkipping)} (cross-over temporal densities, same density in every layer).</p>`
    : `<p class="warn"><b>No headline:</b> ${escapeHtml(result.headlineWithheld ?? '')}. A sparsity gain of a model that does not beat guessing is not a result.</p>`;
  const overSeeds = result.deltaGainOverSeeds;
  const seedsGain = overSeeds.gain
    ? `<p>Over the seeds in which both models are above chance (${overSeeds.gain.firstFrameIncluded.n} of ${result.dataset.seeds.length}), the delta model runs ` +
      `${overSeeds.gain.firstFrameIncluded.mean.toFixed(2)} ± ${overSeeds.gain.firstFrameIncluded.std.toFixed(2)}x fewer MACs per frame than the baseline on zero-skipping hardware ` +
      `(first frame whole; ${overSeeds.gain.steadyState.mean.toFixed(2)} ± ${overSeeds.gain.steadyState.std.toFixed(2)}x in steady state).` +
      `${overSeeds.withheld.length > 0 ? ` Left out: ${escapeHtml(overSeeds.withheld.join('; '))}.` : ''}</p>`
    : `<p class="warn">No seed had both models above chance.</p>`;
  const seedsTable =
    result.dataset.seeds.length > 1 ? section(`Over ${result.dataset.seeds.length} seeds (mean ± std; the other tables and the figures are seed ${result.dataset.seeds[0]}'s)`, `${tableHtml(aggregateRows(result.aggregate, T))}${seedsGain}`) : '';
  const body = [
    `<h1>delta-sparsity study</h1>`,
    datasetParagraph(result.dataset),
    `<p>Baseline trained, then refined with delta layers and with spatial-L1 layers. Finished in ${result.seconds.toFixed(0)} s (finished runs are reused when rerun). ` +
      `Accuracy is over test videos; "above chance" is a one-sided binomial test at 5% against the best constant predictor's accuracy ` +
      `(the largest class's share of the test videos: ${percent(result.models[0]?.chance.chanceAccuracy ?? Number.NaN)}; 1/${result.dataset.classes.length} when the classes are balanced).</p>`,
    headline,
    section('Models', tableHtml(models)),
    seedsTable,
    publishedSection(
      result.published,
      result.models.map((m) => ({
        name: m.name,
        clipAccuracy: percent(m.testClipAccuracy),
        videoAccuracy: percent(m.testVideoAccuracy),
        density: (m.name === 'delta' ? m.temporalDensity : m.spatialDensity).toFixed(3),
      })),
      result.dataset,
    ),
    section('Training', figure(figures.curves, 'curves')),
    section('Per-layer sparsity', `${figure(figures.spatial, 'spatial')}\n${figure(figures.temporal, 'temporal')}\n${tableHtml(content.layerRows, { maxRows: 200 })}`),
    section('Threshold ablation (q fixed at evaluation on the delta model)', `${figure(figures.pareto, 'pareto')}\n${tableHtml(result.ablation)}`),
    section(`Hardware cost (${result.hardware})`, `${tableHtml(energy)}\n${figure(figures.energy, 'energy')}\n${figure(figures.crossover, 'crossover')}`),
    `<p>Files next to this page: summary.json, models.csv, layers.csv, ablation.csv, cost.csv; run folders under runs/.</p>`,
  ].join('\n');
  writeFileAtomic(file, page('delta-sparsity study', body));
}

function aggregateRows(aggregate: AggregateSummary[], T: number): Record<string, string | number>[] {
  return aggregate.map((a) => ({
    model: a.name,
    runs: a.runs,
    'above chance': `${a.runsAboveChance}/${a.runs}`,
    'test video accuracy %': plusMinus(a.testVideoAccuracy),
    'temporal density %': plusMinus(a.temporalDensity),
    'zero-skipping MACs/frame': plusMinus(a.macsPerFrame.zeroSkipping, 1, 0),
    [`delta MACs/frame, ${T}-frame clips`]: plusMinus(a.macsPerFrame.firstFrameIncluded, 1, 0),
    'delta MACs/frame, steady state': plusMinus(a.macsPerFrame.steadyState, 1, 0),
  }));
}

/** Writes the leave-one-subject-out study's page to `file` (atomically). */
export function writeLopoHtml(file: string, result: LopoStudyResult): void {
  const T = result.dataset.clipLength;
  const gain = result.deltaGainOverBaselineZeroSkipping;
  const headline = gain
    ? `<p><b>Headline:</b> over ${gain.firstFrameIncluded.n} fold × seed runs with both models above chance, the delta model runs ` +
      `${plusMinus(gain.firstFrameIncluded, 1, 2)}x fewer MACs per frame (delta execution, ${T}-frame clips, first frame whole) than the baseline ` +
      `with zero-skipping; ${plusMinus(gain.steadyState, 1, 2)}x in steady state.` +
      (result.headlineAccuracy
        ? ` Over the same runs, test video accuracy: baseline ${plusMinus(result.headlineAccuracy.baseline)}%, delta ${plusMinus(result.headlineAccuracy.delta)}%, ` +
          `baseline − delta ${plusMinus(result.headlineAccuracy.baselineMinusDelta)} points.`
        : '') +
      `</p>`
    : `<p class="warn"><b>No headline:</b> no run had both models above chance.</p>`;
  const withheld = result.headlineWithheld.length > 0 ? `<p class="warn">Left out of the headline: ${result.headlineWithheld.map(escapeHtml).join('; ')}.</p>` : '';
  const folds = result.runs.flatMap((run) =>
    run.models.map((m) => ({
      fold: run.fold,
      'test subject': run.testSubject,
      seed: run.seed,
      model: m.name,
      'test video accuracy': `${percent(m.testVideoAccuracy)} of ${m.testVideos}`,
      'above chance': chanceCell(m),
      'temporal density': percent(m.temporalDensity),
      [`delta MACs/frame, ${T}-frame clips`]: Math.round(m.macsPerFrame.firstFrameIncluded),
      'zero-skipping MACs/frame': Math.round(m.macsPerFrame.zeroSkipping),
    })),
  );
  const mean = (name: string) => result.aggregate.find((a) => a.name === name);
  const body = [
    `<h1>delta-sparsity study: leave one subject out</h1>`,
    datasetParagraph(result.dataset),
    `<p>Subjects (fold order): ${escapeHtml(result.dataset.subjects.join(', '))}. Per fold and seed: a baseline trained, then refined with delta ` +
      `and with spatial-L1 layers. Finished in ${result.seconds.toFixed(0)} s (finished runs are reused when rerun).</p>`,
    headline,
    withheld,
    section('Mean ± std over folds and seeds', tableHtml(aggregateRows(result.aggregate, T))),
    publishedSection(
      result.published,
      ['baseline', 'delta', 'spatial-l1'].flatMap((name) => {
        const a = mean(name);
        return a
          ? [{
              name,
              clipAccuracy: `${plusMinus(a.testClipAccuracy)}%`,
              videoAccuracy: `${plusMinus(a.testVideoAccuracy)}%`,
              density: (name === 'delta' ? a.temporalDensity.mean : a.spatialDensity.mean).toFixed(3),
            }]
          : [];
      }),
      result.dataset,
    ),
    section('Every fold and seed', tableHtml(folds, { maxRows: 1000 })),
    `<p>Files next to this page: summary.json, folds.csv; run folders under runs/.</p>`,
  ].join('\n');
  writeFileAtomic(file, page('delta-sparsity study (LOPO)', body));
}
