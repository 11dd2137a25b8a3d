#!/usr/bin/env node
/** The `delta-sparsity` command line. Commands live in ./commands; this file only assembles them. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { commandRegistrations } from './commands';

/** This package's version (package.json, two folders up from dist/cli and lib/cli alike). */
function packageVersion(): string {
  return (JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
}

export function buildProgram(): Command {
  const program = new Command('delta-sparsity')
    .description('Train temporally sparse video networks (Delta Activation Layers) and estimate sparse-hardware cost.')
    .version(packageVersion(), '-V, --version', 'print the version')
    // A mistake gets one line and where the usage is, not the whole help (40 lines that bury the error).
    .showHelpAfterError("(add --help for usage)")
    // A misspelt command (`stduy`) is answered with the closest one (commander's default, kept explicit).
    .showSuggestionAfterError(true)
    .exitOverride((error) => {
      // commander exits 0 for --help and --version, non-zero for unknown commands and options.
      process.exit(error.exitCode);
    });
  for (const register of commandRegistrations) register(program);
  return program;
}

if (require.main === module) {
  // `delta-sparsity ... | head` closes the pipe early: that is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  buildProgram()
    .parseAsync(process.argv)
    .catch((error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    });
}
