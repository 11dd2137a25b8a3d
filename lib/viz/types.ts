/**
 * The subset of the Plotly figure format that the figure builders produce. A `Figure` is plain JSON:
 * it can be written to a file, embedded in an HTML report or handed to `Plotly.newPlot(div, data, layout)`.
 */

/** Axis settings used by the builders (Plotly `layout.xaxis*` / `layout.yaxis*`). */
export interface PlotAxis {
  title?: { text: string };
  type?: 'linear' | 'log' | 'category';
  /** Fraction of the plotting area the axis spans, for stacked subplots. */
  domain?: [number, number];
  /** Name of the axis this one is anchored to (`'x'`, `'y2'`, ...). */
  anchor?: string;
  /** Name of the axis whose range this one follows (shared x axes of stacked subplots). */
  matches?: string;
  range?: [number, number];
  /** Tick spacing (1 for whole epochs; on a log axis 1 = a tick per decade, without Plotly's 2 and 5 labels between decades, which read as values). */
  dtick?: number;
  autorange?: boolean | 'reversed';
  rangemode?: 'normal' | 'tozero' | 'nonnegative';
  showticklabels?: boolean;
  /** Tick marks: `''` for none. */
  ticks?: '' | 'outside' | 'inside';
  zeroline?: boolean;
  scaleanchor?: string;
  constrain?: 'range' | 'domain';
  /** false hides the axis (line, ticks, grid): image grids. */
  visible?: boolean;
}

/** One trace (Plotly `data[i]`). Only the fields the builders use are typed. */
export interface PlotTrace {
  type: 'scatter' | 'bar' | 'heatmap' | 'image';
  /** Image traces: the picture as a data URI (`data:image/png;base64,...`). */
  source?: string;
  name?: string;
  x?: (number | string)[];
  /** `null` is a gap in a line. */
  y?: (number | string | null)[];
  z?: number[][];
  mode?: 'lines' | 'markers' | 'lines+markers' | 'markers+text' | 'lines+markers+text';
  text?: string[];
  textposition?: 'top center' | 'bottom center' | 'middle right' | 'top right';
  hovertemplate?: string;
  line?: { color?: string; width?: number; dash?: 'solid' | 'dash' | 'dot' | 'dashdot'; shape?: 'linear' | 'hv' };
  marker?: { color?: string; size?: number; symbol?: string; line?: { color: string; width: number } };
  /** Axis names for subplots: `'x'`, `'x2'`, `'y'`, `'y2'`, ... */
  xaxis?: string;
  yaxis?: string;
  legendgroup?: string;
  showlegend?: boolean;
  colorscale?: string | [number, string][];
  zmin?: number;
  zmax?: number;
  showscale?: boolean;
  colorbar?: ColorBar;
  /** Name of the shared colour axis (`'coloraxis'`, `'coloraxis2'`, ...) instead of the trace's own scale. */
  coloraxis?: string;
  /** Bar widths in x units (histogram bins). */
  width?: number[];
  /** Hover data per point, available as `%{customdata}` in `hovertemplate`. */
  customdata?: (number | string)[];
}

/** A colour bar (Plotly `colorbar`), placed in paper coordinates. */
export interface ColorBar {
  title?: { text: string; side?: 'right' | 'top' | 'bottom' };
  x?: number;
  y?: number;
  len?: number;
  thickness?: number;
  xanchor?: 'left' | 'center' | 'right';
  yanchor?: 'top' | 'middle' | 'bottom';
}

/** A colour axis shared by several heatmaps (Plotly `layout.coloraxis*`). */
export interface ColorAxis {
  colorscale?: string | [number, string][];
  cmin?: number;
  cmax?: number;
  showscale?: boolean;
  colorbar?: ColorBar;
}

/** A text annotation (Plotly `layout.annotations[i]`). */
export interface PlotAnnotation {
  text: string;
  x: number | string;
  y: number | string;
  xref?: string;
  yref?: string;
  showarrow?: boolean;
  arrowhead?: number;
  ax?: number;
  ay?: number;
  xanchor?: 'left' | 'center' | 'right';
  yanchor?: 'top' | 'middle' | 'bottom';
  /** Alignment of the lines of a multi-line (`<br>`) text. */
  align?: 'left' | 'center' | 'right';
  font?: { size?: number; color?: string };
}

/** A line or rectangle drawn on the plot (Plotly `layout.shapes[i]`). */
export interface PlotShape {
  type: 'line' | 'rect';
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  xref?: string;
  yref?: string;
  line?: { color?: string; width?: number; dash?: 'solid' | 'dash' | 'dot' };
}

/** Plotly `layout`. Subplot axes are the extra `xaxis2`, `yaxis2`, ... keys. */
export interface PlotLayout {
  title?: { text: string };
  width?: number;
  height?: number;
  barmode?: 'group' | 'stack' | 'overlay';
  /** Gap between bars as a fraction of their width. */
  bargap?: number;
  showlegend?: boolean;
  legend?: { orientation?: 'h' | 'v'; x?: number; y?: number; xanchor?: 'left' | 'center' | 'right'; yanchor?: 'top' | 'middle' | 'bottom' };
  margin?: { l?: number; r?: number; t?: number; b?: number };
  hovermode?: 'closest' | 'x' | 'x unified' | false;
  annotations?: PlotAnnotation[];
  shapes?: PlotShape[];
  template?: string;
  [axis: `xaxis${string}` | `yaxis${string}`]: PlotAxis | undefined;
  [colorAxis: `coloraxis${string}`]: ColorAxis | undefined;
}

/** A Plotly figure: traces plus layout. Plain data, safe to `JSON.stringify`. */
export interface Figure {
  data: PlotTrace[];
  layout: PlotLayout;
}
