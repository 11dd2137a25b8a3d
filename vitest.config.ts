import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // TensorFlow.js kernels on 2 cores: a generous per-test budget, never a timing assertion.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default', 'json'],
    // The JSON report lets CI print a plain 'N passed, N failed' closing line.
    outputFile: { json: 'reports/vitest.json' },
  },
});
