/**
 * The training configuration: one typed object with documented defaults, validated with zod so that a
 * misspelt option is an error listing the valid names, not a silently ignored field. Presets are small
 * override objects merged over the defaults.
 */
import { z } from 'zod';
import { DeltaSparsityError, closestNames, describeValue, likelyMeant } from '../util/errors';
import { TRAIN_CONFIG_RENAMES, upgradeLegacyKeys } from '../util/legacyNames';

const dataSchema = z.strictObject({
  /**
   * `synthetic` (embedded, default), `ucf101` (needs `root`), `folder` (any `<root>/<class>/<video>` folder;
   * needs `root` and `subjectPattern`) or `weizmann` (the bundled Weizmann clips, a `folder` preset).
   */
  source: z.enum(['synthetic', 'ucf101', 'folder', 'weizmann']).default('synthetic'),
  /**
   * ucf101: the `UCF-101/` folder holding the class folders, or the folder above it (holding `UCF-101/` and
   * usually `ucfTrainTestlist/`); both work. folder: the folder holding `<class>/<video>`. weizmann: default
   * the bundled data/weizmann.
   */
  root: z.string().optional(),
  /** UCF101: folder of classInd.txt and the train/test lists (as `data prepare --split-dir`); default found next to the root, else bundled. */
  splitDir: z.string().optional(),
  /**
   * folder: regular expression on each video's file name whose one capture group is the subject (person,
   * group, sequence); train and test never share a subject. weizmann: default `^([a-z]+)_`.
   */
  subjectPattern: z.string().optional(),
  /** folder/weizmann: test subjects; the others train. Default: the last third of the sorted subjects (Weizmann: lyova, moshe, shahar). */
  testSubjects: z.array(z.string()).min(1).optional(),
  /** folder/weizmann: leave-one-subject-out fold 0..S-1 (the fold-th subject in sorted order tests). Not with testSubjects. */
  fold: z.number().int().min(0).optional(),
  /** Random training windows per training video per epoch (more optimisation steps on small sets). */
  clipsPerVideo: z.number().int().min(1).default(1),
  /**
   * A listed video that is missing, corrupt or too short: `skip` (default) leaves it out and lists it (on the
   * terminal and in the dataset's `skippedVideos`); `error` stops at the first one (`'fail'`, its old name, is
   * still read, with a deprecation line). A class left without any usable video is an error either way. The
   * default differs from the dataset builders' (`error`) on purpose: a training run over a whole downloaded set
   * should not die on its few broken files (UCF101 ships some) but list them, while a script calling a builder
   * directly sees the first one as an error and chooses.
   */
  badVideos: z.enum(['skip', 'error']).default('skip'),
  /** Official UCF101 split, 1-3. */
  split: z.number().int().min(1).max(3).default(1),
  /** UCF101 classes by name; when absent, the first `firstClasses` classes. */
  classes: z.array(z.string()).optional(),
  /** How many classes to take from the start of classInd.txt when `classes` is absent. */
  firstClasses: z.number().int().min(2).default(5),
  /** At most this many videos per class and split part (train/test); absent = all. */
  videosPerClass: z.number().int().min(1).optional(),
  /** Frames per clip (T). */
  clipLength: z.number().int().min(2).default(8),
  /** Take every `frameStride`-th frame of the video. */
  frameStride: z.number().int().min(1).default(2),
  /** Square frame size in pixels (H = W). */
  size: z.number().int().min(8).default(32),
  /**
   * Frames per test clip: predictions are averaged over this many frames (the model's head averages over
   * time, whatever T). Default: `clipLength`.
   */
  testClipLength: z.number().int().min(2).optional(),
  /** Test windows per video (evenly spread); video accuracy averages predictions over all of them. */
  testWindowsPerVideo: z.number().int().min(1).default(2),
  /** Random horizontal flips and crops on training clips. */
  augment: z.boolean().default(false),
  /** Synthetic set: training clips per class. */
  syntheticTrainPerClass: z.number().int().min(1).default(32),
  /** Synthetic set: test clips per class. */
  syntheticTestPerClass: z.number().int().min(1).default(12),
  /**
   * Synthetic set: give each class a look (colours, shape) visible in single frames, as real action classes
   * have their scenes and objects. false: motion only, which a per-frame network cannot classify.
   */
  syntheticAppearanceCue: z.boolean().default(true),
  /**
   * UCF101: `background` (default) decodes the test videos, then trains while one ffmpeg process decodes the
   * training videos ahead of the loop on the second core; `upfront` decodes everything before training starts.
   * Both give the same batches.
   */
  decode: z.enum(['upfront', 'background']).default('background'),
  /** Decoded-clip cache folder (UCF101); default `.cache/delta-sparsity` or env DELTA_CACHE_DIR. */
  cacheDir: z.string().optional(),
});

const modelSchema = z.strictObject({
  /** Per-frame network: a small plain CNN or a MobileNet-v1-style depthwise-separable CNN. */
  architecture: z.enum(['small-cnn', 'mobilenet']).default('small-cnn'),
  /** `baseline` (no sparsity), `delta` (Delta Activation Layers) or `spatial-l1` (L1 on activations). */
  variant: z.enum(['baseline', 'delta', 'spatial-l1']).default('baseline'),
  /** Filters of the small CNN's conv layers. */
  filters: z.array(z.number().int().min(1)).default([16, 32, 64]),
  /** MobileNet width multiplier. */
  widthMultiplier: z.number().positive().default(0.25),
  /**
   * BatchNormalization after every conv (conv → BN → ReLU → delta layer), folded into the conv at inference.
   * Without it, the networks do not fit real footage from scratch.
   */
  batchNorm: z.boolean().default(true),
  /** Per-channel input normalisation with the training set's mean and std, stored with the model. */
  inputNormalization: z.boolean().default(true),
});

const sparsitySchema = z.strictObject({
  /**
   * λ: weight of the sparsity penalty (delta: temporal L1 of Δ; spatial-l1: L1 of activations), multiplied by
   * each layer's fan-out. 0.1 suits the derived fan-outs (MACs per activation) of the models here; the
   * published layer used 1.0 with fan-outs given by hand.
   */
  sparsityWeight: z.number().min(0).default(0.1),
  /** Initial threshold q of every delta layer. */
  threshold: z.number().positive().default(0.1),
  /** One learnable q per channel, per neuron or per layer. */
  granularity: z.enum(['channel', 'neuron', 'layer']).default('channel'),
  /** Let the penalty push q up (the published method's negated gradient to q). */
  thresholdGrowsWithPenalty: z.boolean().default(true),
});

const optimizerSchema = z.strictObject({
  name: z.enum(['adam', 'sgd', 'rmsprop']).default('adam'),
  learningRate: z.number().positive().default(2e-3),
  /** `constant`, `cosine` (to 0 over all epochs) or `step` (× stepFactor every stepEvery epochs). */
  schedule: z.enum(['constant', 'cosine', 'step']).default('constant'),
  stepEvery: z.number().int().min(1).default(10),
  stepFactor: z.number().positive().default(0.5),
});

export const trainConfigSchema = z.strictObject({
  data: dataSchema.prefault({}),
  model: modelSchema.prefault({}),
  sparsity: sparsitySchema.prefault({}),
  optimizer: optimizerSchema.prefault({}),
  /** Training epochs. */
  epochs: z.number().int().min(1).default(6),
  /** Clips per training batch. */
  batchSize: z.number().int().min(1).default(16),
  /** Seed for data order, augmentation and weight initialisation. */
  seed: z.number().int().default(1),
  /** Run folder of a trained model whose weights initialise this one (the refinement recipe). */
  initFrom: z.string().optional(),
  /**
   * Epochs the `initFrom` run must have finished. Recorded by the recipe so that a refinement of an older
   * baseline is not mistaken for one of the current baseline (the run folder then holds another configuration).
   */
  initFromEpochs: z.number().int().min(1).optional(),
  /** Clips measured for sparsity statistics after each epoch. */
  sparsityClips: z.number().int().min(1).default(16),
});

/** A fully resolved training configuration (every default filled in). */
export type TrainConfig = z.infer<typeof trainConfigSchema>;

/** What a user may pass: any subset, nested. */
export type TrainConfigInput = z.input<typeof trainConfigSchema>;

/** Named override objects. `quick` is seconds-long (tests, CI); `default` is the main job's. */
export const trainPresets = {
  default: {},
  quick: {
    epochs: 2,
    batchSize: 8,
    sparsityClips: 8,
    data: { size: 16, clipLength: 4, syntheticTrainPerClass: 8, syntheticTestPerClass: 4 },
    model: { filters: [8, 16] },
  },
  paper: {
    epochs: 30,
    data: { size: 64, clipLength: 16 },
    optimizer: { schedule: 'cosine' },
  },
} satisfies Record<string, TrainConfigInput>;

export type TrainPresetName = keyof typeof trainPresets;

type Plain = Record<string, unknown>;

function isPlainObject(value: unknown): value is Plain {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Deep merge of plain objects; arrays and scalars from `override` replace those of `base`. */
export function mergeConfig<T extends object>(base: T, override: object): T {
  const merged: Plain = { ...(base as Plain) };
  for (const [key, value] of Object.entries(override as Plain)) {
    if (value === undefined) continue;
    merged[key] = isPlainObject(value) && isPlainObject(merged[key]) ? mergeConfig(merged[key] as Plain, value) : value;
  }
  return merged as T;
}

function validNamesAt(path: PropertyKey[]): string[] {
  let shape: z.ZodType = trainConfigSchema;
  for (const part of path) {
    let inner: z.ZodType = shape;
    while (inner instanceof z.ZodDefault || inner instanceof z.ZodPrefault || inner instanceof z.ZodOptional) {
      inner = inner.def.innerType as z.ZodType;
    }
    if (!(inner instanceof z.ZodObject)) return [];
    shape = (inner.shape as Record<string, z.ZodType>)[String(part)];
    if (shape === undefined) return [];
  }
  let inner: z.ZodType = shape;
  while (inner instanceof z.ZodDefault || inner instanceof z.ZodPrefault || inner instanceof z.ZodOptional) {
    inner = inner.def.innerType as z.ZodType;
  }
  return inner instanceof z.ZodObject ? Object.keys(inner.shape as object) : [];
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let value = input;
  // Arrays too: `model.filters.1` must name the bad element's value, not undefined.
  for (const part of path) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[String(part)] : undefined;
  return value;
}

/**
 * Resolves a configuration: defaults, then the preset's overrides, then the user's. Throws a
 * DeltaSparsityError naming each bad option, the valid names or values, and what was received.
 */
export function resolveTrainConfig(input: TrainConfigInput = {}, preset: string = 'default'): TrainConfig {
  if (!(preset in trainPresets)) {
    const names = Object.keys(trainPresets);
    const meant = typeof preset === 'string' ? likelyMeant(preset, names, 1) : [];
    throw new DeltaSparsityError(
      `preset: expected one of ${names.join(', ')}. Received: preset=${describeValue(preset)}${meant.length > 0 ? ` (did you mean ${meant[0]}?)` : ''}`,
    );
  }
  // Configurations written before a key was renamed still resolve (lib/util/legacyNames, MIGRATION.md).
  const upgraded = upgradeLegacyKeys(input, TRAIN_CONFIG_RENAMES, 'training configuration');
  const merged = mergeConfig(trainPresets[preset as TrainPresetName] as object, upgraded as object);
  const parsed = trainConfigSchema.safeParse(merged);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const where = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      const valid = validNamesAt(issue.path);
      return issue.keys
        .map((key) => {
          const name = where ? `${where}.${key}` : key;
          return `unknown option ${name} (did you mean ${closestNames(key, valid, 1)[0]}?); valid options${where ? ` of ${where}` : ''}: ${valid.join(', ')}`;
        })
        .join('; ');
    }
    return `${where}: ${issue.message}. Received: ${where}=${describeValue(valueAt(merged, issue.path))}`;
  });
  throw new DeltaSparsityError(`invalid training configuration: ${problems.join('; ')}`);
}
