/** The sparse engine's WebAssembly module: the committed bytes match the .wat, and the module loads. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { sparseKernels } from '../../lib/inference/sparseKernels';
import { SPARSE_KERNELS_BASE64 } from '../../lib/inference/sparseKernelsBinary';

const require = createRequire(import.meta.url);
const root = path.resolve(__dirname, '../..');
type Wabt = { parseWat(name: string, text: string, features: object): { validate(): void; toBinary(options: object): { buffer: Uint8Array } } };
const wabtLoader = (() => {
  try {
    return require('wabt') as () => Promise<Wabt>;
  } catch {
    return null; // a production install without devDependencies
  }
})();

describe('sparse engine WebAssembly module', () => {
  it.skipIf(wabtLoader == null)('lib/inference/sparseKernelsBinary.ts is what wasm/sparse.wat assembles to (run scripts/build-wasm-kernels.js)', async () => {
    const wabt = await (wabtLoader as () => Promise<Wabt>)();
    const text = fs.readFileSync(path.join(root, 'lib/inference/wasm/sparse.wat'), 'utf8');
    const parsed = wabt.parseWat('sparse.wat', text, { bulk_memory: true, simd: true });
    parsed.validate();
    expect(Buffer.from(parsed.toBinary({}).buffer).toString('base64')).toBe(SPARSE_KERNELS_BASE64);
  });

  it('instantiates with its own memory and every function the engine calls', () => {
    const kernels = sparseKernels();
    expect(kernels).not.toBeNull();
    const names = ['convScatter', 'convScatterGrouped', 'denseScatter', 'poolScatter', 'deltaPass', 'pointwise', 'flush', 'nonZeros'] as const;
    for (const name of names) expect(typeof kernels?.[name]).toBe('function');
    // Two engines never share a memory.
    expect(sparseKernels()?.memory).not.toBe(kernels?.memory);
  });
});
