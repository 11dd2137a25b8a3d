/** Runs the built command line (`npm test` builds dist/ first) from the repository root, as a user would. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const repoRoot = path.resolve(__dirname, '../..');
export const builtCli = path.join(repoRoot, 'dist/cli/main.js');

/** `delta-sparsity ...args` with `env` added to this process's environment (a key set to undefined is removed). */
export function runBuiltCli(args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const merged: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete merged[key];
  const result = spawnSync(process.execPath, [builtCli, ...args], { cwd: repoRoot, encoding: 'utf8', env: merged });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** For a beforeAll: a missing dist/ is one clear error, not every test failing on its own. */
export function requireBuiltCli(): void {
  if (!fs.existsSync(builtCli)) throw new Error(`${builtCli} is missing: run \`npm run build\` (npm test does it)`);
}
