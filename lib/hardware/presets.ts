/**
 * Hardware presets: versioned JSON files in `data/hardware/presets/`, loaded by name or by path and checked
 * on load (see ./spec.ts for the format).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DeltaSparsityError, invalidArgument, likelyMeant } from '../util/errors';
import { HardwareSpec, parseHardwareFile } from './spec';
import { readWorkloadFile } from './validate';
import type { LayerWorkload } from './workload';

/**
 * `data/hardware` of this package. Both `lib/hardware` (sources, tests) and `dist/hardware` (built package)
 * sit two levels below the package root, next to `data/`.
 */
export function hardwareDataDir(): string {
  return path.resolve(__dirname, '..', '..', 'data', 'hardware');
}

function presetDir(): string {
  return path.join(hardwareDataDir(), 'presets');
}

/** A preset as listed by `listHardwarePresets`. */
export interface HardwarePresetInfo {
  name: string;
  version: string;
  description: string;
  file: string;
}

/** Names (without `.json`) of the JSON files in `dir`, sorted; [] when the folder is missing. */
function jsonNamesIn(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((entry) => entry.endsWith('.json'))
    .map((entry) => entry.slice(0, -'.json'.length))
    .sort();
}

function presetNames(): string[] {
  return jsonNamesIn(presetDir());
}

/** All shipped presets (each file is loaded and validated). */
export function listHardwarePresets(): HardwarePresetInfo[] {
  return presetNames().map((name) => {
    const spec = loadHardwareFile(path.join(presetDir(), `${name}.json`));
    return { name, version: spec.version, description: spec.description, file: spec.file ?? '' };
  });
}

/** Loads and validates one hardware JSON file. Errors name the file and the field. */
function loadHardwareFile(file: string): HardwareSpec {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw invalidArgument('hardware', `a readable hardware JSON file (${(error as Error).message})`, file);
  }
  let content: unknown;
  try {
    content = JSON.parse(text);
  } catch (error) {
    throw new DeltaSparsityError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  return parseHardwareFile(content, file);
}

/**
 * Loads a preset by name (`listHardwarePresets()` lists them) or a hardware JSON file by path.
 * Anything containing a path separator or ending in `.json` is treated as a path.
 */
export function loadHardware(presetNameOrPath: string): HardwareSpec {
  if (typeof presetNameOrPath !== 'string' || presetNameOrPath.trim() === '') {
    throw invalidArgument('hardware', 'a preset name or a path to a hardware JSON file', presetNameOrPath);
  }
  const looksLikePath = presetNameOrPath.endsWith('.json') || /[\\/]/.test(presetNameOrPath);
  if (looksLikePath) return loadHardwareFile(path.resolve(presetNameOrPath));
  const names = presetNames();
  if (!names.includes(presetNameOrPath)) {
    const meant = likelyMeant(presetNameOrPath, names);
    throw invalidArgument(
      'hardware',
      `a preset name (${names.join(', ')}) or a path to a hardware JSON file${meant.length > 0 ? `; closest: ${meant.join(', ')}` : ''}`,
      presetNameOrPath,
    );
  }
  return loadHardwareFile(path.join(presetDir(), `${presetNameOrPath}.json`));
}

/** Names of the example networks in `data/hardware/workloads/` (illustrative densities, for what-if runs). */
export function listExampleWorkloads(): string[] {
  return jsonNamesIn(path.join(hardwareDataDir(), 'workloads'));
}

/** The layers of a shipped example network. */
export function loadExampleWorkload(name: string): LayerWorkload[] {
  const names = listExampleWorkloads();
  if (!names.includes(name)) {
    throw invalidArgument('example', `one of ${names.join(', ')}`, name);
  }
  return readWorkloadFile(path.join(hardwareDataDir(), 'workloads', `${name}.json`));
}
