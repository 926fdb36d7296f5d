/**
 * The signature deliveries carried before Standard Webhooks: `X-Reelqueue-Signature: sha256=<hex>`,
 * the HMAC-SHA256 of the body alone, keyed with the text of the secret as it was spelled then
 * (`whsec_<base64url>`). Deprecated: it signs neither the delivery id nor a timestamp, so a captured
 * delivery can be replayed. Sent for one more release beside `webhook-signature` (see
 * docs/webhooks.md), keyed with the current secret only, then removed.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { secretKey } from './signature.js';

export const LEGACY_SIGNATURE_HEADER = 'X-Reelqueue-Signature';
export const LEGACY_EVENT_HEADER = 'X-Reelqueue-Event';
export const LEGACY_DELIVERY_HEADER = 'X-Reelqueue-Delivery';

/**
 * The secret as it was spelled before migration 0020 (`whsec_` and the key in base64url without
 * padding): the text existing receivers hold and key this signature with.
 */
export function legacySecretSpelling(secret: string): string {
  return `whsec_${secretKey(secret).toString('base64url')}`;
}

/** `sha256=<hex>`, keyed with the legacy spelling of `secret`. */
export function signLegacyBody(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', legacySecretSpelling(secret)).update(body).digest('hex')}`;
}

/** What a legacy receiver does, with the secret it holds (the old spelling). */
export function verifyLegacySignature(
  heldSecret: string,
  body: string | Buffer,
  header: string | undefined,
): boolean {
  if (header === undefined) return false;
  const expected = Buffer.from(`sha256=${createHmac('sha256', heldSecret).update(body).digest('hex')}`);
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
