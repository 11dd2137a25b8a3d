/**
 * `delta-sparsity cost`: energy, latency and memory traffic per frame in dense, zero-skipping and
 * delta execution, and the cross-over temporal densities.
 *
 *   delta-sparsity cost --run runs/my-run --hardware eyeriss-v2-like [--json]
 *   delta-sparsity cost --run workload.json --hardware my-chip.json
 *   delta-sparsity cost --example example-video-cnn --densities temporal=0.1
 *   delta-sparsity cost --layer fc:dense:1024:256:262144:256:0.4:0.1 --hardware horowitz-45nm-int8
 *   delta-sparsity cost --list-hardware
 *
 * `--densities` takes comma-separated `key=value` pairs (repeatable); `key` is `spatial`, `temporal` or `weight`
 * for every layer, or `<layer>.spatial` (etc.) for one layer. Later pairs override earlier ones.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { collect } from '../options';
import { JsonOption, action, printJson, say, withJsonOption } from '../output';
import { DeltaSparsityError, invalidArgument } from '../../util';
import {
  CostResult,
  estimateCost,
  formatCostTable,
  listExampleWorkloads,
  listHardwarePresets,
  loadExampleWorkload,
  loadHardware,
  readWorkloadFile,
  validateLayerWorkloads,
  withDensities,
  type LayerWorkload,
} from '../../hardware';
import { describeWorkloadOrigin, readRunWorkload, runWorkloadFile, runWorkloadIsCurrent } from '../../train';
import { COST_FLAGS } from '../flagNames';

interface CostOptions extends JsonOption {
  /** A run folder (reads `<run>/workload.json`) or a workload JSON file. */
  run?: string;
  /** A shipped example network (see `--list-hardware`). */
  example?: string;
  /** Layers given by hand: `name:kind:inputs:fanOut:weights:outputs:spatial:temporal[:weightDensity]`. */
  layer: string[];
  /** Density overrides, `key=value[,key=value...]`. */
  densities: string[];
  /** Preset name or hardware JSON file. Default `eyeriss-v2-like`. */
  hardware: string;
  /** Delta state placement: auto (default), sram or dram. */
  state: string;
  listHardware?: boolean;
}

const DEFAULT_HARDWARE = 'eyeriss-v2-like';
const LAYER_SYNTAX = 'name:kind:inputs:fanOut:weights:outputs:spatial:temporal[:weightDensity]';


function parseNumber(argument: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw invalidArgument(argument, 'a number', text);
  return value;
}

/** Parses one `--layer` spec; ranges are checked later by `validateLayerWorkloads` (naming the layer). */
export function parseLayerSpec(spec: string): LayerWorkload {
  const parts = spec.split(':');
  if (parts.length !== 8 && parts.length !== 9) {
    throw invalidArgument('--layer', `${LAYER_SYNTAX} (8 or 9 fields separated by ':')`, spec);
  }
  const [name, kind, ...numbers] = parts;
  const field = (i: number, label: string) => parseNumber(`--layer ${name} ${label}`, numbers[i]);
  const layer: LayerWorkload = {
    name,
    kind: kind as LayerWorkload['kind'],
    inputActivations: field(0, 'inputs'),
    fanOut: field(1, 'fanOut'),
    weights: field(2, 'weights'),
    outputs: field(3, 'outputs'),
    spatialDensity: field(4, 'spatial'),
    temporalDensity: field(5, 'temporal'),
  };
  if (parts.length === 9) layer.weightDensity = field(6, 'weightDensity');
  return layer;
}

const DENSITY_FIELDS = { spatial: 'spatialDensity', temporal: 'temporalDensity', weight: 'weightDensity' } as const;
type DensityKey = keyof typeof DENSITY_FIELDS;

/** Applies `--densities` overrides to copies of `layers`. */
export function applyDensityOverrides(layers: LayerWorkload[], overrides: string[]): LayerWorkload[] {
  const result = layers.map((layer) => ({ ...layer }));
  for (const pair of overrides.flatMap((o) => o.split(',')).map((p) => p.trim()).filter((p) => p !== '')) {
    const match = /^(?:(.+)\.)?(spatial|temporal|weight)=(.*)$/.exec(pair);
    if (!match) {
      throw invalidArgument('--densities', 'key=value pairs, key one of spatial, temporal, weight or <layer>.<key>', pair);
    }
    const [, layerName, key, text] = match;
    const value = parseNumber(`--densities ${pair.split('=')[0]}`, text);
    const targets = layerName === undefined ? result : result.filter((layer) => layer.name === layerName);
    if (targets.length === 0) {
      throw invalidArgument('--densities', `a layer name (one of ${result.map((l) => l.name).join(', ')})`, layerName);
    }
    for (const layer of targets) {
      const index = result.indexOf(layer);
      // Spatial and temporal what-ifs move the measured MAC densities with them (withDensities); weight density has none.
      if (key === 'weight') layer.weightDensity = value;
      else result[index] = withDensities(layer, { [DENSITY_FIELDS[key as DensityKey]]: value });
    }
  }
  return result;
}

/** Where the layers come from: exactly one of --run, --example, --layer. */
function loadLayers(options: CostOptions): { layers: LayerWorkload[]; source: string } {
  const given = [options.run !== undefined && '--run', options.example !== undefined && '--example', options.layer.length > 0 && '--layer'].filter((flag) => flag !== false);
  if (given.length !== 1) {
    throw new DeltaSparsityError(
      `cost: expected the layers to estimate, from exactly one of --run <run folder or workload.json>, --example <${listExampleWorkloads().join('|')}>, ` +
        `--layer ${LAYER_SYNTAX} (repeatable); --list-hardware lists the presets and examples. Received: ${given.length === 0 ? 'none of them' : given.join(' and ')}`,
    );
  }
  if (options.run !== undefined) {
    const target = path.resolve(options.run);
    const isFolder = fs.existsSync(target) && fs.statSync(target).isDirectory();
    const file = isFolder ? runWorkloadFile(target) : target;
    if (!fs.existsSync(file)) {
      throw invalidArgument('--run', 'a run folder containing workload.json, or a workload JSON file', options.run);
    }
    if (isFolder && !runWorkloadIsCurrent(target)) {
      // Costing it silently would mix two ways of counting MACs; reopening the run re-measures it from its checkpoint.
      process.stderr.write(
        `note: ${file} was measured by an earlier version (zero-skipping and delta MACs from the average fan-out, padding taps included); ` +
          `reopen the run to re-measure it from its checkpoint (delta-sparsity train --config <run>/config.json --run <run>, or rerun the study that made it), then cost it again\n`,
      );
    }
    return { layers: isFolder ? readRunWorkload(target) : readWorkloadFile(file), source: file };
  }
  if (options.example !== undefined) return { layers: loadExampleWorkload(options.example), source: `example:${options.example}` };
  return { layers: validateLayerWorkloads(options.layer.map(parseLayerSpec)), source: 'command line' };
}

function runCost(options: CostOptions): void {
  if (options.listHardware) {
    const presets = listHardwarePresets();
    const examples = listExampleWorkloads();
    printJson(options, { presets, examples });
    say(options, ['hardware presets:', ...presets.map((p) => `  ${p.name} (v${p.version}): ${p.description}`)].join('\n'));
    say(options, ['example networks (for --example):', ...examples.map((e) => `  ${e}`)].join('\n'));
    return;
  }
  const { layers, source } = loadLayers(options);
  const withOverrides = validateLayerWorkloads(applyDensityOverrides(layers, options.densities));
  const hardware = loadHardware(options.hardware);
  if (!['auto', 'sram', 'dram'].includes(options.state)) {
    throw invalidArgument('--state', 'one of auto, sram, dram', options.state);
  }
  const result: CostResult = estimateCost(withOverrides, hardware, { statePlacement: options.state as 'auto' | 'sram' | 'dram' });
  printJson(options, { source, ...result });
  const origin = options.run !== undefined ? describeWorkloadOrigin(source) : [];
  say(options, [`layers from: ${source}`, ...origin.map((line) => `  ${line}`), formatCostTable(result)].join('\n'));
}

export function registerCostCommand(program: Command): void {
  const command = program
    .command('cost')
    .description('estimate per-frame energy, latency and memory traffic in dense, zero-skipping and delta execution')
    .option('--run <path>', 'a run folder (reads <run>/workload.json) or a workload JSON file { "layers": [...] }')
    .option('--example <name>', 'a shipped example network with illustrative densities')
    .option('--layer <spec>', `a layer by hand, repeatable: ${LAYER_SYNTAX}`, collect, [])
    .option('--densities <pairs>', 'override densities: spatial=0.5,temporal=0.2 or conv2.temporal=0.1 (repeatable)', collect, [])
    .option('--hardware <preset|file>', 'hardware preset name or JSON file', DEFAULT_HARDWARE)
    .option('--state <where>', 'delta state placement: auto (on chip while it fits), sram or dram', 'auto')
    .option('--list-hardware', 'list hardware presets and example networks', false);
  withJsonOption(command).action(action((options: CostOptions) => runCost(options), COST_FLAGS));
}
