/**
 * What every CLI command shares: `--json` prints exactly one JSON document on stdout (human output and
 * progress go to stderr then), and user mistakes end with a one-line message and exit code 1, never a stack.
 */
import { Command } from 'commander';
import { DeltaSparsityError } from '../util';
import { type FlagNames, withFlagNames } from './flagNames';

export interface JsonOption {
  json?: boolean;
}

/** Adds the `--json` option that every command has. */
export function withJsonOption(command: Command): Command {
  return command.option('--json', 'print one machine-readable JSON document on stdout', false);
}

/** Prints human-readable text: on stdout normally, on stderr in `--json` mode so stdout stays parseable. */
export function say(options: JsonOption, text: string): void {
  (options.json ? process.stderr : process.stdout).write(`${text}\n`);
}

/** Prints the command's JSON document (in `--json` mode only). */
export function printJson(options: JsonOption, document: unknown): void {
  if (options.json) process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
}

/**
 * Wraps a command action: a DeltaSparsityError (a user mistake) becomes a short message and exit code 1, with
 * the library's argument names replaced by the command's flags (`flags`, see flagNames.ts); anything else is a
 * bug and keeps its stack trace.
 */
export function action<A extends unknown[]>(run: (...args: A) => Promise<void> | void, flags: FlagNames = {}): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await run(...args);
    } catch (error) {
      if (error instanceof DeltaSparsityError) {
        const message = withFlagNames(error.message, flags);
        const wantsJson = process.argv.includes('--json');
        if (wantsJson) process.stdout.write(`${JSON.stringify({ error: message })}\n`);
        process.stderr.write(`error: ${message}\n`);
        process.exitCode = 1;
        return;
      }
      throw error;
    }
  };
}
