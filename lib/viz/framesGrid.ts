/**
 * A grid of video frames: one column per class (or clip), one row per chosen frame, each frame a small RGB
 * picture. Used to show the data before training ("this is what the network sees"). Frames go into the
 * figure as PNG data URIs (Plotly `image` traces), enlarged by an integer factor with nearest-neighbour
 * sampling so that 32x32 frames show crisp pixels rather than a browser's blur.
 */
import * as zlib from 'node:zlib';
import { invalidArgument, requireInteger } from '../util/errors';
import type { Figure, PlotAnnotation, PlotLayout, PlotTrace } from './types';
import { requireFigureArgs } from './figures/common';

/** One RGB frame, row-major [H, W, 3], values in [0, 1] (clamped). */
export interface FrameImage {
  pixels: ArrayLike<number>;
  height: number;
  width: number;
}

export interface FramesGridColumn {
  /** Shown above the column, e.g. the class name. */
  label: string;
  /** Top to bottom; every column has the same number of frames. */
  frames: FrameImage[];
}

export interface FramesGridArgs {
  title?: string;
  columns: FramesGridColumn[];
  /** Shown left of each row, e.g. "frame 0". Default: none. */
  rowLabels?: string[];
  /** Width and height of one cell, in pixels. Default 96. */
  cellSize?: number;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body) >>> 0);
  return Buffer.concat([length, body, crc]);
}

/**
 * The frame as an 8-bit RGB PNG, each pixel repeated `scale` x `scale` times (default 1). Throws for a
 * pixel count that is not H·W·3 or a non-integer scale.
 */
export function framePng(frame: FrameImage, scale = 1): Uint8Array {
  const { height, width, pixels } = frame;
  requireInteger('height', height, 1);
  requireInteger('width', width, 1);
  requireInteger('scale', scale, 1);
  if (pixels.length !== height * width * 3) {
    throw invalidArgument('pixels', `H·W·3 = ${height * width * 3} values in [0, 1]`, `${pixels.length} values`);
  }
  const outWidth = width * scale;
  const rowBytes = 1 + outWidth * 3; // filter byte 0 (none), then RGB
  const raw = Buffer.alloc(rowBytes * height * scale);
  for (let y = 0; y < height * scale; y++) {
    const sourceRow = Math.floor(y / scale);
    for (let x = 0; x < outWidth; x++) {
      const source = (sourceRow * width + Math.floor(x / scale)) * 3;
      for (let c = 0; c < 3; c++) {
        const value = Math.round(Math.min(1, Math.max(0, Number(pixels[source + c]))) * 255);
        raw[y * rowBytes + 1 + x * 3 + c] = value;
      }
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(outWidth, 0);
  header.writeUInt32BE(height * scale, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: RGB
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return new Uint8Array(Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]));
}

/**
 * Frames in a grid (see the module comment): trace k is column ⌊k / rows⌋, row k mod rows, on axes
 * x(k+1)/y(k+1); column labels are annotations above the grid, row labels left of it. Throws for no columns or
 * columns with different frame counts.
 */
export function framesGridFigure(args: FramesGridArgs): Figure {
  requireFigureArgs('framesGridFigure', args);
  const { columns } = args;
  if (!Array.isArray(columns) || columns.length === 0) throw invalidArgument('columns', 'at least one { label, frames }', columns);
  const rows = columns[0].frames.length;
  columns.forEach((column, i) => {
    if (column.frames.length !== rows || rows === 0) {
      throw invalidArgument(`columns[${i}].frames`, `${rows || 'at least 1'} frame(s), as every column`, `${column.frames.length} frame(s)`);
    }
  });
  if (args.rowLabels !== undefined && args.rowLabels.length !== rows) {
    throw invalidArgument('rowLabels', `${rows} labels (one per row)`, `${args.rowLabels.length} labels`);
  }
  const cell = args.cellSize ?? 96;
  const gap = 6;
  const left = args.rowLabels ? 70 : 10;
  const top = (args.title ? 50 : 10) + 30;
  const width = left + columns.length * (cell + gap) + 10;
  const height = top + rows * (cell + gap) + 10;
  const plotWidth = width - left - 10;
  const plotHeight = height - top - 10;
  const data: PlotTrace[] = [];
  const layout: PlotLayout = {
    width,
    height,
    margin: { l: left, r: 10, t: top, b: 10 },
    showlegend: false,
    annotations: [],
    ...(args.title ? { title: { text: args.title } } : {}),
  };
  const annotations = layout.annotations as PlotAnnotation[];
  columns.forEach((column, c) => {
    column.frames.forEach((frame, r) => {
      const k = data.length + 1;
      const scale = Math.max(1, Math.floor(cell / Math.max(frame.width, frame.height)));
      const png = Buffer.from(framePng(frame, scale)).toString('base64');
      data.push({
        type: 'image',
        name: `${column.label}, row ${r + 1}`,
        source: `data:image/png;base64,${png}`,
        xaxis: `x${k}`,
        yaxis: `y${k}`,
        hovertemplate: `${column.label}<extra></extra>`,
      });
      const x0 = (c * (cell + gap)) / plotWidth;
      const y1 = 1 - (r * (cell + gap)) / plotHeight;
      layout[`xaxis${k}`] = { domain: [x0, Math.min(1, x0 + cell / plotWidth)], visible: false, anchor: `y${k}` };
      layout[`yaxis${k}`] = { domain: [Math.max(0, y1 - cell / plotHeight), y1], visible: false, anchor: `x${k}`, scaleanchor: `x${k}` };
    });
  });
  // Labels are placed relative to the first row's and first column's subplots ('x1 domain' refs), so they
  // stay centred on their pictures whatever margins Plotly settles on.
  columns.forEach((column, c) => {
    const k = c * rows + 1;
    annotations.push({ text: column.label, x: 0.5, y: 1, xref: `x${k} domain`, yref: `y${k} domain`, showarrow: false, yanchor: 'bottom', font: { size: 12 } });
  });
  args.rowLabels?.forEach((label, r) => {
    const k = r + 1;
    annotations.push({ text: label, x: 0, y: 0.5, xref: `x${k} domain`, yref: `y${k} domain`, showarrow: false, xanchor: 'right', font: { size: 12 } });
  });
  return { data, layout };
}
