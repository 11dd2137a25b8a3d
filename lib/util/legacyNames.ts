/**
 * Names retired by the vocabulary clean-up of 2026-12 (see CONTRIBUTING.md, "Vocabulary"), and the one place
 * that reads them: files written before then (run folders' `config.json` and `metrics.jsonl`, saved models'
 * layer configs) still load; each old key is translated to its new name with one deprecation message per
 * process and key.
 */

/**
 * The new name of a retired key, or the new name and how an old value converts (e.g. a ratio retired in
 * favour of its inverse, a density). A rename whose `to` is its own key retires values, not the key: `convert`
 * then maps retired values to their new names and `retired` says which values those are (only they warn).
 */
export type KeyRename =
  | string
  | { readonly to: string; readonly convert: (value: unknown) => unknown; readonly retired?: (value: unknown) => boolean };

/** Old key → new key, for one kind of record. Nested keys are written with dots (`sparsity.oldName`). */
export type KeyRenames = Readonly<Record<string, KeyRename>>;

/** dense / delta MACs (a ratio ≥ 1) → delta MACs / dense MACs (a density in [0, 1]); null stays null. */
const inverse = (value: unknown): unknown => (typeof value === 'number' ? 1 / value : value);

/**
 * Training configuration keys and values (`config.json`, `--config` files). `data.badVideos: 'fail'` is now
 * `'error'`, the value the dataset builders (`createFolderDataset`, `createUcf101Dataset`) always took.
 */
export const TRAIN_CONFIG_RENAMES: KeyRenames = {
  'data.badVideos': { to: 'data.badVideos', convert: (value) => (value === 'fail' ? 'error' : value), retired: (value) => value === 'fail' },
};

/**
 * Retired command-line flags, per command (`data density`): old flag → new flag. The command still accepts the
 * old flag (hidden from `--help`) and prints one deprecation line (`upgradeLegacyFlags`).
 */
export const CLI_FLAG_RENAMES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'data density': { '--quantum': '--threshold' },
};

/** `--clip-length` → `clipLength`, the property commander stores a flag's value under. */
const optionKeyOf = (flag: string): string => flag.replace(/^--/, '').replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());

/**
 * `options` (as commander parsed them for `command`) with each retired flag's value moved to its new flag,
 * printing one deprecation line per flag. When both are given, the new flag wins.
 */
export function upgradeLegacyFlags<T extends object>(options: T, command: string): T {
  const renames = CLI_FLAG_RENAMES[command] ?? {};
  let result: Record<string, unknown> | null = null;
  for (const [oldFlag, newFlag] of Object.entries(renames)) {
    const oldKey = optionKeyOf(oldFlag);
    const record: Record<string, unknown> = result ?? (options as Record<string, unknown>);
    if (record[oldKey] === undefined) continue;
    warnMessage(`flag:${command}:${oldFlag}`, `delta-sparsity: ${command} ${oldFlag} is deprecated; use ${newFlag} (see MIGRATION.md).`);
    result ??= { ...(options as Record<string, unknown>) };
    result[optionKeyOf(newFlag)] ??= result[oldKey];
    delete result[oldKey];
  }
  return (result ?? options) as T;
}

/**
 * Per-epoch metric columns (`metrics.jsonl`) and ablation results (`ablation.jsonl`); `<layer>.<old>` columns are
 * renamed by their suffix. Counts are MACs, fractions are densities (CONTRIBUTING.md, "Vocabulary").
 */
export const METRIC_RENAMES: KeyRenames = {
  denseOpsPerFrame: 'denseMacsPerFrame',
  spatialOpsPerFrame: 'zeroSkippingMacsPerFrame',
  deltaOpsPerFrame: 'deltaMacsPerFrame',
  deltaOpsPerFrameFirstIncluded: 'deltaMacsPerFrameFirstIncluded',
  denseToDeltaOpsRatio: { to: 'deltaMacDensity', convert: inverse },
  denseToSpatialOpsRatio: { to: 'zeroSkippingMacDensity', convert: inverse },
};

/** Arguments of layers in saved models (`model.json`): one name for the option that lets the penalty raise q. */
export const LAYER_ARG_RENAMES: KeyRenames = {
  invertThresholdGradient: 'thresholdGrowsWithPenalty',
};

const targetOf = (rename: KeyRename): string => (typeof rename === 'string' ? rename : rename.to);
const convertWith = (rename: KeyRename, value: unknown): unknown => (typeof rename === 'string' ? value : rename.convert(value));

const warned = new Set<string>();

/** Where deprecation messages go; tests replace it to count them. Default: one line on stderr. */
export let deprecationSink: (message: string) => void = (message) => process.stderr.write(`${message}\n`);

/** Replaces the deprecation sink (tests); returns the previous one. */
export function setDeprecationSink(sink: (message: string) => void): (message: string) => void {
  const previous = deprecationSink;
  deprecationSink = sink;
  return previous;
}

function warnMessage(id: string, message: string): void {
  if (warned.has(id)) return;
  warned.add(id);
  deprecationSink(message);
}

function warnOnce(what: string, oldKey: string, newKey: string): void {
  warnMessage(`${what}:${oldKey}`, `delta-sparsity: ${what} key '${oldKey}' is deprecated; read as '${newKey}' (see MIGRATION.md).`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * A copy of `record` with every retired key of `renames` moved to its new name (dotted keys reach into nested
 * objects). When both the old and the new key are present, the new one wins. `what` names the kind of file in
 * the deprecation message, e.g. 'training configuration'. Records without retired keys come back unchanged
 * (the same object).
 */
export function upgradeLegacyKeys<T>(record: T, renames: KeyRenames, what: string): T {
  if (!isRecord(record)) return record;
  let result: Record<string, unknown> = record;
  for (const [oldPath, rename] of Object.entries(renames)) {
    const newPath = targetOf(rename);
    const oldParts = oldPath.split('.');
    const newParts = newPath.split('.');
    const parentOf = (root: Record<string, unknown>, parts: string[]) => {
      let node: unknown = root;
      for (const part of parts.slice(0, -1)) node = isRecord(node) ? node[part] : undefined;
      return isRecord(node) ? node : undefined;
    };
    const oldParent = parentOf(result, oldParts);
    const oldLeaf = oldParts[oldParts.length - 1];
    if (oldParent == null || !(oldLeaf in oldParent)) continue;
    if (oldPath === newPath) {
      // A retired value, not key: rename the value in place.
      const value = oldParent[oldLeaf];
      if (typeof rename === 'string' || !(rename.retired?.(value) ?? false)) continue;
      const to = rename.convert(value);
      warnMessage(`${what}:${oldPath}=${String(value)}`, `delta-sparsity: ${what} value ${oldPath}=${JSON.stringify(value)} is deprecated; read as ${JSON.stringify(to)} (see MIGRATION.md).`);
      result = structuredClone(result);
      parentOf(result, oldParts)![oldLeaf] = to;
      continue;
    }
    warnOnce(what, oldPath, newPath);
    result = structuredClone(result);
    const parent = parentOf(result, oldParts)!;
    const value = parent[oldLeaf];
    delete parent[oldLeaf];
    let target = result;
    for (const part of newParts.slice(0, -1)) {
      if (!isRecord(target[part])) target[part] = {};
      target = target[part] as Record<string, unknown>;
    }
    const newLeaf = newParts[newParts.length - 1];
    if (!(newLeaf in target)) target[newLeaf] = convertWith(rename, value);
  }
  return result as T;
}

/**
 * A metrics row with retired column names renamed, including per-layer columns `<layer>.<old>`; the same object
 * when it has none. `what` names the kind of file in the deprecation message.
 */
export function upgradeMetricRow<T extends Record<string, unknown>>(row: T, what = 'metrics'): T {
  let result: Record<string, unknown> | null = null;
  for (const key of Object.keys(row)) {
    const dot = key.lastIndexOf('.');
    const prefix = dot < 0 ? '' : key.slice(0, dot + 1);
    const suffix = key.slice(dot + 1);
    const rename = METRIC_RENAMES[suffix];
    if (rename == null) continue;
    const renamed = targetOf(rename);
    warnOnce(what, suffix, renamed);
    result ??= { ...row };
    if (!(prefix + renamed in result)) result[prefix + renamed] = convertWith(rename, row[key]);
    delete result[key];
  }
  return (result ?? row) as T;
}
