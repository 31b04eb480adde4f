import { createHash, randomBytes } from 'node:crypto';

/** An opaque bearer token; only its SHA-256 is stored (a 256-bit random secret needs no slow hash). */
export function generateToken(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
