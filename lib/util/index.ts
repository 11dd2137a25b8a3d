/**
 * Shared helpers a user's script or the CLI may need (`delta-sparsity/util`): one-line argument errors, seeded
 * random numbers, files that survive a crash, progress display, least squares. The rest of lib/util is internal.
 */

// One-line errors for user mistakes: the argument, what was expected, `Received: name=value`.
export { DeltaSparsityError, invalidArgument, requirePositive, requireNonNegative, requireInteger, requireOneOf } from './errors';

// Stable hashes of JSON values (results-store keys and queue job ids are `stableHash(point)`).
export { stableHash, stableStringify } from './stableHash';

// Reproducible randomness.
export { SeededRandom } from './random';

// Files that must survive a crash, and checks that a path is free or of the expected kind.
export { writeFileAtomic, appendLineDurable, readJsonLines, expectFileOrNothing, expectFolderOrNothing } from './files';

// Progress of long work (done/total, rate, ETA) on stderr or a notebook.
export { createProgress } from './progress';
export type { Progress, ProgressOptions, ProgressMode, ProgressSink } from './progress';

// Fits (the streaming benchmark's time = a + b * density).
export { leastSquares } from './leastSquares';

// The "restart the kernel" hint after a rebuild.
export { createStaleBuildCheck, warnIfStaleBuild } from './staleBuild';
export type { StaleBuildCheck } from './staleBuild';
export { CLI_FLAG_RENAMES, upgradeLegacyFlags } from './legacyNames';
