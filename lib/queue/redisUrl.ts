/**
 * Redis URLs of the sweep queue (`--queue redis://[user:password@]host[:port][/db]`, or `rediss://` for TLS):
 * parsed into connection options, and always shown with the password hidden. The password may also come
 * from the environment variable DELTA_QUEUE_PASSWORD, so that it is not visible in the process list.
 */
import { DeltaSparsityError } from '../util/errors';

/** Where the queue lives, ready for ioredis / BullMQ. */
export interface QueueConnection {
  host: string;
  /** TCP port. Default 6379. */
  port: number;
  /** Redis database number (the URL's path). Default 0. */
  db: number;
  username?: string;
  password?: string;
  /** Present for `rediss://`: TLS with the server's name checked against its certificate. */
  tls?: { servername: string };
  /** The URL as it may be printed: the password replaced by `***`. */
  redacted: string;
}

const PASSWORD_ENV = 'DELTA_QUEUE_PASSWORD';

/**
 * The URL with its credentials replaced by `***` (best effort on text that is not a URL). Everything between
 * `://` and the LAST `@` is credentials: a password may itself contain `@`, `/` or `:`, so no earlier `@` or
 * `/` may end it. A user name (the part before the first `:`) is kept only when it is plainly one (letters,
 * digits, `._~%-`); otherwise the whole of it is hidden, since it may be part of the password.
 */
export function redactUrl(text: string): string {
  const scheme = /^([a-z][a-z0-9+.-]*:\/\/)/i.exec(text);
  if (scheme === null) return text;
  const rest = text.slice(scheme[1].length);
  const lastAt = rest.lastIndexOf('@');
  if (lastAt < 0) return text;
  const credentials = rest.slice(0, lastAt);
  const colon = credentials.indexOf(':');
  const username = colon < 0 ? '' : credentials.slice(0, colon);
  const shown = colon >= 0 && /^[A-Za-z0-9._~%-]*$/.test(username) ? `${username}:***` : '***';
  return `${scheme[1]}${shown}@${rest.slice(lastAt + 1)}`;
}

/** `decodeURIComponent` of a URL part, or a one-line error for a `%` not followed by two hex digits. */
function decodePart(part: string, what: string, redacted: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw badUrl(redacted, `the ${what} has a "%" not followed by two hex digits: write a literal % as %25`);
  }
}

/** `text` with every occurrence of each secret replaced by `***` (for messages from libraries). */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret !== undefined && secret.length > 0) result = result.split(secret).join('***');
  }
  return result;
}

function badUrl(redacted: string, why: string): DeltaSparsityError {
  return new DeltaSparsityError(`--queue: expected a Redis URL redis://[:password@]host[:port][/db] or rediss://... (${why}). Received: --queue=${JSON.stringify(redacted)}`);
}

/**
 * Parses a queue URL. Throws a one-line DeltaSparsityError (URL shown redacted) for another scheme, a missing
 * host, a bad port or database. `env` supplies DELTA_QUEUE_PASSWORD when the URL has no password.
 */
export function parseQueueUrl(text: string, env: NodeJS.ProcessEnv = process.env): QueueConnection {
  const redactedText = redactUrl(text.trim());
  // WHATWG parsing of a redis: URL ends the host part at the first "/", "?" or "#", so such a character in the
  // password would move part of it into the host or path (and into error messages): refuse before parsing.
  const afterScheme = text.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const lastAt = afterScheme.lastIndexOf('@');
  if (lastAt >= 0 && /[/?#]/.test(afterScheme.slice(0, lastAt))) {
    throw badUrl(redactedText, 'the user name or password contains "/", "?" or "#": percent-encode them (%2F, %3F, %23), or give the password in DELTA_QUEUE_PASSWORD');
  }
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw badUrl(redactedText, 'not a URL');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw badUrl(redactedText, `unsupported scheme "${url.protocol.replace(/:$/, '')}"`);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw badUrl(redactedText, 'no host');
  const port = url.port === '' ? 6379 : Number(url.port);
  const dbText = url.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isSafeInteger(db) || db < 0 || !/^\d*$/.test(dbText)) throw badUrl(redactedText, `database "${dbText}" is not a number >= 0`);
  if (url.search !== '' || url.hash !== '') throw badUrl(redactedText, 'no query or fragment');
  const password = url.password !== '' ? decodePart(url.password, 'password', redactedText) : env[PASSWORD_ENV] || undefined;
  const username = url.username !== '' ? decodePart(url.username, 'user name', redactedText) : undefined;
  const tls = url.protocol === 'rediss:' ? { servername: host } : undefined;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const credentials = password !== undefined ? `${username ?? ''}:***@` : username !== undefined ? `${username}@` : '';
  const redacted = `${url.protocol}//${credentials}${shownHost}:${port}/${db}`;
  return { host, port, db, username, password, tls, redacted };
}
