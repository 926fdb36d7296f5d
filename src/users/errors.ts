/** The errors both user stores raise, worded once. */
import { ReelqueueError } from '../errors.js';

export function userNotFound(id: string): ReelqueueError {
  return new ReelqueueError('USER_NOT_FOUND', `No user ${id}`, { userId: id });
}

export function keyNotFound(idOrPrefix: string): ReelqueueError {
  return new ReelqueueError('KEY_NOT_FOUND', `No API key ${idOrPrefix}`, { key: idOrPrefix });
}

export function walletTaken(wallet: string): ReelqueueError {
  return new ReelqueueError('WALLET_TAKEN', 'Another user already has this wallet address', {
    walletAddress: wallet,
  });
}

export function pointsShort(userId: string, balance: number, delta: number): ReelqueueError {
  return new ReelqueueError(
    'INSUFFICIENT_POINTS',
    `User ${userId} has ${balance} points; taking ${-delta} would leave a negative balance`,
    { userId, balance, delta },
  );
}

export function balanceTooLarge(userId: string, balance: number, delta: number, max: number): ReelqueueError {
  return new ReelqueueError('VALIDATION_FAILED', `A balance cannot exceed ${max} points`, {
    userId,
    balance,
    delta,
    max,
  });
}

export function malformedKey(label: string): ReelqueueError {
  return new ReelqueueError(
    'VALIDATION_FAILED',
    `${label} must be 16 to 512 printable characters without spaces`,
    { field: label },
  );
}
