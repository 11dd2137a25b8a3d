/**
 * Backend choice: forced by argument and by DELTA_BACKEND, automatic choice on this machine (no native
 * TensorFlow: `@tensorflow/tfjs-node` is pure-JS tfjs here, so wasm must win), error messages for bad input.
 */
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { BACKEND_ENV_VAR, initBackend, isBackendAvailable, BackendName } from '../../lib/backend';
import { DeltaSparsityError } from '../../lib/util/errors';

afterEach(() => {
  delete process.env[BACKEND_ENV_VAR];
});

describe('initBackend', () => {
  it('is forced by the argument', async () => {
    const choice = await initBackend({ backend: 'cpu', quiet: true });
    expect(choice).toMatchObject({ backend: 'cpu', source: 'argument', patchedKernels: [] });
    expect(tf.getBackend()).toBe('cpu');
    const wasm = await initBackend({ backend: 'wasm', quiet: true });
    expect(wasm.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(wasm.patchedKernels).toContain('Conv2DBackpropFilter');
  });

  it('is forced by DELTA_BACKEND, and the argument wins over it', async () => {
    process.env[BACKEND_ENV_VAR] = 'cpu';
    const fromEnv = await initBackend({ quiet: true });
    expect(fromEnv).toMatchObject({ backend: 'cpu', source: 'env' });
    expect(fromEnv.reason).toContain('DELTA_BACKEND=cpu');
    const fromArgument = await initBackend({ backend: 'wasm', quiet: true });
    expect(fromArgument).toMatchObject({ backend: 'wasm', source: 'argument' });
  });

  it('chooses wasm automatically when native TensorFlow is absent, saying why', async () => {
    const available = await isBackendAvailable('tensorflow');
    // This project's CI and dev machines cannot install the native binding; where it is installed the
    // automatic choice is 'tensorflow' instead.
    const expected: BackendName = available.available ? 'tensorflow' : 'wasm';
    const choice = await initBackend({ quiet: true });
    expect(choice.backend).toBe(expected);
    expect(choice.source).toBe('auto');
    if (!available.available) expect(choice.reason).toContain('tfjs-node not installed');
  });

  it('is idempotent: a repeated call returns the same choice', async () => {
    const first = await initBackend({ backend: 'wasm', quiet: true });
    const [second, third] = await Promise.all([
      initBackend({ backend: 'wasm', quiet: true }),
      initBackend({ backend: 'wasm', quiet: true }),
    ]);
    expect(second).toBe(first);
    expect(third).toBe(first);
  });

  it('rejects an unknown name, listing the valid names', async () => {
    await expect(initBackend({ backend: 'gpu' as BackendName })).rejects.toThrow(DeltaSparsityError);
    await expect(initBackend({ backend: 'gpu' as BackendName })).rejects.toThrow(
      'backend: expected one of "tensorflow", "wasm", "cpu". Received: backend="gpu"',
    );
    process.env[BACKEND_ENV_VAR] = 'webgl';
    await expect(initBackend({ quiet: true })).rejects.toThrow('DELTA_BACKEND: expected one of "tensorflow", "wasm", "cpu"');
  });

  it('forcing tensorflow where tfjs-node is absent says how to install it', async () => {
    const available = await isBackendAvailable('tensorflow');
    if (available.available) return; // nothing to check on a machine with native TensorFlow
    expect(available.reason).toContain('tfjs-node not installed');
    await expect(initBackend({ backend: 'tensorflow', quiet: true })).rejects.toThrow(
      'npm install tfjs-node-native@npm:@tensorflow/tfjs-node@4.22.0',
    );
  });

  it('reports availability of cpu and wasm', async () => {
    expect((await isBackendAvailable('cpu')).available).toBe(true);
    expect((await isBackendAvailable('wasm')).available).toBe(true);
  });
});
