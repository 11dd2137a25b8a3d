/**
 * The optional native conv addon (native/onednn, built at install time by scripts/build-native.js against
 * oneDNN, the library PyTorch's CPU convolutions use) and the choice between it and the wasm conv kernels.
 *
 * The addon is loaded lazily, on the first choice, never at import: a machine without it pays nothing.
 * The choice is `onednn` when the addon loads, else `wasm`; the environment variable DELTA_CONV (or the
 * `provider` argument) forces one, and forcing `onednn` where the addon is not built throws an error saying
 * how to build it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DeltaSparsityError, invalidArgument, requireOneOf } from '../util/errors';

/** Who computes the wasm backend's convolutions. */
export type ConvProvider = 'onednn' | 'wasm';

/** Valid providers, best first. */
export const CONV_PROVIDERS: readonly ConvProvider[] = ['onednn', 'wasm'];

/** Environment variable that forces a conv provider (`onednn` or `wasm`). */
export const CONV_ENV_VAR = 'DELTA_CONV';

/** Environment variable with the number of threads of the native addon (default: all cores). */
export const THREADS_ENV_VAR = 'DELTA_THREADS';

/** Debian/Ubuntu packages the addon needs to build. */
export const NATIVE_BUILD_PACKAGES = 'libdnnl-dev g++ make python3';

/** How to (re)build the addon, in a checkout and where delta-sparsity is an installed dependency. */
export const NATIVE_REBUILD_COMMAND = '`npm run build:native` (in a checkout) or `npm rebuild delta-sparsity` (as a dependency)';

/**
 * The addon's functions. Geometry is an Int32Array of 18 values, as tfjs computes them:
 * B, H, W, CI, OH, OW, CO, KH, KW, SH, SW, DH, DW, PT, PL, PB, PR, G (dilations 1 = none; G groups: 1 for
 * Conv2D, C for depthwise with CO = C*M). Tensors are float32 NHWC, filters [KH, KW, CI/G, CO]; outputs are
 * written in place into the arrays passed (views into the wasm heap).
 */
export interface OneDnnAddon {
  /** y = activation(conv(x, filter) + bias); `activation` is an ACTIVATION_CODES value, `alpha` leaky-ReLU's slope. */
  convForward(
    geometry: Int32Array,
    x: Float32Array,
    filter: Float32Array,
    bias: Float32Array | null,
    y: Float32Array,
    activation: number,
    alpha: number,
  ): void;
  /** dx = gradient of the conv with respect to its input. */
  convBackwardData(geometry: Int32Array, dy: Float32Array, filter: Float32Array, dx: Float32Array): void;
  /** dw = gradient of the conv with respect to its filter. */
  convBackwardWeights(geometry: Int32Array, x: Float32Array, dy: Float32Array, dw: Float32Array): void;
  /** oneDNN's implementation names (forward / backward data / backward weights) for a geometry. */
  implementations(geometry: Int32Array): string;
  /** Threads of oneDNN's OpenMP pool. */
  threads(): number;
  /** oneDNN's version, e.g. "2.6.0". */
  version(): string;
}

/** Environment variable with the path of the addon file, for a build kept elsewhere. */
export const ADDON_ENV_VAR = 'DELTA_ONEDNN_ADDON';

/** Where node-gyp puts the addon: two levels up from lib/backend (sources, in tests) and from dist/backend. */
export const ONEDNN_ADDON_PATH = path.resolve(__dirname, '..', '..', 'native', 'onednn', 'build', 'Release', 'delta_onednn.node');

type AddonLoad = { ok: true; addon: OneDnnAddon } | { ok: false; reason: string };
let loaded: AddonLoad | null = null;

/** Loads the addon once; says why not when it is not built or does not load (e.g. libdnnl missing). */
export function loadOneDnnAddon(): AddonLoad {
  if (loaded != null) return loaded;
  const file = process.env[ADDON_ENV_VAR]?.trim() || ONEDNN_ADDON_PATH;
  if (!fs.existsSync(file)) {
    loaded = { ok: false, reason: `the native addon is not built (no ${file})` };
    return loaded;
  }
  // Conv calls are short bursts between single-threaded wasm work. OpenMP's default ("active") keeps the idle
  // pool threads spinning after each burst, which on a busy machine starves the thread doing the work: measured
  // here at 2 threads on a loaded 2-core machine, passive waiting made training steps 2-4x faster. libgomp reads
  // the variable when it loads, i.e. with the addon; a value the user set is kept.
  process.env.OMP_WAIT_POLICY ??= 'passive';
  try {
    loaded = { ok: true, addon: require(file) as OneDnnAddon };
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    loaded = { ok: false, reason: `the native addon failed to load (${message})` };
  }
  return loaded;
}

export interface ConvKernelChoice {
  provider: ConvProvider;
  /** Why, e.g. "native addon, oneDNN 2.6.3, 2 thread(s)" or "the native addon is not built (no ...)". */
  reason: string;
  source: 'argument' | 'env' | 'auto';
}

/** The error for `onednn` forced where the addon is not available. */
export function onednnMissingError(label: string, reason: string): DeltaSparsityError {
  return new DeltaSparsityError(
    `${label}: expected 'onednn' only where the native conv addon is built, but ${reason}. ` +
      `Install oneDNN and the build tools (Debian/Ubuntu: apt-get install -y ${NATIVE_BUILD_PACKAGES}), ` +
      `then rebuild with ${NATIVE_REBUILD_COMMAND}; or use ${CONV_ENV_VAR}=wasm. Received: ${label}="onednn"`,
  );
}

/**
 * Decides the conv provider: the `provider` argument, else DELTA_CONV, else `onednn` when the addon loads.
 * Throws `DeltaSparsityError` for an unknown name, a DELTA_THREADS that is not a positive integer, and for
 * `onednn` forced where the addon is missing.
 */
export function resolveConvProvider(provider?: ConvProvider): ConvKernelChoice {
  if (provider !== undefined) requireOneOf('provider', provider, CONV_PROVIDERS);
  const threads = process.env[THREADS_ENV_VAR]?.trim();
  // The addon reads the variable itself when it loads; a typo must not silently mean "all cores".
  if (threads && !/^[1-9][0-9]*$/.test(threads)) throw invalidArgument(THREADS_ENV_VAR, 'a positive integer (threads of the native conv addon)', threads);
  const raw = process.env[CONV_ENV_VAR]?.trim().toLowerCase();
  const fromEnv = provider === undefined && raw ? requireOneOf(CONV_ENV_VAR, raw, CONV_PROVIDERS) : undefined;
  const requested = provider ?? fromEnv;
  const source: ConvKernelChoice['source'] = provider !== undefined ? 'argument' : fromEnv !== undefined ? 'env' : 'auto';
  const label = source === 'argument' ? 'provider' : CONV_ENV_VAR;
  if (requested === 'wasm') return { provider: 'wasm', reason: `forced by ${label}=wasm`, source };
  const load = loadOneDnnAddon();
  if (!load.ok) {
    if (requested === 'onednn') throw onednnMissingError(label, load.reason);
    return { provider: 'wasm', reason: load.reason, source };
  }
  const detail = `native addon, oneDNN ${load.addon.version()}, ${load.addon.threads()} thread(s)`;
  return { provider: 'onednn', reason: requested === 'onednn' ? `${detail}; forced by ${label}=onednn` : detail, source };
}
