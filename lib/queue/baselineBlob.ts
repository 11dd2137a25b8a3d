/**
 * The baseline a refinement starts from, shipped through Redis so that workers need no shared file system:
 * the run folder's configuration and checkpointed model (a few hundred kB) packed into one byte string, stored
 * once under a key derived from its SHA-256, fetched and checked by each worker, and unpacked into a local
 * run folder that `initFrom` can point at.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import * as z from 'zod';
import type { Redis } from 'ioredis';
import { holdsCheckpoint, readRefinementSource, writeRefinementSource } from '../train/runFolder';
import { QUEUE_PREFIX } from './payload';

const packSchema = z.strictObject({ files: z.record(z.string(), z.string()) });

/** Packs the baseline of `runDir` (files in sorted order, so the same checkpoint always gives the same bytes). */
export function packBaseline(runDir: string): Buffer {
  const files: Record<string, string> = {};
  for (const { file, bytes } of readRefinementSource(runDir, '--baseline')) files[file] = bytes.toString('base64');
  return Buffer.from(JSON.stringify({ files }), 'utf8');
}

/** Hex SHA-256 of the packed bytes: the blob's name. */
export function blobHash(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The Redis key of a blob. */
export function blobKey(hash: string): string {
  return `${QUEUE_PREFIX}:blob:${hash}`;
}

/** Stores the bytes once (SET NX: republishing the same baseline writes nothing) and returns their hash. */
export async function publishBlob(redis: Redis, bytes: Buffer): Promise<string> {
  const hash = blobHash(bytes);
  await redis.set(blobKey(hash), bytes, 'NX');
  return hash;
}

/** Fetches a blob and checks its hash; throws when it is missing or damaged. */
export async function fetchBlob(redis: Redis, hash: string): Promise<Buffer> {
  const bytes = await redis.getBuffer(blobKey(hash));
  if (bytes === null) throw new Error(`baseline ${hash.slice(0, 12)}: not in Redis (${blobKey(hash)}); rerun the coordinator to publish it`);
  if (blobHash(bytes) !== hash) throw new Error(`baseline ${hash.slice(0, 12)}: the bytes in Redis do not match their hash`);
  return bytes;
}

/**
 * Writes a packed baseline into `runDir` (each file atomically, `state.json` last so that a half-written folder
 * is never taken for a checkpoint). A folder that already holds it is left alone.
 */
export function unpackBaseline(bytes: Buffer, runDir: string): void {
  const { files } = packSchema.parse(JSON.parse(bytes.toString('utf8')));
  writeRefinementSource(runDir, Object.entries(files).map(([file, base64]) => ({ file, bytes: Buffer.from(base64, 'base64') })));
}

/** The local run folder holding blob `hash` under `root`, fetched and unpacked on first use. */
export async function localBaseline(redis: Redis, hash: string, root: string): Promise<string> {
  const runDir = path.join(root, 'baselines', hash.slice(0, 16));
  if (holdsCheckpoint(runDir)) return runDir;
  unpackBaseline(await fetchBlob(redis, hash), runDir);
  return runDir;
}
