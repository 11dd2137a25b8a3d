/**
 * Checks `LayerWorkload`s (from code, from `<run>/workload.json`, or typed on the command line) before the
 * cost model uses them. Errors name the layer and the value, e.g.
 * `spatialDensity of layer "conv2": expected a density in [0, 1]. Received: spatialDensity of layer "conv2"=1.5`.
 */
import * as fs from 'node:fs';
import { DeltaSparsityError, invalidArgument } from '../util/errors';
import type { LayerWorkload } from './workload';

const KINDS: readonly LayerWorkload['kind'][] = ['conv', 'depthwise', 'dense'];
const DENSITIES = ['spatialDensity', 'temporalDensity', 'weightDensity', 'zeroSkippingMacDensity', 'deltaMacDensity'] as const;
const OPTIONAL: ReadonlySet<string> = new Set(['weightDensity', 'zeroSkippingMacDensity', 'deltaMacDensity']);
const COUNTS = ['inputActivations', 'fanOut', 'weights', 'outputs'] as const;

/** Validates one layer (index `i` is used when it has no usable name). Returns a clean copy. */
export function validateLayerWorkload(layer: unknown, i: number): LayerWorkload {
  if (layer === null || typeof layer !== 'object' || Array.isArray(layer)) {
    throw invalidArgument(`layers[${i}]`, 'an object with the LayerWorkload fields', layer);
  }
  const raw = layer as Record<string, unknown>;
  if (typeof raw.name !== 'string' || raw.name === '') {
    throw invalidArgument(`name of layers[${i}]`, 'a non-empty string', raw.name);
  }
  const label = (field: string) => `${field} of layer "${raw.name as string}"`;
  if (typeof raw.kind !== 'string' || !(KINDS as readonly string[]).includes(raw.kind)) {
    throw invalidArgument(label('kind'), `one of ${KINDS.map((k) => `"${k}"`).join(', ')}`, raw.kind);
  }
  for (const field of COUNTS) {
    const value = raw[field];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw invalidArgument(label(field), 'a finite number >= 0', value);
    }
  }
  for (const field of DENSITIES) {
    const value = raw[field];
    if (OPTIONAL.has(field) && value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
      throw invalidArgument(label(field), 'a density in [0, 1]', value);
    }
  }
  const result: LayerWorkload = {
    name: raw.name,
    kind: raw.kind as LayerWorkload['kind'],
    inputActivations: raw.inputActivations as number,
    fanOut: raw.fanOut as number,
    weights: raw.weights as number,
    outputs: raw.outputs as number,
    spatialDensity: raw.spatialDensity as number,
    temporalDensity: raw.temporalDensity as number,
  };
  if (raw.weightDensity !== undefined) result.weightDensity = raw.weightDensity as number;
  if (raw.zeroSkippingMacDensity !== undefined) result.zeroSkippingMacDensity = raw.zeroSkippingMacDensity as number;
  if (raw.deltaMacDensity !== undefined) result.deltaMacDensity = raw.deltaMacDensity as number;
  return result;
}

/** Validates a list of layers (non-empty, unique names). */
export function validateLayerWorkloads(layers: unknown): LayerWorkload[] {
  if (!Array.isArray(layers) || layers.length === 0) {
    throw invalidArgument('layers', 'a non-empty array of LayerWorkload', layers);
  }
  const checked = layers.map((layer, i) => validateLayerWorkload(layer, i));
  const seen = new Set<string>();
  for (const layer of checked) {
    if (seen.has(layer.name)) throw invalidArgument('layers', 'unique layer names', layer.name);
    seen.add(layer.name);
  }
  return checked;
}

/**
 * Parses and validates `{ "layers": LayerWorkload[] }` from JSON text; `file` names the source in errors
 * (a run folder's `workload.json` is read by lib/train's run-folder module, which calls this).
 */
export function parseWorkloadJson(text: string, file: string): LayerWorkload[] {
  let content: unknown;
  try {
    content = JSON.parse(text);
  } catch (error) {
    throw invalidArgument('workload', `a readable JSON file { "layers": [...] } (${(error as Error).message})`, file);
  }
  const layers = (content as { layers?: unknown } | null)?.layers;
  try {
    return validateLayerWorkloads(layers);
  } catch (error) {
    if (error instanceof DeltaSparsityError) throw new DeltaSparsityError(`${file}: ${error.message}`);
    throw error;
  }
}

/** Reads `{ "layers": LayerWorkload[] }` from a JSON file (a hardware data file, or one a user wrote). */
export function readWorkloadFile(file: string): LayerWorkload[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw invalidArgument('workload', `a readable JSON file { "layers": [...] } (${(error as Error).message})`, file);
  }
  return parseWorkloadJson(text, file);
}
