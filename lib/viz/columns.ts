/**
 * The one registry of table column labels: a column key (as the library's rows and DataFrames name it) ->
 * a human label, its unit, the factor from the stored value to the shown unit, and how many significant
 * figures to show. Data, not code: add a key here and every table the library shows picks it up.
 *
 * Conventions: accuracies are stored as fractions and shown in %; MAC counts are per frame; energies are
 * stored in pJ and shown in µJ/frame; times are stored in seconds and shown in µs/frame.
 */

/** How one column is shown. */
export interface ColumnSpec {
  /** Header text without the unit, e.g. `'test video accuracy'`. */
  label: string;
  /** Unit shown in parentheses after the label, e.g. `'%'`, `'µJ/frame'`. Default: none. */
  unit?: string;
  /** Shown value = stored value × scale (e.g. 100 for a fraction shown in %, 1e-6 for pJ shown in µJ). Default 1. */
  scale?: number;
  /** Significant figures of non-exact numbers. Default: the table's `digits` (3). */
  digits?: number;
  /** Counts shown exactly (thousands separators, no rounding), e.g. epochs, test videos. Default false. */
  exact?: boolean;
}

const ACCURACY = { unit: '%', scale: 100 } as const;
const PJ_TO_UJ = { unit: 'µJ/frame', scale: 1e-6 } as const;
const COUNT = { exact: true } as const;

/**
 * Known columns. Per-layer columns `<layer>.<key>` (as in a run's metrics rows, e.g. `conv2.temporalDensity`)
 * use the entry of `<key>` with the layer name in front; nested fields of summaries (`macsPerFrame.dense`)
 * have their own entries.
 */
export const COLUMN_SPECS: Readonly<Record<string, ColumnSpec>> = {
  // Names and settings
  // `name` is a model in run summaries and a layer in workloads and sparsity rows: left as is.
  name: { label: 'name' },
  model: { label: 'model' },
  layer: { label: 'layer' },
  kind: { label: 'layer kind' },
  mode: { label: 'mode' },
  variant: { label: 'variant' },
  threshold: { label: 'q', exact: true },
  meanThreshold: { label: 'mean q' },
  sparsityWeight: { label: 'λ', exact: true },
  learningRate: { label: 'learning rate' },
  epoch: { label: 'epoch', ...COUNT },
  epochs: { label: 'epochs', ...COUNT },
  classes: { label: 'classes', ...COUNT },
  testVideos: { label: 'test videos', ...COUNT },
  framesPerClip: { label: 'frames per clip', ...COUNT },
  measuredClips: { label: 'clips measured', ...COUNT },
  // Accuracy and loss
  accuracy: { label: 'accuracy', ...ACCURACY },
  trainAccuracy: { label: 'training accuracy', ...ACCURACY },
  testClipAccuracy: { label: 'test clip accuracy', ...ACCURACY },
  testVideoAccuracy: { label: 'test video accuracy', ...ACCURACY },
  chanceAccuracy: { label: 'chance accuracy', ...ACCURACY },
  'chance.chanceAccuracy': { label: 'chance accuracy', ...ACCURACY },
  'chance.pValue': { label: 'p-value vs chance' },
  'chance.correct': { label: 'test videos correct', ...COUNT },
  'chance.minCorrect': { label: 'fewest correct above chance', ...COUNT },
  aboveChance: { label: 'above chance' },
  trainLoss: { label: 'training loss (cross-entropy + λ·penalty)' },
  trainCrossEntropy: { label: 'training cross-entropy' },
  trainPenalty: { label: 'training penalty (λ·penalty)' },
  testLoss: { label: 'test cross-entropy' },
  // Sparsity (fractions in [0, 1])
  spatialDensity: { label: 'spatial density' },
  spatialSparsity: { label: 'spatial sparsity' },
  temporalDensity: { label: 'temporal density' },
  temporalSparsity: { label: 'temporal sparsity' },
  weightDensity: { label: 'weight density' },
  density: { label: 'density' },
  deltaMacDensity: { label: 'delta MAC density, steady state' },
  deltaMacDensityFirstIncluded: { label: 'delta MAC density, first frame included' },
  zeroSkippingMacDensity: { label: 'zero-skipping MAC density' },
  // MAC counts. "steady state": each clip's first frame (sent whole) left out, the one phrase for it (CONTRIBUTING.md, "Vocabulary").
  denseMacsPerFrame: { label: 'dense MACs/frame' },
  zeroSkippingMacsPerFrame: { label: 'zero-skipping MACs/frame' },
  deltaMacsPerFrame: { label: 'delta MACs/frame, steady state' },
  deltaMacsPerFrameFirstIncluded: { label: 'delta MACs/frame, first frame included' },
  macs: { label: 'MACs/frame' },
  'macsPerFrame.dense': { label: 'dense MACs/frame' },
  'macsPerFrame.zeroSkipping': { label: 'zero-skipping MACs/frame' },
  'macsPerFrame.firstFrameIncluded': { label: 'delta MACs/frame, first frame included' },
  'macsPerFrame.steadyState': { label: 'delta MACs/frame, steady state' },
  inputActivations: { label: 'input activations', unit: 'per frame', ...COUNT },
  fanOut: { label: 'fan-out', unit: 'MACs per activation' },
  weights: { label: 'weights', ...COUNT },
  outputs: { label: 'outputs', unit: 'per frame', ...COUNT },
  nonZeroActivations: { label: 'non-zero activations', ...COUNT },
  nonZeroChanges: { label: 'non-zero changes', ...COUNT },
  nonZeroFirstFrame: { label: 'non-zero first-frame values', ...COUNT },
  // Hardware cost (lib/hardware costToRows: per frame, energies in pJ, latency in s)
  cycles: { label: 'cycles', unit: 'per frame' },
  latency_s: { label: 'latency', unit: 'µs/frame', scale: 1e6 },
  latencySeconds: { label: 'latency', unit: 'µs/frame', scale: 1e6 },
  energy_compute_pj: { label: 'energy: compute', ...PJ_TO_UJ },
  energy_weights_pj: { label: 'energy: weights', ...PJ_TO_UJ },
  energy_activations_pj: { label: 'energy: activations', ...PJ_TO_UJ },
  energy_delta_state_pj: { label: 'energy: delta state', ...PJ_TO_UJ },
  energy_total_pj: { label: 'energy', ...PJ_TO_UJ },
  energyPj: { label: 'energy', ...PJ_TO_UJ },
  energyUj: { label: 'energy', unit: 'µJ/frame' },
  dram_bytes: { label: 'DRAM traffic', unit: 'bytes/frame' },
  sram_bytes: { label: 'SRAM traffic', unit: 'bytes/frame' },
  state_in: { label: 'delta state in' },
  // Timing
  seconds: { label: 'time', unit: 's' },
  trainFramesPerSec: { label: 'training speed', unit: 'frames/s' },
};

/**
 * `testVideoAccuracy` -> `'test video accuracy'`, `energy_total_pj` -> `'energy total pj'`, `MACs` stays.
 * Subscript-like keys keep their underscores (`x_t`, `Δ_t`: a part of one letter is a subscript, not a word).
 */
export function decamelize(key: string): string {
  const snakeWords = key.includes('_') && key.split('_').every((part) => part.length >= 2);
  return (snakeWords ? key.replace(/_/g, ' ') : key)
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(' ')
    .filter((word) => word.length > 0)
    // A lone capital starting a word is case, not an acronym ("Video" -> "video"); "MACs", "DRAM" stay.
    .map((word) => (/^[A-Z][a-z]/.test(word) ? word.toLowerCase() : word))
    .join(' ');
}

/**
 * How column `key` is shown: its registry entry; for `<layer>.<key>` the entry of `<key>` with the layer
 * in front; otherwise the de-camelCased key with no unit.
 */
export function columnSpec(key: string, extra: Readonly<Record<string, ColumnSpec>> = {}): ColumnSpec {
  const known = extra[key] ?? COLUMN_SPECS[key];
  if (known) return known;
  const dot = key.lastIndexOf('.');
  if (dot > 0) {
    const inner = extra[key.slice(dot + 1)] ?? COLUMN_SPECS[key.slice(dot + 1)];
    if (inner) return { ...inner, label: `${key.slice(0, dot)} ${inner.label}` };
    return { label: `${key.slice(0, dot)} ${decamelize(key.slice(dot + 1))}` };
  }
  return { label: decamelize(key) };
}

/** The header of column `key`: `'test video accuracy (%)'`, `'energy (µJ/frame)'`. */
export function columnHeader(key: string, extra: Readonly<Record<string, ColumnSpec>> = {}): string {
  const spec = columnSpec(key, extra);
  return spec.unit ? `${spec.label} (${spec.unit})` : spec.label;
}
