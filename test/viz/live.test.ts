import { afterEach, describe, expect, it } from 'vitest';
import { liveTrainingDisplay } from '../../lib/viz/live';
import { resetPlotlyInjection } from '../../lib/viz/display';

function recorder() {
  const outputs: string[] = [];
  return { outputs, display: { html: (s: string) => outputs.push(s), png: () => outputs.push('<png>') } };
}

afterEach(() => {
  delete process.env.DELTA_FIGURES;
  resetPlotlyInjection();
});

describe('liveTrainingDisplay', () => {
  it('overwrites one output with the latest epoch of every run, then shows the curves', () => {
    process.env.DELTA_FIGURES = 'interactive';
    const { outputs, display } = recorder();
    const live = liveTrainingDisplay({ display, metrics: ['trainLoss', 'temporalDensity'] });
    live.update('baseline', { epoch: 1, trainLoss: 1.5, temporalDensity: 0.6 });
    live.update('baseline', { epoch: 2, trainLoss: 1.25, temporalDensity: 0.55 });
    live.update('delta', { epoch: 1, trainLoss: 1.75, temporalDensity: 0.125 });
    expect(outputs).toHaveLength(3);
    // The last table holds one row per run with its latest epoch only.
    const last = outputs[2];
    expect(last).toContain('baseline');
    expect(last).toContain('1.25');
    expect(last).not.toContain('>1.5<');
    expect(last).toContain('delta');
    expect(last).toContain('0.125');

    const figure = live.finish();
    // 2 metrics x 2 runs = 4 traces (trainingCurvesFigure: one per metric and run).
    expect(figure.data).toHaveLength(4);
    expect(outputs).toHaveLength(4);
    expect(outputs[3]).toContain('class="delta-sparsity-figure"');
  });
});
