/**
 * Chooses the TensorFlow.js backend: `tensorflow` (native tfjs-node) > `wasm` (with our training kernels)
 * > `cpu`, unless an argument or the DELTA_BACKEND environment variable forces one.
 *
 * Whether native TensorFlow is present is decided by whether a backend named 'tensorflow' is registered
 * after loading the optional package, never by a package name: on machines where the native download
 * failed, `@tensorflow/tfjs-node` may be an npm alias of pure-JS tfjs (as danfojs-node's is here).
 *
 * The wasm backend is loaded lazily, only when chosen or probed: once `@tensorflow/tfjs-backend-wasm` is
 * loaded it registers itself with a higher priority than `cpu`, and tfjs then refuses synchronous ops until
 * `await tf.ready()`, which would break scripts that never call `initBackend`.
 */
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { DeltaSparsityError, checkOptionKeys, invalidArgument, optionKeys, requireOneOf } from '../util/errors';
import { registerWasmTrainingKernels } from './wasmKernels';
import { chooseConvKernels } from './nativeConvKernels';
import type { ConvKernelChoice } from './onednnAddon';
import { warnIfStaleBuild } from '../util/staleBuild';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

/** Valid backend names, best first. */
export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

/** Environment variable that forces a backend (same names as `BACKEND_NAMES`). */
export const BACKEND_ENV_VAR = 'DELTA_BACKEND';

/** How to get the native backend where the internet reaches the TensorFlow storage host. */
export const TFJS_NODE_INSTALL_COMMAND = 'npm install tfjs-node-native@npm:@tensorflow/tfjs-node@4.22.0';

/** Packages tried, in order, for the native `tensorflow` backend. */
const NATIVE_PACKAGES = ['tfjs-node-native', '@tensorflow/tfjs-node'] as const;

export interface InitBackendOptions {
  /** Force this backend. Default: the DELTA_BACKEND environment variable, else the best available. */
  backend?: BackendName;
  /** Do not log the choice. Default false. */
  quiet?: boolean;
  /**
   * How to log the choice: `'stderr'` (default; the backend, why, and the conv kernels, on stderr so that
   * `--json` output stays clean) or `'line'` (notebooks: one short line on stdout, `backendLine`, with the
   * reasons only when the backend is not the expected one).
   */
  log?: 'stderr' | 'line';
}

const INIT_BACKEND_OPTION_KEYS = optionKeys<InitBackendOptions>({ backend: true, quiet: true, log: true });
const BACKEND_LOG_MODES = ['stderr', 'line'] as const satisfies readonly NonNullable<InitBackendOptions['log']>[];

export interface BackendChoice {
  /** The active backend after the call. */
  backend: BackendName;
  /** Why it was chosen, e.g. "tfjs-node not installed (...); wasm initialised". */
  reason: string;
  /** Who chose: the `backend` argument, the DELTA_BACKEND variable, or automatic choice. */
  source: 'argument' | 'env' | 'auto';
  /** Kernels this library registered on the chosen backend (only on wasm; see `patchedWasmKernels`). */
  patchedKernels: string[];
  /** For wasm: whether the SIMD build is used (it is several times faster). */
  wasmSimd?: boolean;
  /** For wasm: who computes the convolutions, the oneDNN addon or wasm (DELTA_CONV; nativeConvKernels.ts). */
  convKernels?: ConvKernelChoice;
}

export interface BackendAvailability {
  backend: BackendName;
  available: boolean;
  /** Why it is or is not available, e.g. "tfjs-node not installed". */
  reason: string;
}

type CpuBackendWithBanner = tf.KernelBackend & { firstUse?: boolean };

/**
 * tfjs's cpu backend prints "Hi, looks like you are running TensorFlow.js in Node.js ... install tfjs-node"
 * on its first tensor write of every new instance (the engine creates a fresh instance when it picks the
 * backend), unless the instance's `firstUse` flag is false. Making that flag read false on the cpu backend
 * class silences only this banner; setting the global IS_TEST or PROD flags would also hide tfjs's other,
 * useful warnings. The constructor assigns `this.firstUse = true`, which the accessor ignores.
 */
function silenceTfjsNodeBanner(): void {
  try {
    const factory = tf.findBackendFactory('cpu');
    if (factory == null) return;
    const probe = factory() as CpuBackendWithBanner;
    const prototype = Object.getPrototypeOf(probe) as object;
    probe.dispose();
    const current = Object.getOwnPropertyDescriptor(prototype, 'firstUse');
    if (current?.get == null) {
      Object.defineProperty(prototype, 'firstUse', { configurable: true, get: () => false, set: () => undefined });
    }
    // An instance made before this module loaded holds its own flag.
    if (tf.engine().backendName === 'cpu') {
      const active = tf.backend() as CpuBackendWithBanner;
      if (Object.prototype.hasOwnProperty.call(active, 'firstUse')) active.firstUse = false;
    }
  } catch {
    // Best effort: a tfjs version without this flag simply prints its banner.
  }
}
silenceTfjsNodeBanner();

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0] : String(error);
}

function isModuleNotFound(error: unknown, id: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'MODULE_NOT_FOUND' && errorMessage(error).includes(id);
}

function tensorflowRegistered(): boolean {
  return tf.findBackendFactory('tensorflow') != null;
}

let tensorflowProbe: BackendAvailability | null = null;

/** Loads the native binding if it is installed and tells whether a 'tensorflow' backend is registered. */
function probeTensorflow(): BackendAvailability {
  if (tensorflowRegistered()) return { backend: 'tensorflow', available: true, reason: 'tfjs-node is loaded' };
  if (tensorflowProbe != null) return tensorflowProbe;
  const notes: string[] = [];
  for (const id of NATIVE_PACKAGES) {
    try {
      require(id);
    } catch (error) {
      notes.push(isModuleNotFound(error, id) ? `${id}: not installed` : `${id}: failed to load (${errorMessage(error)})`);
      continue;
    }
    if (tensorflowRegistered()) {
      tensorflowProbe = { backend: 'tensorflow', available: true, reason: `native TensorFlow loaded from ${id}` };
      return tensorflowProbe;
    }
    notes.push(`${id}: loads but registers no 'tensorflow' backend (it is pure-JS tfjs)`);
  }
  tensorflowProbe = { backend: 'tensorflow', available: false, reason: `tfjs-node not installed (${notes.join('; ')})` };
  return tensorflowProbe;
}

let wasmPathsSet = false;

/** Loads tfjs-backend-wasm (once), points it at its .wasm files and registers our training kernels. */
function loadWasmModule(): { ok: true } | { ok: false; reason: string } {
  let wasm: typeof import('@tensorflow/tfjs-backend-wasm');
  try {
    wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
  } catch (error) {
    return { ok: false, reason: `@tensorflow/tfjs-backend-wasm failed to load (${errorMessage(error)})` };
  }
  if (!wasmPathsSet) {
    wasmPathsSet = true;
    try {
      // In Node the .wasm binaries are read from disk; resolve their folder explicitly.
      const dir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
      wasm.setWasmPaths(dir + path.sep);
    } catch {
      // Already initialised by someone else (setWasmPaths then throws): its paths work.
    }
  }
  registerWasmTrainingKernels();
  return { ok: true };
}

/** Makes `name` the active backend; returns why it failed, or null on success. */
async function activate(name: BackendName): Promise<string | null> {
  if (name === 'wasm') {
    const loaded = loadWasmModule();
    if (!loaded.ok) return loaded.reason;
  }
  try {
    if (tf.getBackend() === name) return null;
  } catch {
    // No backend initialised yet.
  }
  const ok = await tf.setBackend(name);
  await tf.ready();
  return ok ? null : `tf.setBackend('${name}') failed`;
}

/**
 * Tells whether `name` can be used here, and why (or why not). Probing `wasm` initialises it, then
 * restores the previously active backend.
 */
export async function isBackendAvailable(name: BackendName): Promise<BackendAvailability> {
  requireOneOf('name', name, BACKEND_NAMES);
  if (name === 'cpu') return { backend: 'cpu', available: true, reason: 'pure-JavaScript backend, always present' };
  if (name === 'tensorflow') return probeTensorflow();
  const loaded = loadWasmModule();
  if (!loaded.ok) return { backend: 'wasm', available: false, reason: loaded.reason };
  const previous = tf.engine().backendName;
  if (previous === 'wasm') return { backend: 'wasm', available: true, reason: 'wasm is active' };
  const ok = await tf.setBackend('wasm');
  if (previous) await tf.setBackend(previous);
  return { backend: 'wasm', available: ok, reason: ok ? 'wasm initialised' : 'wasm failed to initialise' };
}

function readEnvBackend(): BackendName | undefined {
  const raw = process.env[BACKEND_ENV_VAR];
  if (raw == null || raw.trim() === '') return undefined;
  return requireOneOf(BACKEND_ENV_VAR, raw.trim().toLowerCase(), BACKEND_NAMES);
}

function tensorflowMissingError(source: string, probe: BackendAvailability): DeltaSparsityError {
  return invalidArgument(
    source,
    `an available backend, but 'tensorflow' (native tfjs-node) is not: ${probe.reason}. ` +
      `Install it with \`${TFJS_NODE_INSTALL_COMMAND}\` on a machine whose internet reaches the TensorFlow ` +
      `storage host (storage.googleapis.com; its install script downloads libtensorflow, so allow that script ` +
      `if your npm blocks install scripts), or use one of "wasm", "cpu"`,
    'tensorflow',
  );
}

let lastChoice: { request: BackendName | 'auto'; choice: BackendChoice } | null = null;
let pending: Promise<unknown> = Promise.resolve();

async function chooseBackend(options: InitBackendOptions): Promise<BackendChoice> {
  const argument = options.backend;
  if (argument !== undefined) requireOneOf('backend', argument, BACKEND_NAMES);
  const fromEnv = argument === undefined ? readEnvBackend() : undefined;
  const requested: BackendName | undefined = argument ?? fromEnv;
  const source: BackendChoice['source'] = argument !== undefined ? 'argument' : fromEnv !== undefined ? 'env' : 'auto';

  const request = requested ?? 'auto';
  if (lastChoice != null && lastChoice.request === request && tf.engine().backendName === lastChoice.choice.backend) {
    return lastChoice.choice;
  }

  let backend: BackendName;
  let reason: string;
  if (requested !== undefined) {
    const by = source === 'argument' ? 'the backend argument' : `${BACKEND_ENV_VAR}=${requested}`;
    const label = source === 'argument' ? 'backend' : BACKEND_ENV_VAR;
    if (requested === 'tensorflow') {
      const probe = probeTensorflow();
      if (!probe.available) throw tensorflowMissingError(label, probe);
    }
    const failure = await activate(requested);
    if (failure != null) throw new DeltaSparsityError(`${label}: backend '${requested}' could not be initialised: ${failure}`);
    backend = requested;
    reason = `forced by ${by}`;
  } else {
    const probe = probeTensorflow();
    const notes = [probe.reason];
    let chosen: BackendName | null = null;
    if (probe.available && (await activate('tensorflow')) == null) chosen = 'tensorflow';
    if (chosen == null) {
      const failure = await activate('wasm');
      if (failure == null) chosen = 'wasm';
      else notes.push(`wasm unavailable: ${failure}`);
    }
    if (chosen == null) {
      const failure = await activate('cpu');
      if (failure != null) throw new Error(`no TensorFlow.js backend could be initialised: ${failure}`);
      chosen = 'cpu';
    }
    backend = chosen;
    reason = chosen === 'tensorflow' ? probe.reason : notes.join('; ');
  }

  const choice: BackendChoice = {
    backend,
    reason,
    source,
    patchedKernels: backend === 'wasm' ? registerWasmTrainingKernels() : [],
  };
  if (backend === 'wasm') choice.wasmSimd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  if (backend === 'wasm') choice.convKernels = chooseConvKernels();
  lastChoice = { request, choice };
  if (!options.quiet && options.log === 'line') {
    process.stdout.write(`${backendLine(choice)}\n`);
    return choice;
  }
  if (!options.quiet) process.stderr.write(`delta-sparsity: backend '${backend}' (${reason})\n`);
  const conv = choice.convKernels;
  if (!options.quiet && conv) process.stderr.write(`delta-sparsity: conv kernels: ${conv.provider} (${conv.reason})\n`);
  return choice;
}

/**
 * The backend choice in one short line, e.g. "backend: wasm (SIMD, conv kernels: onednn)". The reasons are
 * added only when the choice is not the expected one: expected is what was forced (argument or DELTA_BACKEND),
 * else native TensorFlow, or wasm with SIMD when TensorFlow is not installed.
 */
export function backendLine(choice: BackendChoice): string {
  const parts: string[] = [];
  if (choice.backend === 'wasm') parts.push(choice.wasmSimd ? 'SIMD' : 'no SIMD');
  if (choice.convKernels) parts.push(`conv kernels: ${choice.convKernels.provider}`);
  if (choice.source !== 'auto') parts.push(choice.reason);
  const expected = choice.source !== 'auto' || choice.backend === 'tensorflow' || (choice.backend === 'wasm' && choice.wasmSimd === true);
  const line = `backend: ${choice.backend}${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`;
  return expected ? line : `${line} — not the expected backend: ${choice.reason}`;
}

/**
 * Chooses, initialises and activates the backend (see the module comment for the order) and logs the
 * choice on stderr unless `quiet`. Idempotent and safe to call from many places: a repeated call with the
 * same request while that backend is still active returns the previous choice without logging again;
 * concurrent calls run one after another.
 *
 * Throws `DeltaSparsityError` for an unknown backend name (listing the valid ones) and when `tensorflow`
 * is forced but tfjs-node is absent (saying how to install it), and, on wasm, when DELTA_CONV=onednn forces the
 * native conv addon where it is not built (saying how to build it; see nativeConvKernels.ts), and for an unknown
 * option or `log` value (a misspelt one would otherwise be ignored).
 */
export function initBackend(rawOptions?: InitBackendOptions): Promise<BackendChoice> {
  let options: InitBackendOptions;
  try {
    options = checkOptionKeys('initBackend', rawOptions, INIT_BACKEND_OPTION_KEYS);
    if (options.log !== undefined) requireOneOf('log', options.log, BACKEND_LOG_MODES);
  } catch (error) {
    return Promise.reject(error);
  }
  warnIfStaleBuild();
  const run = pending.then(() => chooseBackend(options));
  pending = run.catch(() => undefined);
  return run;
}
