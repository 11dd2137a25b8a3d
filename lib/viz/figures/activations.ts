/** What a delta layer sees and sends: activations and deltas over time, frames and maps as heatmaps. */
import { DeltaSparsityError, describeValue, invalidArgument } from '../../util/errors';
import type { Figure, PlotTrace } from '../types';
import { assignColors } from '../palette';
import { baseLayout, checkFiniteArray, escapeTemplate, stackedDomains, requireFigureArgs } from './common';

export interface UnitTrace {
  /** Legend name, e.g. `'unit 3'`. */
  name: string;
  /** Activation at each time step. */
  activation: readonly number[];
  /** Delta (change transmitted) at each time step; 0 where nothing was sent. Same length as `activation`. */
  delta: readonly number[];
}

export interface ActivationsDeltasArgs {
  units: readonly UnitTrace[];
  /** Time values. Default: 0, 1, ..., T-1 (frame index). */
  time?: readonly number[];
  /** Default: `'frame'`. */
  timeTitle?: string;
  title?: string;
  /** Figure height in pixels. Default: 520. */
  height?: number;
}

/**
 * Two stacked subplots sharing the time axis: activations as lines (top) and deltas as markers on a zero
 * line (bottom: a marker at 0 is a skipped update). A unit has one colour in both subplots.
 * Traces: 2 per unit (activation, then delta), unit-major.
 */
export function activationsDeltasFigure(args: ActivationsDeltasArgs): Figure {
  requireFigureArgs('activationsDeltasFigure', args);
  const { units } = args;
  if (!Array.isArray(units) || units.length === 0) {
    throw invalidArgument('units', 'a non-empty array of { name, activation, delta }', units);
  }
  const data: PlotTrace[] = [];
  const colors = assignColors(units.map((unit) => unit.name));
  units.forEach((unit, u) => {
    const activation = checkFiniteArray(`units[${u}].activation`, unit.activation);
    const delta = checkFiniteArray(`units[${u}].delta`, unit.delta);
    if (delta.length !== activation.length) {
      throw invalidArgument(`units[${u}].delta`, `${activation.length} values (same length as activation)`, delta.length);
    }
    const time = args.time ? checkFiniteArray('time', args.time) : activation.map((_, t) => t);
    if (time.length !== activation.length) {
      throw invalidArgument('time', `${activation.length} values (one per step)`, time.length);
    }
    const color = colors[u];
    data.push({
      type: 'scatter', mode: 'lines', name: unit.name, x: time, y: activation, xaxis: 'x', yaxis: 'y',
      legendgroup: unit.name, line: { color, width: 2 },
      hovertemplate: `${escapeTemplate(unit.name)}<br>t=%{x}<br>activation %{y:.4g}<extra></extra>`,
    });
    data.push({
      type: 'scatter', mode: 'markers', name: `${unit.name} Δ`, x: time, y: delta, xaxis: 'x2', yaxis: 'y2',
      legendgroup: unit.name, showlegend: false,
      marker: { color, size: 7 },
      hovertemplate: `${escapeTemplate(unit.name)}<br>t=%{x}<br>delta %{y:.4g}<extra></extra>`,
    });
  });
  const [top, bottom] = stackedDomains(2, 0.1);
  return {
    data,
    layout: baseLayout(args.title, {
      height: args.height ?? 520,
      xaxis: { anchor: 'y', showticklabels: false },
      yaxis: { domain: top, anchor: 'x', title: { text: 'activation' } },
      xaxis2: { anchor: 'y2', matches: 'x', title: { text: args.timeTitle ?? 'frame' } },
      yaxis2: { domain: bottom, anchor: 'x2', title: { text: 'delta sent' }, zeroline: true },
      legend: { orientation: 'h', x: 0, y: 1.02, yanchor: 'bottom' },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Image / heatmap

export interface HeatmapArgs {
  /**
   * The image: rows of values (`values[row][col]`, row 0 drawn at the top), or a flat row-major array with
   * `height` and `width`.
   */
  values: readonly (readonly number[])[] | ArrayLike<number>;
  /** Rows, when `values` is flat. */
  height?: number;
  /** Columns, when `values` is flat. */
  width?: number;
  title?: string;
  /** Plotly colour scale name. Default: `'Greys'` reversed look for frames (`'Viridis'` is a good map choice). */
  colorscale?: string;
  /** Colour range. Default: the data's min and max. */
  zmin?: number;
  zmax?: number;
  /** Colour bar title, e.g. `'|Δ|'`. */
  colorbarTitle?: string;
  /** Figure height in pixels. Default: 420. */
  figureHeight?: number;
  /** Axis titles. Default: `'x (pixel)'`, `'y (pixel)'` (column and row of the map). */
  xTitle?: string;
  yTitle?: string;
}

/**
 * A frame or activation map as a heatmap with square pixels, row 0 at the top (image orientation).
 * Traces: 1.
 */
export function heatmapFigure(args: HeatmapArgs): Figure {
  requireFigureArgs('heatmapFigure', args);
  const rows = toRows(args);
  const figureHeight = args.figureHeight ?? 420;
  const flat = rows.flat();
  const zmin = args.zmin ?? Math.min(...flat);
  const zmax = args.zmax ?? Math.max(...flat);
  return {
    data: [
      {
        type: 'heatmap',
        z: rows,
        colorscale: args.colorscale ?? 'Greys',
        zmin,
        // A constant image still needs a non-empty colour range.
        zmax: zmax > zmin ? zmax : zmin + 1,
        showscale: true,
        ...(args.colorbarTitle !== undefined ? { colorbar: { title: { text: args.colorbarTitle } } } : {}),
        hovertemplate: 'row %{y}, col %{x}: %{z:.4g}<extra></extra>',
      },
    ],
    layout: baseLayout(args.title, {
      height: figureHeight,
      // Square pixels: a width that fits the image's aspect ratio plus the colour bar, so the bar sits
      // next to the image instead of at the far edge of a wide output.
      width: Math.min(1000, Math.max(320, Math.round(((figureHeight - 90) * rows[0].length) / rows.length) + 200)),
      xaxis: { constrain: 'domain', showticklabels: true, title: { text: args.xTitle ?? 'x (pixel)' } },
      yaxis: { autorange: 'reversed', scaleanchor: 'x', constrain: 'domain', title: { text: args.yTitle ?? 'y (pixel)' } },
    }),
  };
}

/** The image of `args` as rows of numbers (`values[row][col]`), checked. */
export function toRows(args: Pick<HeatmapArgs, 'values' | 'height' | 'width'>): number[][] {
  const { values } = args;
  if (values == null || typeof values !== 'object' || typeof (values as ArrayLike<unknown>).length !== 'number') {
    throw invalidArgument('values', 'rows of numbers or a flat array with height and width', values);
  }
  const first = (values as ArrayLike<unknown>)[0];
  if (Array.isArray(first) || ArrayBuffer.isView(first)) {
    const rows = Array.from(values as ArrayLike<ArrayLike<number>>, (row, r) => checkFiniteArray(`values[${r}]`, row));
    if (rows.some((row) => row.length !== rows[0].length) || rows[0].length === 0) {
      throw invalidArgument('values', 'non-empty rows of equal length', rows.map((row) => row.length));
    }
    return rows;
  }
  const { height, width } = args;
  if (height === undefined || width === undefined || !Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1) {
    const length = (values as ArrayLike<unknown>).length;
    throw new DeltaSparsityError(
      `height/width: expected positive integers when values is a flat array. Received: height=${describeValue(height)}, width=${describeValue(width)}, values of length ${length}`,
    );
  }
  const flat = checkFiniteArray('values', values);
  if (flat.length !== height * width) {
    throw invalidArgument('values', `height*width = ${height * width} values`, flat.length);
  }
  return Array.from({ length: height }, (_, r) => flat.slice(r * width, (r + 1) * width));
}
