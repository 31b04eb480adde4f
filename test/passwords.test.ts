// Password hashes as plain functions: argon2id with a fresh 16-byte salt each time (drawn by hashPassword itself), so
// two hashes of one password differ and each verifies only that password.
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { hashPassword, hashSlots, verifyPassword } from '../src/auth/passwords.js';

describe('hashPassword', () => {
  it('salts every hash afresh, 16 bytes, and verifies only the password hashed', async () => {
    const [a, b] = await Promise.all([hashPassword('Same-password-1'), hashPassword('Same-password-1')]);
    expect(a).not.toBe(b);
    for (const hash of [a, b]) {
      // $argon2id$v=19$m=…,t=…,p=1$<salt>$<hash>: 16 bytes of salt are 22 characters of unpadded base64.
      const [, kind, , , salt] = hash.split('$');
      expect(kind).toBe('argon2id');
      expect(Buffer.from(salt!, 'base64')).toHaveLength(16);
      expect(await verifyPassword(hash, 'Same-password-1')).toBe(true);
      expect(await verifyPassword(hash, 'Same-password-2')).toBe(false);
    }
  });
});

describe('hashSlots', () => {
  it('runs one argon2 computation per core at a time, leaving a pool thread free, and queues the others', async () => {
    const cores = availableParallelism();
    const poolThreads = Number(process.env.UV_THREADPOOL_SIZE) || 4;
    const slots = hashSlots.concurrency;
    expect(slots).toBe(Math.max(1, Math.min(cores, poolThreads - 1)));
    const n = slots * 3;
    const hashing = Array.from({ length: n }, (_, i) => hashPassword(`Password-${i}`));
    await Promise.resolve();
    expect([hashSlots.activeCount, hashSlots.pendingCount]).toEqual([slots, n - slots]);
    const hashes = await Promise.all(hashing);
    const verifying = hashes.map((hash, i) => verifyPassword(hash, `Password-${i}`));
    await Promise.resolve();
    expect([hashSlots.activeCount, hashSlots.pendingCount]).toEqual([slots, n - slots]);
    expect(await Promise.all(verifying)).toEqual(Array(n).fill(true));
    expect([hashSlots.activeCount, hashSlots.pendingCount]).toEqual([0, 0]);
  });

  it('frees the slot of a computation that fails', async () => {
    const failing = Array.from({ length: hashSlots.concurrency + 1 }, () => verifyPassword('not-a-hash', 'x'));
    expect(await Promise.all(failing)).toEqual(failing.map(() => false));
    expect([hashSlots.activeCount, hashSlots.pendingCount]).toEqual([0, 0]);
    expect(await verifyPassword(await hashPassword('After-failures-1'), 'After-failures-1')).toBe(true);
  });
});
