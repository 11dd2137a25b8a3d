/** `formatBench`: the throughput table says how many repeats its medians are of and when it is not a measurement. */
import { describe, expect, it } from 'vitest';
import { formatBench, type BackendThroughput, type BenchResult } from '../../lib/bench';

function throughput(batchSize: number, repeats: number, trainFramesPerSec: number): BackendThroughput {
  return {
    trainFramesPerSec, inferFramesPerSec: 2 * trainFramesPerSec, trainGflopsPerSec: 1, inferGflopsPerSec: 1, batchSize, repeats,
    trainStepMs: 1, inferBatchMs: 1, trainStepsMs: [1], inferBatchesMs: [1],
  };
}

function result(repeats: number, cpuBatch: number): BenchResult {
  return {
    // 98 / 5 = 19.6 training frames/s, as bench --quick printed it.
    backends: { wasm: throughput(4, repeats, 98), cpu: throughput(cpuBatch, repeats, 5) },
    unavailable: {},
    model: { description: 'test CNN', inputSize: 16, flops: { trainPerFrame: 3e6, forwardPerFrame: 1e6 } },
    wasmOverCpuTrain: 98 / 5,
    wasmOverCpuInfer: 196 / 10,
  };
}

describe('formatBench', () => {
  it('one repeat (bench --quick) is a smoke test, not a measurement; the ratio names the two batch sizes', () => {
    const lines = formatBench(result(1, 2)).split('\n');
    expect(lines[0]).toMatch(/; median of 1 timed repeat \(fewer than 3 repeats: a smoke test, not a measurement\)$/);
    expect(lines[lines.length - 1]).toBe('wasm / cpu frames/s: training 19.6x, inference 19.6x (wasm batch 4, cpu batch 2)');
  });

  it('five repeats at one batch size carry no such note', () => {
    const lines = formatBench(result(5, 4)).split('\n');
    expect(lines[0]).toMatch(/; median of 5 timed repeats$/);
    expect(lines[lines.length - 1]).toBe('wasm / cpu frames/s: training 19.6x, inference 19.6x');
  });
});
