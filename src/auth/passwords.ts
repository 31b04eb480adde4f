import { randomBytes, randomInt } from 'node:crypto';
import { availableParallelism } from 'node:os';
import argon2 from 'argon2';
import pLimit from 'p-limit';
import type { Violation } from '../services/validation.js';

// OWASP's argon2id recommendation (m=19 MiB, t=2, p=1): ~20 ms a hash here. Only sign-in, password changes and
// user creation pay it.
export const ARGON2_PRODUCTION = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
/** For the test suite only (vitest.config.ts sets ARGON2_TEST_PARAMETERS=1): it creates thousands of users. */
export const ARGON2_TEST = { type: argon2.argon2id, memoryCost: 1_024, timeCost: 1, parallelism: 1 } as const;

/** The parameters new hashes get; verification reads them from each hash, so hashes of both kinds verify. */
export function argon2Options(env: NodeJS.ProcessEnv = process.env) {
  return env.ARGON2_TEST_PARAMETERS === '1' && env.NODE_ENV !== 'production' ? ARGON2_TEST : ARGON2_PRODUCTION;
}

const ARGON2_OPTIONS = argon2Options();

/**
 * At most one argon2 computation per core at a time, and never on every thread of libuv's pool; the others wait their
 * turn here, in order. argon2 runs on that pool: on 2 cores, four hashes at once on its four threads took turns, each
 * switch evicting another hash's 19 MiB working set, and hashed ~12 % slower than two at once (BENCHMARKS.md,
 * eleventh round). At least one thread stays free for the pool's other jobs (a webhook's DNS look-up, the data
 * folder's lock refresh). The pool's size is read as libuv will (thread-pool.ts sets it first in the server).
 */
const POOL_THREADS = Number(process.env.UV_THREADPOOL_SIZE) || 4;
export const hashSlots = pLimit(Math.max(1, Math.min(availableParallelism(), POOL_THREADS - 1)));

export function hashPassword(password: string): Promise<string> {
  // The salt (argon2's default length) drawn here, synchronously: argon2 would draw it with the asynchronous
  // randomBytes, a job of its own on libuv's pool, queued behind the hashes that keep the pool busy.
  return hashSlots(() => argon2.hash(password, { ...ARGON2_OPTIONS, salt: randomBytes(16) }));
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await hashSlots(() => argon2.verify(hash, password));
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;
/** Verifies against a throw-away hash so an unknown login costs the same time as a wrong password. */
export async function verifyNothing(password: string): Promise<false> {
  dummyHash ??= hashPassword('not-a-real-password-Aa1!');
  await verifyPassword(await dummyHash, password);
  return false;
}

const LOWER = 'abcdefghijkmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const DIGITS = '23456789';
const SYMBOLS = '@#$%^&*-_!+=?';
export const SYMBOL_CHARS = `@#$%^&*-_!+=[]{}|\\:',.?/\`~"();<> `;

/** A temporary password: 16 characters, at least one of each class, from a CSPRNG, shuffled. */
export function generateTemporaryPassword(length = 16): string {
  const all = LOWER + UPPER + DIGITS + SYMBOLS;
  const chars = [LOWER, UPPER, DIGITS, SYMBOLS].map((set) => set[randomInt(set.length)]!);
  while (chars.length < length) chars.push(all[randomInt(all.length)]!);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}

/** Entra's password policy; returns the rule a password breaks, or null. */
export function passwordPolicyViolation(password: string): Violation | null {
  if (password.length < 8) return { rule: 'tooShort', min: 8 };
  if (password.length > 256) return { rule: 'atMost', max: 256 };
  let classes = 0;
  if (/[a-z]/.test(password)) classes++;
  if (/[A-Z]/.test(password)) classes++;
  if (/[0-9]/.test(password)) classes++;
  if ([...password].some((c) => SYMBOL_CHARS.includes(c))) classes++;
  for (const c of password) {
    if (!/[A-Za-z0-9]/.test(c) && !SYMBOL_CHARS.includes(c)) return { rule: 'characterNotAllowed', character: c };
  }
  if (classes < 3) return { rule: 'characterClasses' };
  return null;
}
