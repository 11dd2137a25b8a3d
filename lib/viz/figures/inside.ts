/** Inside a trained model: a hidden layer's input over time, for several models of the same clip. */
import { invalidArgument } from '../../util/errors';
import type { Figure } from '../types';
import { NAMED_COLORS } from '../palette';
import { mapStripFigure, type MapStripRow } from './maps';
import { requireFigureArgs } from './common';

/** The maps of one model (the shape `activationMaps` of lib/sparsity returns). */
export interface ModelLayerMaps {
  layer: string;
  /** `[H, W, C]` of the layer's input. */
  frameShape: readonly [number, number, number];
  quantized: boolean;
  times: readonly number[];
  /** Input frames (channel mean), `frameSize[0]·frameSize[1]` values each. */
  frames: readonly ArrayLike<number>[];
  frameSize: readonly [number, number];
  /** Channel mean of the activation entering the layer, H·W values per time. */
  activation: readonly ArrayLike<number>[];
  /** Channel mean of |Δ|, H·W values per time. */
  absDelta: readonly ArrayLike<number>[];
  /** Fraction of channels with Δ ≠ 0, H·W values per time (needed for `changes: 'fraction'`). */
  changedFraction?: readonly ArrayLike<number>[];
}

export interface InsideModelArgs {
  /** Model name -> its maps of the same clip, layer and times, e.g. `{ baseline, delta }`. */
  models: Readonly<Record<string, ModelLayerMaps>>;
  title?: string;
  /** Edge of each map in pixels. Default 100. */
  cellSize?: number;
  /**
   * What the change rows show: `'abs'` the channel mean of |Δ| (how much is sent), `'fraction'` the fraction of
   * channels whose Δ is non-zero (how many MACs a delta accelerator runs; tiny but non-zero float changes
   * of a baseline count here, while they fade in `'abs'`). Default `'abs'`.
   */
  changes?: 'abs' | 'fraction';
}

/** White to a colour: zero (nothing there, nothing sent) reads as blank paper. */
function whiteTo(color: string): [number, string][] {
  return [[0, '#ffffff'], [1, color]];
}

/**
 * The strip frame → activation (channel mean, quantised for a delta model) → |Δ| over time for each model:
 * row 1 the input frames, then two rows per model. The |Δ| rows of all models share one colour range (set by
 * the frames after t = 0: the first frame, sent whole, saturates it), and so do the activation rows, so that
 * the models compare by eye. Throws a DeltaSparsityError when the models'
 * times or layer differ.
 */
export function insideModelFigure(args: InsideModelArgs): Figure {
  requireFigureArgs('insideModelFigure', args);
  const names = Object.keys(args.models ?? {});
  if (names.length === 0) throw invalidArgument('models', 'at least one model\'s maps', args.models);
  const first = args.models[names[0]];
  for (const name of names) {
    const maps = args.models[name];
    if (maps.times.join() !== first.times.join()) throw invalidArgument(`models.${name}.times`, `the same times as ${names[0]} (${first.times.join(', ')})`, maps.times);
    if (maps.layer !== first.layer) throw invalidArgument(`models.${name}.layer`, `the same layer as ${names[0]} (${first.layer})`, maps.layer);
  }
  const max = (key: 'activation' | 'absDelta', skipFirstFrame: boolean) =>
    Math.max(0, ...names.flatMap((name) => args.models[name][key].filter((_, i) => !skipFirstFrame || args.models[name].times[i] > 0).map((m) => Math.max(...Array.from(m)))));
  const activationMax = max('activation', false);
  // Scaled to the changes after frame 0: the first frame is sent whole and would wash every later map out.
  const deltaMax = max('absDelta', first.times.some((t) => t > 0)) || max('absDelta', false);
  const changes = args.changes ?? 'abs';
  if (changes !== 'abs' && changes !== 'fraction') throw invalidArgument('changes', "'abs' or 'fraction'", changes);
  const changeMaps = (name: string) => {
    const maps = args.models[name];
    if (changes === 'abs') return maps.absDelta;
    if (!maps.changedFraction) throw invalidArgument(`models.${name}.changedFraction`, "the fraction maps (activationMaps returns them) for changes: 'fraction'", undefined);
    return maps.changedFraction;
  };
  const [h, w] = first.frameShape;
  const rows: MapStripRow[] = [
    { label: 'input frame', maps: first.frames, height: first.frameSize[0], width: first.frameSize[1], colorscale: 'Greys', zmin: 0, colorbarTitle: 'pixel' },
  ];
  for (const name of names) {
    const maps = args.models[name];
    const color = NAMED_COLORS[name.toLowerCase()] ?? '#0072B2';
    rows.push(
      {
        label: `${name}:<br>${maps.quantized ? 'quantised ' : ''}activation`, maps: maps.activation, height: h, width: w,
        colorscale: whiteTo('#333333'), zmin: 0, zmax: activationMax > 0 ? activationMax : 1, colorbarTitle: 'mean y',
      },
      changes === 'abs'
        ? { label: `${name}:<br>|Δ| sent`, maps: maps.absDelta, height: h, width: w, colorscale: whiteTo(color), zmin: 0, zmax: deltaMax > 0 ? deltaMax : 1, colorbarTitle: 'mean |Δ|' }
        : { label: `${name}:<br>channels with Δ ≠ 0`, maps: changeMaps(name), height: h, width: w, colorscale: whiteTo(color), zmin: 0, zmax: 1, colorbarTitle: 'fraction' },
    );
  }
  return mapStripFigure({
    title: args.title ?? `Inside the models: the input of ${first.layer} over time (channel means)`,
    times: first.times,
    rows,
    cellSize: args.cellSize ?? 100,
  });
}
