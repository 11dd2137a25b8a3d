/**
 * Tables as a person reads them: column keys become labels with units (`lib/viz/columns.ts`), values are
 * scaled to that unit and shown with the same number of significant figures, and a wide table can be cut
 * to chosen columns or transposed. Used by `showTable` for every table the library shows.
 */
import { invalidArgument } from '../util/errors';
import { columnHeader, columnSpec, type ColumnSpec } from './columns';

/** What danfojs DataFrames look like from outside (duck-typed so that this module does not load danfojs). */
export interface DataFrameLike {
  columns: string[];
  values: unknown[][] | unknown[];
  index: (string | number)[];
}

/** Rows as plain objects (interfaces without an index signature are fine). */
export type TableRows = readonly object[];

export function isDataFrameLike(value: unknown): value is DataFrameLike {
  if (value == null || typeof value !== 'object') return false;
  const v = value as Partial<DataFrameLike>;
  return Array.isArray(v.columns) && Array.isArray(v.values) && Array.isArray(v.index);
}

export interface FormatTableOptions {
  /** Columns to show, by key, in this order (a wide table cut to what matters). Default: all. */
  columns?: readonly string[];
  /**
   * Show one row per column and one column per row (a table with few rows and many columns fits the page).
   * The new header row holds the values of `rowKey`. Default: false.
   */
  transpose?: boolean;
  /** When transposing: the column whose values name the rows (e.g. `'name'`). Default: the first column holding only strings, else the row number. */
  rowKey?: string;
  /** Significant figures of numbers that are not exact counts. Default: 3. */
  digits?: number;
  /** Extra or overriding column specs for this table (key -> spec). */
  specs?: Readonly<Record<string, ColumnSpec>>;
}

/** A table ready to print: header texts and cell texts, with which cells hold numbers (right-aligned). */
export interface FormattedTable {
  header: string[];
  rows: string[][];
  /** `numeric[r][c]`: cell (r, c) came from a number. */
  numeric: boolean[][];
}

/** Rows and columns of a DataFrame or of plain objects; nested plain objects are flattened to `a.b` keys. */
export function tableColumnsAndRows(table: DataFrameLike | TableRows, nested: 'flatten' | 'keep' = 'flatten'): { columns: string[]; rows: unknown[][]; index: (string | number)[] } {
  if (isDataFrameLike(table)) {
    const values = table.values as unknown[];
    // A danfojs Series-shaped frame with one column can hold a flat array.
    return { columns: table.columns.map(String), rows: values.map((row) => (Array.isArray(row) ? row : [row])), index: table.index };
  }
  if (!Array.isArray(table)) throw invalidArgument('table', 'a danfojs DataFrame or an array of plain objects', table);
  const flat = (table as TableRows).map((row, i) => {
    if (row == null || typeof row !== 'object' || Array.isArray(row)) {
      throw invalidArgument(`table[${i}]`, 'a plain object (one table row)', row);
    }
    return nested === 'flatten' ? flatten(row as Record<string, unknown>) : (row as Record<string, unknown>);
  });
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const row of flat) for (const key of Object.keys(row)) if (!seen.has(key)) (seen.add(key), columns.push(key));
  return { columns, rows: flat.map((row) => columns.map((c) => row[c])), index: flat.map((_, i) => i) };
}

function flatten(row: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    const name = prefix ? `${prefix}.${key}` : key;
    const plain = value !== null && typeof value === 'object' && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;
    if (plain) Object.assign(out, flatten(value as Record<string, unknown>, name));
    else out[name] = value;
  }
  return out;
}

/**
 * A number with `digits` significant figures and thousands separators: 0.123456 -> "0.123",
 * 1130287.7 -> "1,130,000", 66.66 -> "66.7", 0.5 -> "0.500", 0.00001234 -> "1.23e-5". `exact` numbers (counts) are not rounded.
 * NaN and ±Infinity (missing values in DataFrames) -> "–".
 */
export function formatSignificant(value: number, digits = 3, exact = false): string {
  if (!Number.isFinite(value)) return '–';
  if (value === 0) return '0';
  const rounded = exact ? value : Number(value.toPrecision(digits));
  const magnitude = Math.abs(rounded);
  if (!exact && magnitude < 1e-3) {
    const [mantissa, exponent] = rounded.toExponential(digits - 1).split('e');
    return `${String(Number(mantissa))}e${Number(exponent)}`;
  }
  // Decimals needed to show `digits` significant figures of a number below 10^digits.
  if (exact) return rounded.toLocaleString('en-US', { maximumFractionDigits: 6 });
  // Trailing zeros are significant figures too: 0.5 -> "0.500", so that a column reads evenly.
  const decimals = Math.min(20, Math.max(0, digits - 1 - Math.floor(Math.log10(magnitude))));
  return rounded.toLocaleString('en-US', { maximumFractionDigits: decimals, minimumFractionDigits: decimals });
}

/**
 * One cell as text: numbers scaled by the column's spec, counts (whole numbers of unscaled columns, and
 * `exact` columns) exactly, others to `digits` significant figures; booleans as yes/no; null as empty.
 */
export function formatTableCell(value: unknown, spec: ColumnSpec, digits = 3): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') {
    const scale = spec.scale ?? 1;
    // Whole numbers of an unscaled column are counts, shown exactly (3,762,688 dense MACs); a scaled whole
    // number is a rounded measurement like any other (0.6 -> "60.0" %).
    return formatSignificant(value * scale, spec.digits ?? digits, (spec.exact ?? false) || (scale === 1 && Number.isInteger(value)));
  }
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'bigint') return value.toLocaleString('en-US');
  return formatOtherCell(value);
}

/** A cell that is not a number, boolean or bigint: strings as they are, dates in ISO form, the rest as JSON. */
export function formatOtherCell(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString();
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/**
 * Formats a table for reading (see the module comment). Throws a DeltaSparsityError naming an unknown
 * column in `columns` or `rowKey`.
 */
export function formatTable(table: DataFrameLike | TableRows, options: FormatTableOptions = {}): FormattedTable {
  const { columns: allColumns, rows: allRows } = tableColumnsAndRows(table);
  const digits = options.digits ?? 3;
  if (!Number.isInteger(digits) || digits < 1 || digits > 15) throw invalidArgument('digits', 'an integer from 1 to 15', digits);
  if (options.columns !== undefined && !Array.isArray(options.columns)) {
    throw invalidArgument('columns', "an array of column keys, e.g. ['threshold']", options.columns);
  }
  const pick = options.columns ?? allColumns;
  pick.forEach((key, i) => {
    if (!allColumns.includes(key)) throw invalidArgument(`columns[${i}]`, `one of the table's columns (${allColumns.join(', ')})`, key);
  });
  const at = pick.map((key) => allColumns.indexOf(key));
  const rows = allRows.map((row) => at.map((c) => row[c]));
  const specs = pick.map((key) => columnSpec(key, options.specs));
  const cells = rows.map((row) => row.map((value, c) => formatTableCell(value, specs[c], digits)));
  const numeric = rows.map((row) => row.map((value) => typeof value === 'number'));
  const header = pick.map((key) => columnHeader(key, options.specs));
  if (!options.transpose) return { header, rows: cells, numeric };

  let rowKey = options.rowKey;
  if (rowKey !== undefined && !allColumns.includes(rowKey)) {
    throw invalidArgument('rowKey', `one of the table's columns (${allColumns.join(', ')})`, rowKey);
  }
  rowKey ??= allColumns.find((key) => allRows.every((row) => typeof row[allColumns.indexOf(key)] === 'string'));
  const names = allRows.map((row, r) => (rowKey !== undefined ? String(row[allColumns.indexOf(rowKey)]) : String(r)));
  // The naming column becomes the header row, so it is not repeated as a row.
  const kept = pick.map((key, c) => c).filter((c) => pick[c] !== rowKey);
  return {
    header: ['', ...names],
    rows: kept.map((c) => [header[c], ...cells.map((row) => row[c])]),
    numeric: kept.map((c) => [false, ...numeric.map((row) => row[c])]),
  };
}

/**
 * A formatted table as plain text for a terminal: columns separated by two spaces, numbers right-aligned and
 * text left-aligned under labelled headers (`formatTable`), one line per row. The command line prints its
 * tables with it so that they carry the same labels and units as the notebooks' and the report's.
 */
export function tableText(table: FormattedTable): string {
  const widths = table.header.map((title, c) => Math.max(title.length, ...table.rows.map((row) => row[c].length)));
  const line = (cells: string[], numeric: (c: number) => boolean): string =>
    cells.map((text, c) => (numeric(c) ? text.padStart(widths[c]) : text.padEnd(widths[c]))).join('  ').trimEnd();
  // A header sits over its column's values: right-aligned over a column of numbers.
  const numericColumn = (c: number): boolean => table.numeric.length > 0 && table.numeric.every((row) => row[c]);
  return [line(table.header, numericColumn), ...table.rows.map((row, r) => line(row, (c) => table.numeric[r][c]))].join('\n');
}
