/**
 * API keys: `rq_<prefix>_<secret>`, 32 random bytes of secret. Only the sha256 of the whole key is
 * stored; the prefix (public) finds the row, then the hashes are compared in constant time.
 *
 * A key configured by the operator (`REELQUEUE_ADMIN_KEY`) need not follow the format: its lookup
 * prefix is then derived from its hash (`cfg_…`).
 */
import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

const KEY_PATTERN = /^rq_([0-9a-f]{12})_[A-Za-z0-9_-]{43}$/;
/** What a configured key may look like: printable ASCII without spaces, 16 to 512 characters. */
const CONFIGURED_PATTERN = /^[\x21-\x7e]{16,512}$/;

/** Draws of a new key before giving up: a fresh 48-bit prefix colliding this often means a bug. */
export const KEY_ATTEMPTS = 5;

export interface KeyMaterial {
  /** The plain key (returned once). */
  key: string;
  prefix: string;
  /** sha256 hex of the whole key. */
  hash: string;
}

export function hashApiKey(plainKey: string): string {
  return hash('sha256', plainKey, 'hex');
}

export function generateApiKey(): KeyMaterial {
  const prefix = randomBytes(6).toString('hex');
  const key = `rq_${prefix}_${randomBytes(32).toString('base64url')}`;
  return { key, prefix, hash: hashApiKey(key) };
}

/** The prefix that finds a key's row, or null when the text cannot be a key at all. */
export function lookupPrefix(plainKey: string): string | null {
  const match = KEY_PATTERN.exec(plainKey);
  if (match?.[1]) return match[1];
  if (!CONFIGURED_PATTERN.test(plainKey)) return null;
  return `cfg_${hashApiKey(plainKey).slice(0, 16)}`;
}

/** Key material for a key given from outside (the configured admin key); null when malformed. */
export function materialFor(plainKey: string): KeyMaterial | null {
  const prefix = lookupPrefix(plainKey);
  return prefix === null ? null : { key: plainKey, prefix, hash: hashApiKey(plainKey) };
}

/** Compares a stored hash with the hash of a presented key in constant time. */
export function keyMatches(storedHash: string, plainKey: string): boolean {
  const stored = Buffer.from(storedHash, 'hex');
  const presented = hash('sha256', plainKey, 'buffer');
  return stored.length === presented.length && timingSafeEqual(stored, presented);
}
