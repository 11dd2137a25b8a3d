import { describe, expect, it } from 'vitest';
import { parseQueueUrl, redactSecrets, redactUrl } from '../../lib/queue/redisUrl';
import { DeltaSparsityError } from '../../lib/util/errors';

describe('parseQueueUrl', () => {
  it('reads host, port, database and password, and shows the URL with the password hidden', () => {
    const parsed = parseQueueUrl('redis://:s3cret@lab-server:6390/2', {});
    expect(parsed).toMatchObject({ host: 'lab-server', port: 6390, db: 2, password: 's3cret', tls: undefined });
    expect(parsed.redacted).toBe('redis://:***@lab-server:6390/2');
    expect(JSON.stringify(parsed.redacted)).not.toContain('s3cret');
  });

  it('defaults to port 6379 and database 0, and takes the password from DELTA_QUEUE_PASSWORD', () => {
    const parsed = parseQueueUrl('redis://queue.lab', { DELTA_QUEUE_PASSWORD: 'fromEnv' });
    expect(parsed).toMatchObject({ host: 'queue.lab', port: 6379, db: 0, password: 'fromEnv' });
    expect(parsed.redacted).toBe('redis://:***@queue.lab:6379/0');
  });

  it('turns rediss:// into TLS checked against the host name, and keeps a user name', () => {
    const parsed = parseQueueUrl('rediss://sweeper:p%40ss@secure.lab:6380', {});
    expect(parsed.tls).toEqual({ servername: 'secure.lab' });
    expect(parsed.username).toBe('sweeper');
    expect(parsed.password).toBe('p@ss'); // percent-decoded
    expect(parsed.redacted).toBe('rediss://sweeper:***@secure.lab:6380/0');
  });

  it('rejects other schemes, a missing host and a bad database in one line, password hidden', () => {
    for (const [url, why] of [
      ['http://:hunter2@lab:6379', /unsupported scheme "http"/],
      ['redis://:hunter2@:6379/0', /no host|not a URL/],
      ['redis://:hunter2@lab:6379/zero', /database "zero"/],
      ['not a url hunter2', /not a URL/],
    ] as const) {
      let caught: unknown;
      try {
        parseQueueUrl(url, {});
      } catch (error) {
        caught = error;
      }
      expect(caught, url).toBeInstanceOf(DeltaSparsityError);
      const message = (caught as Error).message;
      expect(message).toMatch(why);
      expect(message).toMatch(/^--queue: expected .*Received: --queue=/);
      expect(message.split('\n')).toHaveLength(1);
      // The last case is not a URL at all, so nothing marks the password: it is shown as given.
      if (!url.startsWith('not')) expect(message).not.toContain('hunter2');
    }
  });
});

describe('redaction', () => {
  it('hides the password of any scheme, and secrets inside library messages', () => {
    expect(redactUrl('redis://user:pw@host:1/0')).toBe('redis://user:***@host:1/0');
    expect(redactUrl('redis://pw@host')).toBe('redis://***@host'); // a lone credential may be a password
    expect(redactUrl('redis://host:6379')).toBe('redis://host:6379');
    expect(redactSecrets('ERR AUTH s3cret called without any password configured', ['s3cret'])).toBe('ERR AUTH *** called without any password configured');
  });
});

describe('passwords with URL delimiters (regressions: parts of them were printed)', () => {
  // Each password is a distinct marker; none of its characters' runs may appear in what is printed.
  const nasty: [string, string][] = [
    // [URL, the secret part that must never be printed]
    ['redis://:p@ss:w/rd%@127.0.0.1:16392/0', 'ss:w/rd%'],
    ['redis://:pa/SECRETTAIL@127.0.0.1:16392/0', 'SECRETTAIL'],
    ['redis://user:x@y@z/SECRET?q#f@127.0.0.1:16392/0', 'SECRET'],
    ['redis://:@@@SECRET@@@127.0.0.1:16392/0', 'SECRET'],
    ['redis://SECRET/x@127.0.0.1:16392/0', 'SECRET'],
    ['redis://us@er:SECRET@127.0.0.1:16392/0', 'SECRET'],
  ];

  it('redacts everything between :// and the last @', () => {
    expect(redactUrl('redis://:p@ss:w/rd%@127.0.0.1:16392/0')).toBe('redis://:***@127.0.0.1:16392/0');
    expect(redactUrl('redis://:pa/SECRETTAIL@127.0.0.1:16392/0')).toBe('redis://:***@127.0.0.1:16392/0');
    // A user name is kept only when it cannot be part of a password.
    expect(redactUrl('redis://sweeper:a@b/c@host:1/0')).toBe('redis://sweeper:***@host:1/0');
    expect(redactUrl('redis://us@er:SECRET@host:1/0')).toBe('redis://***@host:1/0');
    for (const [url, secret] of nasty) expect(redactUrl(url), url).not.toContain(secret);
  });

  it('rejects them in one line naming --queue, the secret not shown, or parses them correctly', () => {
    for (const [url, secret] of nasty) {
      let message = '';
      try {
        const parsed = parseQueueUrl(url, {});
        // Only "@" and ":" (no "/", "?", "#") survive URL parsing: then the password is the text after the first ":".
        expect(parsed.password, url).toBe(url.slice(url.indexOf(':', 8) + 1, url.lastIndexOf('@')));
        message = parsed.redacted;
      } catch (error) {
        expect(error, url).toBeInstanceOf(DeltaSparsityError);
        message = (error as Error).message;
        expect(message).toMatch(/^--queue: expected .*Received: --queue=/);
        expect(message.split('\n')).toHaveLength(1);
      }
      expect(message, url).not.toContain(secret);
    }
    expect(() => parseQueueUrl('redis://:pa/SECRETTAIL@127.0.0.1:16392/0', {})).toThrow(/percent-encode them \(%2F/);
  });

  it('turns a malformed % escape into a one-line error instead of a URIError', () => {
    let caught: unknown;
    try {
      parseQueueUrl('redis://:abc%zzSecret@127.0.0.1:16392/0', {});
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DeltaSparsityError);
    const message = (caught as Error).message;
    expect(message).toMatch(/^--queue: expected .*"%" not followed by two hex digits.*Received: --queue="redis:\/\/:\*\*\*@127\.0\.0\.1:16392\/0"$/);
    expect(message).not.toContain('Secret');
    // A correct escape still decodes: %25 is "%", %2F is "/".
    expect(parseQueueUrl('redis://:a%25b%2Fc@h:1/0', {}).password).toBe('a%b/c');
  });

  it('rejects a negative, fractional or huge database number', () => {
    for (const db of ['-1', '1.5', '1e3', '99999999999999999999', '0/1']) {
      expect(() => parseQueueUrl(`redis://h:1/${db}`, {}), db).toThrow(/database ".*" is not a number >= 0/);
    }
    expect(parseQueueUrl('redis://h:1/15', {}).db).toBe(15);
  });
});
