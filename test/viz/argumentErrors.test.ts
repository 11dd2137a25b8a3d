/** One-line errors for the viz mistakes a new user made (tester report). */
import { describe, expect, it } from 'vitest';
import * as viz from '../../lib/viz';
import { formatTable, heatmapFigure, showFigure, showTable, trainingCurvesFigure } from '../../lib/viz';
import { DeltaSparsityError } from '../../lib/util/errors';

function oneLineError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DeltaSparsityError);
    expect((error as Error).message).not.toContain('\n');
    return (error as Error).message;
  }
  throw new Error('expected a DeltaSparsityError');
}

describe('viz argument errors', () => {
  it('showTable outside a notebook suggests formatTable, showFigure saveFigureHtml', () => {
    // tslab is a devDependency, but no kernel runs in this process: its display reports "Not ready".
    const table = oneLineError(() => showTable([{ threshold: 0.1 }]));
    expect(table).toContain('formatTable');
    expect(table).not.toContain('saveFigureHtml');
    const figure = oneLineError(() => showFigure({ data: [], layout: {} }, { mode: 'interactive' }));
    expect(figure).toContain('saveFigureHtml');
  });

  it('formatTable rejects a string for columns with an invalidArgument error', () => {
    const message = oneLineError(() => formatTable([{ threshold: 0.1, accuracy: 0.5 }], { columns: 'threshold' as unknown as string[] }));
    expect(message).toBe(`columns: expected an array of column keys, e.g. ['threshold']. Received: columns="threshold"`);
  });

  it('trainingCurvesFigure() without arguments says what it expected', () => {
    expect(oneLineError(() => (trainingCurvesFigure as unknown as () => unknown)())).toMatch(
      /^trainingCurvesFigure arguments: expected an object of named arguments.*Received: trainingCurvesFigure arguments=undefined$/,
    );
  });

  it('every figure function rejects a missing arguments object the same way', () => {
    const figures = Object.entries(viz).filter(([name, value]) => /Figure$/.test(name) && typeof value === 'function' && name !== 'showFigure');
    expect(figures.length).toBeGreaterThanOrEqual(12);
    for (const [name, fn] of figures) {
      expect(oneLineError(() => (fn as (a?: unknown) => unknown)())).toMatch(new RegExp(`^${name} arguments: expected (an|one) object of named arguments`));
    }
  });

  it('heatmapFigure with a flat array and no height/width names what it received', () => {
    expect(oneLineError(() => heatmapFigure({ values: [1, 2, 3] }))).toBe(
      'height/width: expected positive integers when values is a flat array. Received: height=undefined, width=undefined, values of length 3',
    );
    expect(oneLineError(() => heatmapFigure({ values: [1, 2, 3], height: 1.5, width: 2 }))).toContain('height=1.5, width=2');
  });
});
