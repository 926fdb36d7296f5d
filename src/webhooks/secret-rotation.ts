/**
 * Rotating a user's webhook secret without dropping a delivery: the new secret signs every delivery
 * at once, and the one it replaced keeps signing beside it (a second `v1,…` in `webhook-signature`)
 * for an overlap window, while the receiver switches. At most two secrets are ever valid: a second
 * rotation inside the window is refused (WEBHOOK_ROTATION_IN_PROGRESS), so a request sent twice
 * cannot retire the secret receivers still hold; an overlap of 0 is always accepted and retires
 * every old secret at once (for a leaked one).
 */
import { ReelqueueError } from '../errors.js';
import type { User } from '../users/model.js';

/** A day: long enough to deploy a receiver's new secret. */
export const DEFAULT_OVERLAP_SECONDS = 86_400;
/** A week: a leaked old secret must not stay valid for long. */
export const MAX_OVERLAP_SECONDS = 7 * 86_400;

export const OVERLAP_FIELD = 'overlap_seconds';

/** Returns the overlap when it is a whole number of seconds from 0 to a week; VALIDATION_FAILED. */
export function checkOverlapSeconds(value: number = DEFAULT_OVERLAP_SECONDS): number {
  if (!Number.isSafeInteger(value) || value < 0 || value > MAX_OVERLAP_SECONDS) {
    throw new ReelqueueError(
      'VALIDATION_FAILED',
      `${OVERLAP_FIELD} must be a whole number of seconds from 0 to ${MAX_OVERLAP_SECONDS} (a week), got ${JSON.stringify(value)}`,
      { field: OVERLAP_FIELD, value },
    );
  }
  return value;
}

export function rotationInProgress(
  user: Pick<User, 'id' | 'previousWebhookSecret' | 'previousWebhookSecretExpiresAt'>,
): ReelqueueError {
  const until = user.previousWebhookSecretExpiresAt?.toISOString() ?? null;
  return new ReelqueueError(
    'WEBHOOK_ROTATION_IN_PROGRESS',
    `The webhook secret was rotated already and the old one signs deliveries until ${until ?? 'its window ends'}; rotate again after that, or with ${OVERLAP_FIELD} 0 to retire every old secret now`,
    { userId: user.id, previous_secret_expires_at: until },
  );
}

/** The secret a rotation replaced, while it is still valid at `now`; else null. */
export function previousSecretAt(
  user: Pick<User, 'previousWebhookSecret' | 'previousWebhookSecretExpiresAt'>,
  now: Date,
): { secret: string; expiresAt: Date } | null {
  const { previousWebhookSecret: secret, previousWebhookSecretExpiresAt: expiresAt } = user;
  if (secret === null || expiresAt === null || expiresAt.getTime() <= now.getTime()) return null;
  return { secret, expiresAt };
}

/** Every secret that signs a delivery made at `now`: the current one first. */
export function signingSecrets(
  user: Pick<User, 'webhookSecret' | 'previousWebhookSecret' | 'previousWebhookSecretExpiresAt'>,
  now: Date,
): string[] {
  const previous = previousSecretAt(user, now);
  return previous === null ? [user.webhookSecret] : [user.webhookSecret, previous.secret];
}
