/**
 * The one DataFrame adapter, and the one place that loads danfojs-node. Domain modules build plain rows
 * (`measurement.layers`, `costToRows`, `ablationRows`); `dataFrameOf(rows)` turns any of them into a DataFrame. It is an optional peer dependency (it pulls in a second copy of
 * TensorFlow.js and, through xlsx, a package that is fetched from a CDN), so it is required lazily, on the
 * first DataFrame a user asks for, and its absence gives a one-line error saying how to install it.
 */
import type * as Danfo from 'danfojs-node';
import { DeltaSparsityError, invalidArgument } from './errors';

export type DataFrame = Danfo.DataFrame;

let danfo: typeof Danfo | undefined;

/** The danfojs-node module (loaded on first use: a second or two). Throws a DeltaSparsityError when it is not installed. */
export function loadDanfo(): typeof Danfo {
  if (danfo !== undefined) return danfo;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    danfo = require('danfojs-node') as typeof Danfo;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
    throw new DeltaSparsityError(
      'DataFrames need the optional package danfojs-node, which is not installed. First add to your package.json ' +
        '"overrides": { "xlsx": "0.18.5", "danfojs-node": { "@tensorflow/tfjs-node": "npm:@tensorflow/tfjs@4.22.0" } } ' +
        '(danfo 1.2.0 otherwise fetches xlsx from a CDN and a second, native TensorFlow), then `npm install danfojs-node@1.2.0`; ' +
        'or show the plain rows without a DataFrame: showTable(costToRows(...)), ablationRows(...), measurement.layers.',
    );
  }
  return danfo;
}

/**
 * A danfojs-node DataFrame of plain rows, e.g. `dataFrameOf(measurement.layers)` (one row per layer),
 * `dataFrameOf(costToRows(cost))` (one per layer and mode, plus totals), `dataFrameOf(ablationRows(records))`.
 * Every column that holds numbers gets NaN where a row has null or lacks the key, so that describe(), mean()
 * and friends work (danfojs refuses null in a numeric column). Columns are the union of the rows' keys, in
 * order of first appearance. danfojs-node is loaded on first use; throws a DeltaSparsityError saying how to
 * install it when it is missing.
 */
export function dataFrameOf<Row extends object>(plainRows: readonly Row[]): DataFrame {
  if (!Array.isArray(plainRows) || plainRows.some((row) => row === null || typeof row !== 'object')) {
    throw invalidArgument('rows', 'an array of plain objects, e.g. costToRows(cost) or measurement.layers', plainRows);
  }
  // Rows are read by key only; every object type (an interface without an index signature too) is one.
  const rows = plainRows as readonly Record<string, unknown>[];
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row)) if (!seen.has(key)) (seen.add(key), columns.push(key));
  const holdsStrings = new Set(columns.filter((column) => rows.some((row) => typeof row[column] === 'string')));
  const filled = rows.map((row) =>
    Object.fromEntries(
      columns.map((column) => {
        const value = row[column];
        const missing = value === null || value === undefined;
        return [column, missing && !holdsStrings.has(column) ? Number.NaN : value];
      }),
    ),
  );
  const { DataFrame: Frame } = loadDanfo();
  return new Frame(filled);
}
