/**
 * A live view of training in a notebook: one output that is overwritten after every epoch with a table of
 * each run's latest metrics, then replaced by the training-curves figure when training ends. Pass its
 * `update` as the `onEpoch` callback of `trainRecipe` (or wrap it for `train`).
 */
import { figureModeFromEnv, showFigure, type NotebookDisplay } from './display';
import { trainingCurvesFigure } from './figures';
import { tableHtml } from './html';
import type { Figure } from './types';

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

function newTslabDisplay(): NotebookDisplay {
  // Loaded lazily, as in display.ts: tslab exists only where notebooks run.
  const tslab = require('tslab') as { newDisplay(): NotebookDisplay };
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
