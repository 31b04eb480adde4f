// CREDENTIALS_KEY: only real 32-byte keys, and one key per database (instances with different keys would make each
// other's import passwords unreadable).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCredentialsKey, decodeKey, keyFingerprint } from '../src/services/bulk/credentials.js';
import { startServer, type TestServer } from './support/server.js';

describe('the key format', () => {
  it('takes 32 random bytes written as hex or base64, and nothing else', () => {
    const key = randomBytes(32);
    expect(decodeKey(key.toString('hex'))).toEqual(key);
    expect(decodeKey(key.toString('base64'))).toEqual(key);
    expect(decodeKey(key.toString('base64url'))).toEqual(key);
    for (const bad of [
      'a'.repeat(64),
      'correct horse battery staple',
      randomBytes(33).toString('hex'),
      randomBytes(16).toString('hex'),
      `${key.toString('base64').slice(0, -1)}!`,
      '',
    ]) {
      expect(() => decodeKey(bad), bad).toThrow(/CREDENTIALS_KEY must be 32 random bytes/);
    }
    expect(() => decodeKey('ab'.repeat(32))).toThrow(/a pattern, not random bytes/);
  });
});

describe('one key per database', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(() => s.close());

  it('remembers the first key and refuses another, naming both fingerprints but never the key', async () => {
    const first = randomBytes(32);
    await assertCredentialsKey(s.database.db, first);
    await assertCredentialsKey(s.database.db, first);
    const other = randomBytes(32);
    const refused = await assertCredentialsKey(s.database.db, other).then(
      () => null,
      (e: Error) => e.message,
    );
    expect(refused).toContain(keyFingerprint(other));
    expect(refused).toContain(keyFingerprint(first));
    expect(refused).not.toContain(other.toString('hex'));
  });
});
