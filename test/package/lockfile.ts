/**
 * A lockfile for an empty project that depends only on the packed delta-sparsity tarball, built from the
 * repository's own lockfile: the same versions and integrity hashes, without the development tree. With
 * it, `npm ci --offline` installs from the local npm cache alone (which `npm ci` in this repository filled
 * with the tarballs, though not with the registry metadata that resolving version ranges would need).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dev?: boolean;
  [field: string]: unknown;
}

interface Lockfile {
  name: string;
  version: string;
  lockfileVersion: number;
  requires?: boolean;
  packages: Record<string, LockEntry>;
}

/** The lockfile of a project `{ name, dependencies: { 'delta-sparsity': 'file:<tarball>' } }`. */
export function consumerLockfile(repositoryLock: Lockfile, tarballSpec: string, tarballPath: string, projectName: string): Lockfile {
  const rootEntry = repositoryLock.packages[''];
  const integrity = `sha512-${crypto.createHash('sha512').update(fs.readFileSync(tarballPath)).digest('base64')}`;
  const packages: Record<string, LockEntry> = {
    '': { name: projectName, version: '1.0.0', dependencies: { 'delta-sparsity': tarballSpec } },
    'node_modules/delta-sparsity': {
      version: rootEntry.version,
      resolved: tarballSpec,
      integrity,
      ...Object.fromEntries(
        ['license', 'dependencies', 'optionalDependencies', 'peerDependencies', 'peerDependenciesMeta', 'bin', 'engines']
          .filter((field) => rootEntry[field] !== undefined)
          .map((field) => [field, rootEntry[field]]),
      ),
    },
  };
  for (const [location, entry] of Object.entries(repositoryLock.packages)) {
    // Development-only packages are not installed for a consumer; everything else keeps its place.
    if (location === '' || entry.dev === true || !location.startsWith('node_modules/')) continue;
    packages[location] = entry;
  }
  return { name: projectName, version: '1.0.0', lockfileVersion: 3, requires: true, packages };
}
