/**
 * Webhook signatures, the Standard Webhooks way (https://www.standardwebhooks.com, spec 1.0.0):
 *
 *   webhook-id: <the delivery id, the same on every retry>
 *   webhook-timestamp: <unix seconds of this attempt>
 *   webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>"> [v1,<…> …]
 *
 * keyed with the bytes of the owner's secret `whsec_<base64>`. The id and the timestamp are signed
 * with the body, so a captured delivery cannot be replayed later (the receiver refuses a timestamp
 * outside its tolerance) nor passed off as another delivery. During a secret rotation a delivery
 * carries one signature per valid secret, space-separated; a receiver accepts it when any matches.
 * docs/webhooks.md shows a receiver.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const ID_HEADER = 'webhook-id';
export const TIMESTAMP_HEADER = 'webhook-timestamp';
export const SIGNATURE_HEADER = 'webhook-signature';

const SECRET_PREFIX = 'whsec_';
const VERSION = 'v1';
/** The tolerance of the reference libraries: five minutes either side of the receiver's clock. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/**
 * The HMAC key of a secret: the bytes its base64 part stands for. Node's decoder also reads the
 * base64url spelling that secrets had before migration 0020, which stands for the same bytes.
 */
export function secretKey(secret: string): Buffer {
  const key = Buffer.from(
    secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret,
    'base64',
  );
  if (key.length === 0) throw new Error('a webhook secret must hold a base64 key after whsec_');
  return key;
}

/** One signature, `v1,<base64>`, of a delivery made at `timestamp` (unix seconds). */
export function signDelivery(secret: string, id: string, timestamp: number, body: string | Buffer): string {
  const hmac = createHmac('sha256', secretKey(secret)).update(`${id}.${timestamp}.`).update(body);
  return `${VERSION},${hmac.digest('base64')}`;
}

/** The `webhook-signature` header: one signature per secret, space-separated. */
export function signatureHeader(
  secrets: readonly string[],
  id: string,
  timestamp: number,
  body: string | Buffer,
): string {
  return secrets.map((secret) => signDelivery(secret, id, timestamp, body)).join(' ');
}

/** The three headers of a delivery made at `now`. */
export function standardWebhookHeaders(
  secrets: readonly string[],
  id: string,
  body: string,
  now: Date,
): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1000);
  return {
    [ID_HEADER]: id,
    [TIMESTAMP_HEADER]: String(timestamp),
    [SIGNATURE_HEADER]: signatureHeader(secrets, id, timestamp, body),
  };
}

export type Verification =
  | { ok: true; id: string; timestamp: number }
  | { ok: false; reason: 'missing headers' | 'bad timestamp' | 'stale timestamp' | 'no matching signature' };

export interface VerifyOptions {
  /** Any secret the receiver accepts (two while it switches to a rotated one). */
  secrets: readonly string[];
  /** Header values by lower-case name, as node:http gives them. */
  headers: Record<string, string | string[] | undefined>;
  /** The raw body, exactly as received (never parsed and serialised again). */
  body: string | Buffer;
  now?: Date;
  toleranceSeconds?: number;
}

const single = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? undefined : value;

/**
 * What a receiver does: refuse a timestamp outside the tolerance (a replay), then recompute the
 * signature with each accepted secret and compare it with each one sent, in constant time.
 */
export function verifyWebhook(options: VerifyOptions): Verification {
  const id = single(options.headers[ID_HEADER]);
  const stamp = single(options.headers[TIMESTAMP_HEADER]);
  const signatures = single(options.headers[SIGNATURE_HEADER]);
  if (!id || !stamp || !signatures) return { ok: false, reason: 'missing headers' };
  if (!/^\d{1,12}$/.test(stamp)) return { ok: false, reason: 'bad timestamp' };
  const timestamp = Number(stamp);
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) {
    return { ok: false, reason: 'stale timestamp' };
  }
  const sent = signatures
    .split(' ')
    .filter((entry) => entry.startsWith(`${VERSION},`))
    .map((entry) => Buffer.from(entry.slice(VERSION.length + 1)));
  for (const secret of options.secrets) {
    const expected = Buffer.from(signDelivery(secret, id, timestamp, options.body).slice(VERSION.length + 1));
    if (sent.some((given) => given.length === expected.length && timingSafeEqual(given, expected))) {
      return { ok: true, id, timestamp };
    }
  }
  return { ok: false, reason: 'no matching signature' };
}
