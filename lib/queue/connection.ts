/**
 * Connecting to the queue's Redis: the options BullMQ's clients take, and a probe that turns "cannot reach",
 * "wrong password" and "not Redis" into one-line errors naming the URL with its password hidden, before any
 * sweep work starts.
 */
import type { ConnectionOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { DeltaSparsityError } from '../util/errors';
import { redactSecrets, type QueueConnection } from './redisUrl';

/** Seconds the probe waits for the server before giving up. */
const PROBE_TIMEOUT_MS = 5000;

/** ioredis options for `connection` (BullMQ's workers need `maxRetriesPerRequest: null`: they block on Redis). */
export function redisOptions(connection: QueueConnection): RedisOptions {
  return {
    host: connection.host,
    port: connection.port,
    db: connection.db,
    username: connection.username,
    password: connection.password,
    tls: connection.tls,
    maxRetriesPerRequest: null,
  };
}

/** The same options typed for BullMQ's Queue and Worker (which create their own clients from them). */
export function bullConnection(connection: QueueConnection): ConnectionOptions {
  const { host, port, db, username, password, tls } = connection;
  return { host, port, db, username, password, tls, maxRetriesPerRequest: null };
}

/** A library's error message made safe to print: the password removed, one line. */
export function safeMessage(error: unknown, connection: QueueConnection): string {
  const text = error instanceof Error ? error.message : String(error);
  return redactSecrets(text, [connection.password]).replace(/\s+/g, ' ').trim();
}

/** The one-line error for a Redis that cannot be used, naming the redacted URL. */
export function unusableRedis(connection: QueueConnection, error: unknown): DeltaSparsityError {
  const message = safeMessage(error, connection);
  let why = message;
  if (/WRONGPASS|invalid password|invalid username-password/i.test(message)) why = `the server refused the user name or password (${message})`;
  else if (/NOAUTH/i.test(message)) why = `the server requires a password (give it in the URL, redis://:PASSWORD@host, or in DELTA_QUEUE_PASSWORD) (${message})`;
  else if (/without any password configured/i.test(message)) why = `a password was given but the server has none configured (${message})`;
  else if (/DB index is out of range|invalid DB index/i.test(message)) why = `the server has no database ${connection.db} (its \`databases\` setting is lower; use /0 or another existing number) (${message})`;
  else if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|timed? ?out|Connection is closed/i.test(message)) why = `cannot reach it (${message})`;
  return new DeltaSparsityError(`--queue: expected a reachable Redis server. Received: --queue=${connection.redacted}: ${why}`);
}

/**
 * Connects once, authenticates, selects the database and pings, then disconnects. Throws `unusableRedis` (one
 * line, password hidden) when the server is unreachable within 5 s, refuses the password, has no such database
 * (`ERR DB index is out of range`), or does not answer like Redis.
 */
export async function probeRedis(connection: QueueConnection): Promise<void> {
  const client = new Redis({
    ...redisOptions(connection),
    // ioredis selects the database itself after connecting but only emits an error when that fails, and then
    // stays on database 0: select it explicitly below so that a missing database is an error here.
    db: 0,
    lazyConnect: true,
    connectTimeout: PROBE_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // The first error event carries the cause (ECONNREFUSED, WRONGPASS); connect() then rejects with only
  // "Connection is closed". Listening also stops ioredis printing "Unhandled error event" lines.
  let cause: unknown;
  client.on('error', (error: unknown) => {
    cause ??= error;
  });
  try {
    await client.connect();
    if (connection.db !== 0) await client.select(connection.db);
    const answer = await client.ping();
    if (answer !== 'PONG') throw new Error(`unexpected answer to PING: ${answer}`);
  } catch (error) {
    throw unusableRedis(connection, cause ?? error);
  } finally {
    client.disconnect();
  }
}
