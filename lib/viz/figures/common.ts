/**
 * Helpers shared by the figure builders: argument checks, layout defaults, subplot axis names and number
 * formatting. Not part of the public API (except the palette re-exported through `palette.ts`).
 */
import { invalidArgument } from '../../util/errors';
import type { PlotLayout } from '../types';

/**
 * Throws a one-line DeltaSparsityError unless a figure function received its arguments object (a user calling
 * `trainingCurvesFigure()` would otherwise see a TypeError from destructuring).
 */
export function requireFigureArgs(figure: string, args: unknown, shape?: string): void {
  if (args == null || typeof args !== 'object' || Array.isArray(args)) {
    const named = shape === undefined ? 'an object of named arguments' : `one object of named arguments ${shape}`;
    throw invalidArgument(`${figure} arguments`, `${named} (see its docstring)`, args);
  }
}

export function checkFiniteArray(argument: string, values: unknown): number[] {
  if (!Array.isArray(values) && !ArrayBuffer.isView(values)) {
    throw invalidArgument(argument, 'an array of finite numbers', values);
  }
  const out = Array.from(values as ArrayLike<unknown>);
  out.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw invalidArgument(`${argument}[${i}]`, 'a finite number', v);
    }
  });
  return out as number[];
}

/** Same as `checkFiniteArray` but `null` (a missing point, drawn as a gap) is allowed. */
export function checkNumberOrGapArray(argument: string, values: unknown): (number | null)[] {
  if (!Array.isArray(values) && !ArrayBuffer.isView(values)) {
    throw invalidArgument(argument, 'an array of finite numbers (null for a missing point)', values);
  }
  const out = Array.from(values as ArrayLike<unknown>);
  out.forEach((v, i) => {
    if (v !== null && (typeof v !== 'number' || !Number.isFinite(v))) {
      throw invalidArgument(`${argument}[${i}]`, 'a finite number or null', v);
    }
  });
  return out as (number | null)[];
}

export function baseLayout(title: string | undefined, extra: PlotLayout): PlotLayout {
  return {
    ...(title !== undefined ? { title: { text: title } } : {}),
    // Room for a title and, under it, a legend row above the plot (several builders put it there).
    margin: { l: 70, r: 30, t: title !== undefined ? 90 : 30, b: 60 },
    hovermode: 'closest',
    ...extra,
  };
}

/**
 * Vertical domains for `count` stacked subplots, top first, with `gap` (fraction of the height) between them.
 * E.g. count=2, gap=0.1 -> [[0.55, 1], [0, 0.45]].
 */
export function stackedDomains(count: number, gap: number): [number, number][] {
  const height = (1 - gap * (count - 1)) / count;
  return Array.from({ length: count }, (_, i) => {
    const top = 1 - i * (height + gap);
    return [Math.max(0, top - height), top] as [number, number];
  });
}

/** `'x'`, `'x2'`, ... as trace axis references; `'xaxis'`, `'xaxis2'`, ... as layout keys. */
export function axisRef(letter: 'x' | 'y', index: number): string {
  return index === 0 ? letter : `${letter}${index + 1}`;
}
export function axisKey(letter: 'x' | 'y', index: number): `xaxis${string}` | `yaxis${string}` {
  return (index === 0 ? `${letter}axis` : `${letter}axis${index + 1}`) as `xaxis${string}`;
}

/** Plotly hover templates treat `%{` specially; names are user text. */
export function escapeTemplate(text: string): string {
  return text.replace(/%/g, '%%');
}

/** Up to 3 significant digits, no trailing zeros: 0.25 -> "0.25", 0.123456 -> "0.123". */
export function formatNumber(value: number): string {
  return String(Number(value.toPrecision(3)));
}
