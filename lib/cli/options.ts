/** Option parsing shared by the training commands: `--set a.b=value` overrides and number lists. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initBackend, BACKEND_NAMES, type BackendName } from '../backend';
import { expectFileOrNothing, invalidArgument } from '../util';
import { mergeConfig, type TrainConfigInput } from '../train';

/** Collects a repeatable option's values. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `0.05,0.1,0.2` → [0.05, 0.1, 0.2]; names the option on a bad entry. */
export function parseNumberList(option: string, text: string): number[] {
  return text.split(',').map((part) => {
    const value = Number(part.trim());
    if (part.trim() === '' || !Number.isFinite(value)) throw invalidArgument(option, 'comma-separated numbers, e.g. 0.05,0.1,0.2', text);
    return value;
  });
}

function parseScalar(text: string): unknown {
  if (text === 'true') return true;
  if (text === 'false') return false;
  // Any decimal number literal: `.5`, `5.`, `+1`, `1e-3`, `2E+4` (JSON's grammar is stricter than users are).
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text.trim())) return Number(text);
  if (text.startsWith('[') || text.startsWith('{')) {
    try {
      return JSON.parse(text);
    } catch {
      throw invalidArgument('--set', 'valid JSON after "=" for a list or object', text);
    }
  }
  return text;
}

/** `["epochs=3", "sparsity.threshold=0.2"]` → `{ epochs: 3, sparsity: { threshold: 0.2 } }`. */
export function parseSetOverrides(assignments: string[]): TrainConfigInput {
  let config: Record<string, unknown> = {};
  for (const assignment of assignments) {
    const match = /^([A-Za-z][\w.]*)=(.*)$/.exec(assignment);
    if (!match) throw invalidArgument('--set', 'key=value, e.g. sparsity.threshold=0.2 or data.classes=["Basketball","Biking"]', assignment);
    const path = match[1].split('.');
    const nested = path.reduceRight<unknown>((value, key) => ({ [key]: value }), parseScalar(match[2]));
    config = mergeConfig(config, nested as object);
  }
  return config as TrainConfigInput;
}

/** Reads a JSON configuration file (`--config`). */
export function readConfigFile(file: string | undefined): TrainConfigInput {
  if (file === undefined) return {};
  if (!fs.existsSync(file)) throw invalidArgument('--config', 'an existing JSON file', file);
  expectFileOrNothing(file, '--config');
  let config: TrainConfigInput;
  try {
    config = JSON.parse(fs.readFileSync(file, 'utf8')) as TrainConfigInput;
  } catch (error) {
    throw invalidArgument('--config', `a JSON file (${(error as Error).message})`, file);
  }
  // A relative initFrom is relative to the file that names it (a run folder's config.json stores "../baseline"),
  // not to the shell's current folder.
  if (config !== null && typeof config === 'object' && typeof config.initFrom === 'string' && !path.isAbsolute(config.initFrom)) {
    return { ...config, initFrom: path.resolve(path.dirname(path.resolve(file)), config.initFrom) };
  }
  return config;
}

/** Starts the backend named by `--backend` (or chooses one), validating the name. */
export async function startBackend(name: string | undefined, quiet = false): Promise<BackendName> {
  if (name !== undefined && !(BACKEND_NAMES as readonly string[]).includes(name)) {
    throw invalidArgument('--backend', `one of ${BACKEND_NAMES.join(', ')}`, name);
  }
  const choice = await initBackend({ backend: name as BackendName | undefined, quiet });
  return choice.backend;
}
