import { describe, expect, it } from 'vitest';
import { columnHeader, decamelize, formatSignificant, formatTable, showTable, tableHtml } from '../../lib/viz';
import { DeltaSparsityError } from '../../lib/util/errors';

describe('column labels', () => {
  it('gives the known keys human labels with units', () => {
    expect(columnHeader('testVideoAccuracy')).toBe('test video accuracy (%)');
    expect(columnHeader('testClipAccuracy')).toBe('test clip accuracy (%)');
    expect(columnHeader('deltaMacsPerFrame')).toBe('delta MACs/frame, steady state');
    expect(columnHeader('deltaMacsPerFrameFirstIncluded')).toBe('delta MACs/frame, first frame included');
    expect(columnHeader('denseMacsPerFrame')).toBe('dense MACs/frame');
    expect(columnHeader('energy_total_pj')).toBe('energy (µJ/frame)');
    expect(columnHeader('latency_s')).toBe('latency (µs/frame)');
    expect(columnHeader('sparsityWeight')).toBe('λ');
    expect(columnHeader('macsPerFrame.steadyState')).toBe('delta MACs/frame, steady state');
  });

  it('labels per-layer columns with the layer in front, and de-camelCases unknown keys', () => {
    expect(columnHeader('conv2.temporalDensity')).toBe('conv2 temporal density');
    expect(columnHeader('conv2.testVideoAccuracy')).toBe('conv2 test video accuracy (%)');
    expect(columnHeader('conv2.somethingNew')).toBe('conv2 something new');
    expect(decamelize('trainFramesPerSec')).toBe('train frames per sec');
    expect(decamelize('energy_delta_state_pj')).toBe('energy delta state pj');
    // Notebook keys written as math keep their subscripts.
    expect([decamelize('x_t'), decamelize('Δ_t'), decamelize('reads Δ')]).toEqual(['x_t', 'Δ_t', 'reads Δ']);
    expect(decamelize('denseMACsPerFrame')).toBe('dense MACs per frame');
    expect(columnHeader('someNewKey', { someNewKey: { label: 'new', unit: 'ms' } })).toBe('new (ms)');
  });
});

describe('formatSignificant', () => {
  it('rounds to significant figures, keeps trailing zeros and separates thousands', () => {
    // 1130287.7 to 3 significant figures is 1,130,000; 2/3·100 = 66.666... -> 66.7; 0.5 -> 0.500.
    expect(formatSignificant(1130287.7)).toBe('1,130,000');
    expect(formatSignificant((2 / 3) * 100)).toBe('66.7');
    expect(formatSignificant(0.5)).toBe('0.500');
    expect(formatSignificant(0.0123456)).toBe('0.0123');
    expect(formatSignificant(1.234e-5)).toBe('1.23e-5');
    expect(formatSignificant(0.123456, 2)).toBe('0.12');
    expect(formatSignificant(3762688, 3, true)).toBe('3,762,688');
    expect([formatSignificant(Number.NaN), formatSignificant(0)]).toEqual(['–', '0']);
  });
});

describe('formatTable', () => {
  // Two ablation-like rows. Expected cells by hand:
  //  testVideoAccuracy 0.6666... ×100 = 66.666... -> "66.7"; 0.5 ×100 = 50 -> "50.0" (a scaled measurement, 3 figures).
  //  deltaMacsPerFrame 1130287.71 -> "1,130,000"; 873098.87 -> "873,000".
  //  energy_total_pj 2.5e6 pJ ×1e-6 = 2.5 µJ -> "2.50"; 123456 pJ -> 0.123456 µJ -> "0.123".
  //  latency_s 3.2e-5 s ×1e6 = 32 µs -> "32.0"; 1.234e-4 s -> 123.4 µs -> "123".
  //  testVideos 1200 is a count (unscaled whole number): exact, "1,200".
  const rows = [
    { name: 'q=0.025', testVideoAccuracy: 2 / 3, deltaMacsPerFrame: 1130287.71, energy_total_pj: 2.5e6, latency_s: 3.2e-5, testVideos: 1200 },
    { name: 'q=0.05', testVideoAccuracy: 0.5, deltaMacsPerFrame: 873098.87, energy_total_pj: 123456, latency_s: 1.234e-4, testVideos: 30 },
  ];

  it('scales values to the unit of their label and rounds them to 3 significant figures', () => {
    const table = formatTable(rows);
    expect(table.header).toEqual([
      'name', 'test video accuracy (%)', 'delta MACs/frame, steady state', 'energy (µJ/frame)', 'latency (µs/frame)', 'test videos',
    ]);
    expect(table.rows).toEqual([
      ['q=0.025', '66.7', '1,130,000', '2.50', '32.0', '1,200'],
      ['q=0.05', '50.0', '873,000', '0.123', '123', '30'],
    ]);
    expect(table.numeric[0]).toEqual([false, true, true, true, true, true]);
  });

  it('keeps only the chosen columns, in the chosen order, and names an unknown one', () => {
    expect(formatTable(rows, { columns: ['testVideos', 'name'] }).rows).toEqual([['1,200', 'q=0.025'], ['30', 'q=0.05']]);
    expect(() => formatTable(rows, { columns: ['accuracy'] })).toThrow(DeltaSparsityError);
    expect(() => formatTable(rows, { columns: ['accuracy'] })).toThrow(/columns\[0\]: expected one of the table's columns/);
  });

  it('transposes: one row per column, one column per row named by the string column', () => {
    const table = formatTable(rows, { transpose: true, columns: ['name', 'testVideoAccuracy', 'testVideos'] });
    expect(table.header).toEqual(['', 'q=0.025', 'q=0.05']);
    expect(table.rows).toEqual([
      ['test video accuracy (%)', '66.7', '50.0'],
      ['test videos', '1,200', '30'],
    ]);
    expect(table.numeric).toEqual([[false, true, true], [false, true, true]]);
  });

  it('flattens nested summary fields and formats a DataFrame-shaped table the same way', () => {
    const summary = [{ name: 'delta', macsPerFrame: { dense: 3762688, steadyState: 873098.87 }, aboveChance: true }];
    const table = formatTable(summary);
    expect(table.header).toEqual(['name', 'dense MACs/frame', 'delta MACs/frame, steady state', 'above chance']);
    expect(table.rows).toEqual([['delta', '3,762,688', '873,000', 'yes']]);
    const frame = { columns: ['testClipAccuracy', 'threshold'], values: [[0.25, 0.1], [Number.NaN, 0.2]], index: [0, 1] };
    expect(formatTable(frame).rows).toEqual([['25.0', '0.1'], ['–', '0.2']]);
  });
});

describe('showTable', () => {
  it('shows labelled headers and scaled values; tableHtml without labels keeps the raw keys', () => {
    const htmls: string[] = [];
    // 0.75 -> 75.0 %; 0.123456 -> 0.123.
    showTable([{ testVideoAccuracy: 0.75, trainLoss: 0.123456 }], { display: { html: (s) => htmls.push(s), png: () => undefined } });
    expect(htmls[0]).toContain('<th>test video accuracy (%)</th><th>training loss (cross-entropy + λ·penalty)</th>');
    expect(htmls[0]).toContain('<td style="text-align:right">75.0</td><td style="text-align:right">0.123</td>');
    expect(tableHtml([{ testVideoAccuracy: 0.75 }])).toContain('<th>testVideoAccuracy</th>');
  });
});

describe('tableText', () => {
  it('aligns labelled columns: text left, numbers right, headers over numeric columns right', async () => {
    const { tableText } = await import('../../lib/viz/table');
    const text = tableText(formatTable([{ mode: 'fixed-threshold', threshold: 0.1, testVideoAccuracy: 0.25 }, { mode: 'lambda', threshold: 0.05, testVideoAccuracy: 1 }]));
    // 0.25 -> "25.0" %, 1 -> "100" % (3 significant figures); q as given.
    expect(text.split('\n')).toEqual([
      'mode                q  test video accuracy (%)',
      'fixed-threshold   0.1                     25.0',
      'lambda           0.05                      100',
    ]);
  });
});
