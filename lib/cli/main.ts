#!/usr/bin/env node
/** The `delta-sparsity` command line. Commands live in ./commands; this file only assembles them. */
import { Command } from 'commander';
import { commandRegistrations } from './commands';

export function buildProgram(): Command {
  const program = new Command('delta-sparsity')
    .description('Train temporally sparse video networks (Delta Activation Layers) and estimate sparse-hardware cost.')
    .showHelpAfterError()
    .exitOverride((error) => {
      // commander exits 0 for --help and --version, non-zero for unknown commands and options.
      process.exit(error.exitCode);
    });
  for (const register of commandRegistrations) register(program);
  program.on('command:*', (operands: string[]) => {
    process.stderr.write(`error: unknown command '${operands[0]}'\n\n${program.helpInformation()}`);
    process.exit(1);
  });
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
