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
