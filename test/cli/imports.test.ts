/**
 * The CLI is a user of the library (CONTRIBUTING, layer 7): a file under lib/cli/ imports, outside lib/cli/, only
 * the public API (lib/index.ts) or the index of a folder published as a subpath in package.json `exports`
 * (`delta-sparsity/train` = lib/train/index.ts), never a deeper module such as `../../train/trainer`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const lib = path.join(root, 'lib');
const cliDir = path.join(lib, 'cli');

/** The lib/ folders published as subpaths: './train' in package.json `exports` -> 'train'. */
function publishedFolders(): Set<string> {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
  return new Set(Object.keys(manifest.exports).filter((key) => key.startsWith('./') && key !== './package.json').map((key) => key.slice(2)));
}

/** Every relative import (static, `import type`, dynamic `import()`, `require`) of a file that leaves lib/cli/ and is not allowed. */
function forbiddenImports(file: string, source: string, folders: Set<string>): string[] {
  const { importedFiles } = ts.preProcessFile(source, true, true);
  const problems: string[] = [];
  for (const { fileName: specifier } of importedFiles) {
    if (!specifier.startsWith('.')) continue; // packages (commander, node:fs) are not lib modules
    const target = path.resolve(path.dirname(file), specifier);
    if (target === cliDir || target.startsWith(cliDir + path.sep)) continue;
    const relative = path.relative(lib, target).split(path.sep);
    const allowed =
      (relative.length === 1 && relative[0] === 'index') ||
      (relative.length === 1 && folders.has(relative[0])) ||
      (relative.length === 2 && relative[1] === 'index' && folders.has(relative[0]));
    if (!allowed) problems.push(`${path.relative(root, file)} imports '${specifier}'`);
  }
  return problems;
}

function cliFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return cliFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

describe('lib/cli imports only the public API and the subpath folder indexes', () => {
  const folders = publishedFolders();

  it('flags a deeper lib module and accepts the indexes (the check can fail)', () => {
    const file = path.join(cliDir, 'commands', 'example.ts');
    const source = [
      "import { train } from '../../train/trainer';", // deeper than the folder index
      "import type { LayerWorkload } from '../../hardware/workload';", // a type-only import is still an import
      "const lazy = () => import('../../queue/worker');", // so is a dynamic one
      "import { measureSparsity } from '../../sparsity';", // folder index: allowed
      "import { initBackend } from '../../index';", // public API: allowed
      "import { action } from '../output';", // inside lib/cli: allowed
      "import { Command } from 'commander';", // a package: allowed
    ].join('\n');
    expect(forbiddenImports(file, source, folders)).toEqual([
      "lib/cli/commands/example.ts imports '../../train/trainer'",
      "lib/cli/commands/example.ts imports '../../hardware/workload'",
      "lib/cli/commands/example.ts imports '../../queue/worker'",
    ]);
    // A folder that package.json does not publish is internal even through its index.
    expect(forbiddenImports(file, "import { x } from '../../internalFolder';", folders)).toEqual([
      "lib/cli/commands/example.ts imports '../../internalFolder'",
    ]);
  });

  it('holds for every file under lib/cli/', () => {
    const files = cliFiles(cliDir);
    expect(files.length).toBeGreaterThanOrEqual(10); // main, options, output and the command files
    const problems = files.flatMap((file) => forbiddenImports(file, fs.readFileSync(file, 'utf8'), folders));
    expect(problems).toEqual([]);
  });
});
