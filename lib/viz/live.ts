/**
 * Live views in a notebook. `liveTrainingDisplay`: one output that is overwritten after every epoch with a
 * table of each run's latest metrics, then replaced by the training-curves figure when training ends (pass its
 * `update` as the `onEpoch` callback of `trainRecipe`). `notebookProgress`: one overwriting progress line
 * (step, done/total, ETA) for any function that takes a `progress` option.
 */
import { figureModeFromEnv, showFigure, type NotebookDisplay } from './display';
import { trainingCurvesFigure } from './figures';
import { tableHtml } from './html';
import type { Figure } from './types';
import type { ProgressSink } from '../util/progress';

export interface LiveTrainingOptions {
  /** Metrics shown in the table and plotted at the end. Default: loss, test accuracy, temporal density. */
  metrics?: string[];
  /** Output to overwrite. Default: a new tslab display entry (`tslab.newDisplay()`). */
  display?: NotebookDisplay;
  title?: string;
}

export interface LiveTrainingDisplay {
  /** Records one epoch of `run` and refreshes the output. */
  update(run: string, row: Readonly<Record<string, unknown>>): void;
  /** Replaces the table with the training-curves figure (in the figure mode of `DELTA_FIGURES`); returns it. */
  finish(): Figure;
}

function newTslabDisplay(): NotebookDisplay & TextDisplay {
  // Loaded lazily, as in display.ts: tslab exists only where notebooks run.
  const tslab = require('tslab') as { newDisplay(): NotebookDisplay & TextDisplay };
  return tslab.newDisplay();
}

export function liveTrainingDisplay(options: LiveTrainingOptions = {}): LiveTrainingDisplay {
  const metrics = options.metrics ?? ['trainLoss', 'testClipAccuracy', 'temporalDensity'];
  const display = options.display ?? newTslabDisplay();
  const histories = new Map<string, Readonly<Record<string, unknown>>[]>();
  const numberOrNull = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
  const figure = (): Figure =>
    trainingCurvesFigure({
      title: options.title ?? 'Training',
      metrics,
      runs: [...histories.entries()].map(([name, rows]) => ({
        name,
        epochs: rows.map((row) => Number(row.epoch)),
        history: Object.fromEntries(metrics.map((metric) => [metric, rows.map((row) => numberOrNull(row[metric]))])),
      })),
    });
  return {
    update(run, row) {
      histories.set(run, [...(histories.get(run) ?? []), row]);
      const latest = [...histories.entries()].map(([name, rows]) => {
        const last = rows[rows.length - 1];
        return { run: name, epoch: last.epoch, ...Object.fromEntries(metrics.map((metric) => [metric, last[metric]])) };
      });
      display.html(tableHtml(latest, { caption: `${options.title ?? 'Training'}: latest epoch of each run` }));
    },
    finish() {
      const result = figure();
      if (histories.size > 0) showFigure(result, { display, mode: figureModeFromEnv() });
      return result;
    },
  };
}

/** The part of tslab's `Display` that a progress line needs. */
export interface TextDisplay {
  text(s: string): void;
}

export interface NotebookProgress extends ProgressSink {
  /** The lines shown now (the running steps, or the last finished one). */
  current(): string[];
}

/**
 * A live, overwriting progress line in the current notebook cell: pass it as the `progress` option of
 * `trainRecipe`, `fixedThresholdSweep`, `trainingSweep` (or anything taking a `ProgressMode`). It shows the
 * latest line of every step still running (e.g. "delta · epoch 3/8: 96/240 clips (12.00 clips/s, ETA 12s)"
 * under "sweep: 1/5 points ..."), and when nothing runs, the last finished line. One tslab display entry,
 * updated in place (Jupyter `update_display_data`), so the cell does not grow a line per update.
 */
export function notebookProgress(options: { display?: TextDisplay } = {}): NotebookProgress {
  let display = options.display;
  const running = new Map<number, string>();
  let lastFinished = '';
  const current = (): string[] => (running.size > 0 ? [...running.values()] : lastFinished ? [lastFinished] : []);
  return {
    show(id, line, finished) {
      if (finished) {
        running.delete(id);
        lastFinished = line;
      } else {
        running.set(id, line);
      }
      // Created on the first line, so that a cell whose work was all done already shows no empty output.
      display ??= newTslabDisplay();
      display.text(current().join('\n'));
    },
    current,
  };
}
