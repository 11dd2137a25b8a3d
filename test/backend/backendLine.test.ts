import { describe, expect, it } from 'vitest';
import { backendLine, type BackendChoice } from '../../lib/backend/initBackend';

const wasm: BackendChoice = {
  backend: 'wasm',
  reason: 'tfjs-node not installed; wasm initialised',
  source: 'auto',
  patchedKernels: [],
  wasmSimd: true,
  convKernels: { provider: 'onednn', reason: 'native addon, oneDNN 2.6.3, 2 thread(s)', source: 'auto' },
};

describe('backendLine', () => {
  it('is one short line without reasons for the expected choice (wasm with SIMD when tfjs-node is absent)', () => {
    expect(backendLine(wasm)).toBe('backend: wasm (SIMD, conv kernels: onednn)');
    expect(backendLine({ backend: 'tensorflow', reason: 'tfjs-node 4.22.0', source: 'auto', patchedKernels: [] })).toBe('backend: tensorflow');
  });

  it('adds why when the backend is not the expected one', () => {
    const cpu: BackendChoice = { backend: 'cpu', reason: 'tfjs-node not installed; wasm unavailable: no SIMD', source: 'auto', patchedKernels: [] };
    expect(backendLine(cpu)).toBe('backend: cpu — not the expected backend: tfjs-node not installed; wasm unavailable: no SIMD');
    expect(backendLine({ ...wasm, wasmSimd: false })).toMatch(/^backend: wasm \(no SIMD, conv kernels: onednn\) — not the expected backend: /);
    expect(backendLine({ ...wasm, source: 'env', reason: 'forced by DELTA_BACKEND=wasm' })).toBe('backend: wasm (SIMD, conv kernels: onednn, forced by DELTA_BACKEND=wasm)');
    expect(backendLine({ ...wasm, source: 'env', reason: 'forced by DELTA_BACKEND=wasm' })).not.toContain('not the expected');
  });
});

describe("initBackend({ log: 'line' })", () => {
  it('prints the one line on stdout and nothing on stderr', async () => {
    const { spawnSync } = await import('node:child_process');
    const path = await import('node:path');
    const root = path.resolve(__dirname, '../..');
    const result = spawnSync(
      process.execPath,
      ['-e', `require('./dist/index.js').initBackend({ backend: 'cpu', log: 'line' }).then(() => console.log('done'))`],
      { cwd: root, encoding: 'utf8' },
    );
    expect(result.status, result.stderr).toBe(0);
    // Forced, so expected: the backend and who forced it, no "not the expected backend" details.
    expect(result.stdout).toBe('backend: cpu (forced by the backend argument)\ndone\n');
    expect(result.stderr).toBe('');
  });
});
