/**
 * tfjs prints "Hi, looks like you are running TensorFlow.js in Node.js ... install our node backend" the
 * first time the cpu backend stores a tensor. Users of this library must not see it: checked in a fresh
 * process (the banner is printed once per process), on the built package as a user would import it.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const BANNER = /looks like you are running TensorFlow\.js in Node\.js/;

function runScript(source: string): { stdout: string; stderr: string; status: number | null } {
  const result = spawnSync(process.execPath, ['-e', source], { cwd: root, encoding: 'utf8' });
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

describe('the tfjs-node banner', () => {
  it('is what plain tfjs prints on the cpu backend (so the check below can fail)', () => {
    const plain = runScript(`const tf = require('@tensorflow/tfjs'); tf.setBackend('cpu').then(() => tf.tensor([1, 2]).dataSync());`);
    expect(plain.stdout + plain.stderr).toMatch(BANNER);
  });

  it('is not printed when the library is imported and used on the cpu backend', () => {
    expect(fs.existsSync(path.join(root, 'dist/index.js')), 'run `npm run build` first (npm test does)').toBe(true);
    const result = runScript(
      `const ds = require('./dist/index.js'); const tf = require('@tensorflow/tfjs');` +
        `ds.initBackend({ backend: 'cpu', quiet: true }).then(() => { tf.tensor([1, 2]).dataSync(); console.log('ok'); });`,
    );
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('ok');
    expect(result.stdout + result.stderr).not.toMatch(BANNER);
  });

  it('is not printed when the library is only imported (no initBackend) and tfjs falls back to cpu', () => {
    const result = runScript(
      `require('./dist/index.js'); const tf = require('@tensorflow/tfjs');` +
        `tf.ready().then(() => { tf.tensor([1, 2]).dataSync(); console.log(tf.getBackend()); });`,
    );
    expect(result.stdout.trim()).toBe('cpu');
    expect(result.stdout + result.stderr).not.toMatch(BANNER);
  });
});
