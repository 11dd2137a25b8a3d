/**
 * Several maps in one figure: panels side by side (a frame, its quantised activation, the |Δ| sent), and a
 * strip over time (rows = what is shown, columns = time steps) for looking inside a trained model.
 * Square pixels, row 0 at the top (image orientation), axis titles in pixels.
 */
import { invalidArgument } from '../../util/errors';
import type { ColorAxis, Figure, PlotAnnotation, PlotLayout, PlotTrace } from '../types';
import { axisKey, axisRef, escapeTemplate, requireFigureArgs } from './common';
import { toRows } from './activations';

/** How maps given as flat arrays are shaped, and how they are coloured. */
export interface MapColouring {
  /** Rows and columns of a map given as a flat row-major array. */
  height?: number;
  width?: number;
  /** Plotly colour scale name or `[fraction, colour]` stops. Default `'Greys'` (black = low); `'Viridis'` reads well for |Δ|. */
  colorscale?: string | [number, string][];
  /**
   * Colour range. Default: the min and max of what shares the scale (a panel, or all panels with `sharedScale`;
   * a strip row over all its maps).
   */
  zmin?: number;
  zmax?: number;
  /** Colour bar title, e.g. `'|Δ|'`. Default: none. */
  colorbarTitle?: string;
}

/** One map of `heatmapPanelsFigure`. */
export interface HeatmapPanel extends MapColouring {
  /** Panel title, e.g. `'frame 24'`, `'|Δ| sent'`. */
  title: string;
  /** Rows of values (`values[row][col]`), or a flat row-major array with `height` and `width`. */
  values: readonly (readonly number[])[] | ArrayLike<number>;
}

export interface HeatmapPanelsArgs {
  panels: readonly HeatmapPanel[];
  title?: string;
  /** Default `'x (pixel)'`. */
  xTitle?: string;
  /** Default `'y (pixel)'`. */
  yTitle?: string;
  /** One colour range and colour bar for every panel (same quantity, e.g. maps over time). Default: false, one per panel. */
  sharedScale?: boolean;
  /** Edge of each square panel in pixels. Default: 240. */
  panelSize?: number;
}

const COLORBAR_ROOM = 110; // px right of a panel for its colour bar, its tick labels and the gap to the next panel

function range(rows: number[][], zmin: number | undefined, zmax: number | undefined): [number, number] {
  const flat = rows.flat();
  const low = zmin ?? Math.min(...flat);
  const high = zmax ?? Math.max(...flat);
  // A constant map still needs a non-empty colour range.
  return [low, high > low ? high : low + 1];
}

function imageAxes(layout: PlotLayout, index: number, x: [number, number], y: [number, number], titles: { x?: string; y?: string }): void {
  layout[axisKey('x', index)] = {
    domain: x, anchor: axisRef('y', index), constrain: 'domain', ...(titles.x !== undefined ? { title: { text: titles.x } } : {}),
  };
  layout[axisKey('y', index)] = {
    domain: y, anchor: axisRef('x', index), autorange: 'reversed', scaleanchor: axisRef('x', index), constrain: 'domain',
    ...(titles.y !== undefined ? { title: { text: titles.y } } : {}),
  };
}

function colorAxisName(index: number): string {
  return index === 0 ? 'coloraxis' : `coloraxis${index + 1}`;
}

/**
 * Maps side by side, each with its title above it and (default) its own colour bar to its right.
 * Traces: one heatmap per panel, on axes x/y, x2/y2, ...; colour axes `coloraxis`, `coloraxis2`, ...
 * (one in all with `sharedScale`). Throws a DeltaSparsityError for an empty panel list or a bad map.
 */
export function heatmapPanelsFigure(args: HeatmapPanelsArgs): Figure {
  requireFigureArgs('heatmapPanelsFigure', args);
  const { panels } = args;
  if (!Array.isArray(panels) || panels.length === 0) throw invalidArgument('panels', 'a non-empty array of { title, values }', panels);
  const images = panels.map((panel, i) => {
    try {
      return toRows(panel);
    } catch (error) {
      throw invalidArgument(`panels[${i}]`, 'a map: rows of numbers, or a flat array with height and width', error instanceof Error ? error.message : error);
    }
  });
  const size = args.panelSize ?? 240;
  const shared = args.sharedScale ?? false;
  const slot = size + (shared ? 30 : COLORBAR_ROOM);
  const plotWidth = panels.length * slot + (shared ? COLORBAR_ROOM : 0);
  const top = args.title !== undefined ? 80 : 50;
  const layout: PlotLayout = {
    ...(args.title !== undefined ? { title: { text: args.title } } : {}),
    width: plotWidth + 80,
    height: size + top + 60,
    margin: { l: 60, r: 20, t: top, b: 60 },
    hovermode: 'closest',
    annotations: [],
  };
  const sharedRange = shared ? range(images.flat(), panels[0].zmin, panels[0].zmax) : undefined;
  const data: PlotTrace[] = panels.map((panel, i) => {
    const x: [number, number] = [(i * slot) / plotWidth, (i * slot + size) / plotWidth];
    imageAxes(layout, i, x, [0, 1], { x: args.xTitle ?? 'x (pixel)', ...(i === 0 ? { y: args.yTitle ?? 'y (pixel)' } : {}) });
    (layout.annotations as PlotAnnotation[]).push({
      text: panel.title, x: (x[0] + x[1]) / 2, y: 1, xref: 'paper', yref: 'paper', showarrow: false, xanchor: 'center', yanchor: 'bottom', font: { size: 13 },
    });
    const scale = shared ? 0 : i;
    if (!shared || i === 0) {
      const [cmin, cmax] = sharedRange ?? range(images[i], panel.zmin, panel.zmax);
      const colorAxis: ColorAxis = {
        colorscale: panel.colorscale ?? 'Greys', cmin, cmax,
        colorbar: {
          x: shared ? (plotWidth - COLORBAR_ROOM + 10) / plotWidth : x[1] + 10 / plotWidth, xanchor: 'left', len: 0.85, y: 0, yanchor: 'bottom', thickness: 12,
          // Above the bar: on its right side the title read as the next panel's y-axis title.
          ...(panel.colorbarTitle !== undefined ? { title: { text: panel.colorbarTitle, side: 'top' as const } } : {}),
        },
      };
      layout[colorAxisName(scale) as `coloraxis${string}`] = colorAxis;
    }
    return {
      type: 'heatmap', z: images[i], coloraxis: colorAxisName(scale), xaxis: axisRef('x', i), yaxis: axisRef('y', i), name: panel.title,
      hovertemplate: `${escapeTemplate(panel.title)}<br>x %{x}, y %{y}: %{z:.4g}<extra></extra>`,
    };
  });
  return { data, layout };
}

/** One row of `mapStripFigure`: what is shown at each time step, on one colour scale. */
export interface MapStripRow extends MapColouring {
  /** Row label, left of the row (`<br>` breaks lines), e.g. `'frame'`, `'delta:<br>activation'`. */
  label: string;
  /** One map per time step (same count as `times`); each rows of values or flat with `height`/`width`. */
  maps: readonly (readonly (readonly number[])[] | ArrayLike<number>)[];
}

export interface MapStripArgs {
  /** Time step of each column (frame index), e.g. `[0, 2, 4, 6]`. */
  times: readonly number[];
  rows: readonly MapStripRow[];
  title?: string;
  /** Edge of each square map in pixels. Default: 110. */
  cellSize?: number;
}

/**
 * A strip over time: one row per quantity (e.g. the input frame, then per model the channel-mean activation
 * and |Δ| of a hidden layer), one column per time step, each row on one colour scale with its colour bar on
 * the right. Traces: rows × times heatmaps, row-major; row r uses colour axis r.
 */
export function mapStripFigure(args: MapStripArgs): Figure {
  requireFigureArgs('mapStripFigure', args);
  const { times, rows } = args;
  if (!Array.isArray(times) || times.length === 0) throw invalidArgument('times', 'a non-empty array of time steps', times);
  if (!Array.isArray(rows) || rows.length === 0) throw invalidArgument('rows', 'a non-empty array of { label, maps }', rows);
  const images = rows.map((row, r) => {
    const maps: MapStripRow['maps'] = row.maps;
    if (!Array.isArray(maps) || maps.length !== times.length) {
      throw invalidArgument(`rows[${r}].maps`, `${times.length} maps (one per time step)`, Array.isArray(maps) ? maps.length : maps);
    }
    return maps.map((values: MapStripRow['maps'][number], t: number) => {
      try {
        return toRows({ values, height: row.height, width: row.width });
      } catch (error) {
        throw invalidArgument(`rows[${r}].maps[${t}]`, 'a map: rows of numbers, or a flat array with height and width', error instanceof Error ? error.message : error);
      }
    });
  });
  const cell = args.cellSize ?? 110;
  const gap = 8;
  const labelRoom = 20;
  const plotWidth = times.length * (cell + gap) + COLORBAR_ROOM;
  const plotHeight = rows.length * (cell + gap + labelRoom);
  const top = args.title !== undefined ? 70 : 30;
  const layout: PlotLayout = {
    ...(args.title !== undefined ? { title: { text: args.title } } : {}),
    width: plotWidth + 150,
    height: plotHeight + top + 20,
    margin: { l: 150, r: 10, t: top, b: 20 },
    hovermode: 'closest',
    annotations: [],
  };
  const data: PlotTrace[] = [];
  rows.forEach((row, r) => {
    const yTop = 1 - (r * (cell + gap + labelRoom)) / plotHeight;
    const y: [number, number] = [yTop - cell / plotHeight, yTop];
    const [cmin, cmax] = range(images[r].flat(), row.zmin, row.zmax);
    // The label reads horizontally left of the row (a rotated y-axis title is longer than a row is high).
    (layout.annotations as PlotAnnotation[]).push({
      text: row.label, x: -0.01, y: (y[0] + y[1]) / 2, xref: 'paper', yref: 'paper', showarrow: false, xanchor: 'right', yanchor: 'middle', align: 'right', font: { size: 12 },
    });
    layout[colorAxisName(r) as `coloraxis${string}`] = {
      colorscale: row.colorscale ?? 'Greys', cmin, cmax,
      colorbar: {
        x: (times.length * (cell + gap) + 4) / plotWidth, xanchor: 'left', y: (y[0] + y[1]) / 2, yanchor: 'middle', len: cell / plotHeight, thickness: 10,
        ...(row.colorbarTitle !== undefined ? { title: { text: row.colorbarTitle, side: 'right' as const } } : {}),
      },
    };
    times.forEach((time, t) => {
      const index = r * times.length + t;
      const x: [number, number] = [(t * (cell + gap)) / plotWidth, (t * (cell + gap) + cell) / plotWidth];
      imageAxes(layout, index, x, y, {});
      layout[axisKey('x', index)] = { ...layout[axisKey('x', index)], showticklabels: false, ticks: '' };
      layout[axisKey('y', index)] = { ...layout[axisKey('y', index)], showticklabels: false, ticks: '' };
      if (r === 0) {
        (layout.annotations as PlotAnnotation[]).push({
          text: `t = ${time}`, x: (x[0] + x[1]) / 2, y: 1, xref: 'paper', yref: 'paper', showarrow: false, xanchor: 'center', yanchor: 'bottom', font: { size: 12 },
        });
      }
      data.push({
        type: 'heatmap', z: images[r][t], coloraxis: colorAxisName(r), xaxis: axisRef('x', index), yaxis: axisRef('y', index), name: `${row.label}, t = ${time}`,
        hovertemplate: `${escapeTemplate(row.label)}, t = ${time}<br>x %{x}, y %{y}: %{z:.4g}<extra></extra>`,
      });
    });
  });
  return { data, layout };
}
