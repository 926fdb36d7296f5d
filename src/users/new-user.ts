/** Checks what a caller asks for before a user is written, and makes a user's secrets. */
import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { ReelqueueError } from '../errors.js';
import { USER_ROLES, type NewUser, type UserRole } from './model.js';

/** The largest balance a user may hold (the column is a 32-bit integer on PostgreSQL). */
export const MAX_POINTS = 1_000_000_000;

/** Printable ASCII without spaces: base58 and hex addresses, and nothing that needs escaping. */
const WALLET_PATTERN = /^[\x21-\x7e]{1,200}$/;

export interface ResolvedNewUser {
  id: string;
  walletAddress: string | null;
  role: UserRole;
  points: number;
  webhookSecret: string;
}

/** Ids of users and keys: UUID v7, like job ids. */
export function newId(): string {
  return uuidv7();
}

/** A Standard Webhooks secret: `whsec_` and 32 random bytes in standard base64. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

export function checkWalletAddress(wallet: string): string {
  if (!WALLET_PATTERN.test(wallet)) {
    throw new ReelqueueError(
      'VALIDATION_FAILED',
      'wallet_address must be 1 to 200 printable characters without spaces',
      { field: 'wallet_address' },
    );
  }
  return wallet;
}

export function checkPointsDelta(delta: number): number {
  if (!Number.isInteger(delta) || Math.abs(delta) > MAX_POINTS) {
    throw new ReelqueueError(
      'VALIDATION_FAILED',
      `a points change must be a whole number from -${MAX_POINTS} to ${MAX_POINTS}, got ${JSON.stringify(delta)}`,
      { field: 'points', value: delta },
    );
  }
  return delta;
}

export function resolveNewUser(input: NewUser = {}): ResolvedNewUser {
  const points = input.points ?? 0;
  if (!Number.isInteger(points) || points < 0 || points > MAX_POINTS) {
    throw new ReelqueueError(
      'VALIDATION_FAILED',
      `points must be a whole number from 0 to ${MAX_POINTS}, got ${JSON.stringify(points)}`,
      { field: 'points', value: points },
    );
  }
  const role = input.role ?? 'user';
  if (!(USER_ROLES as readonly string[]).includes(role)) {
    throw new ReelqueueError('VALIDATION_FAILED', `role must be one of ${USER_ROLES.join(', ')}`, {
      field: 'role',
      value: role,
    });
  }
  const wallet = input.walletAddress ?? null;
  return {
    id: newId(),
    walletAddress: wallet === null ? null : checkWalletAddress(wallet),
    role,
    points,
    webhookSecret: newWebhookSecret(),
  };
}
