/** Standard Webhooks signatures: what a delivery carries, and what a receiver accepts. */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { legacySecretSpelling } from '../../src/webhooks/legacy-signature.js';
import { signingSecrets } from '../../src/webhooks/secret-rotation.js';
import {
  secretKey,
  signDelivery,
  standardWebhookHeaders,
  verifyWebhook,
} from '../../src/webhooks/signature.js';

/** 32 bytes whose base64 has `+` and `/`, so the two spellings differ. */
const KEY = Buffer.alloc(32, 0xfb).fill(0x3e, 0, 1);
const SECRET = `whsec_${KEY.toString('base64')}`;
const OLD_SPELLING = `whsec_${KEY.toString('base64url')}`;
const OTHER = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const ID = '0193a5d2-7c1e-7000-8000-000000000001';
const BODY = '{"type":"job.completed","id":"x"}';
const AT = new Date('2026-12-07T12:00:00.750Z');
const SECONDS = 1_796_644_800; // AT in whole unix seconds

describe('Standard Webhooks signatures', () => {
  it('signs "<id>.<timestamp>.<body>" with the bytes of whsec_<base64>, as v1,<base64>', () => {
    const expected = createHmac('sha256', KEY).update(`${ID}.${SECONDS}.${BODY}`).digest('base64');
    expect(signDelivery(SECRET, ID, SECONDS, BODY)).toBe(`v1,${expected}`);
    expect(standardWebhookHeaders([SECRET], ID, BODY, AT)).toEqual({
      'webhook-id': ID,
      'webhook-timestamp': String(SECONDS),
      'webhook-signature': `v1,${expected}`,
    });
  });

  it('reads a secret spelled the old way (base64url) as the same key', () => {
    expect(secretKey(OLD_SPELLING)).toEqual(KEY);
    expect(signDelivery(OLD_SPELLING, ID, SECONDS, BODY)).toBe(signDelivery(SECRET, ID, SECONDS, BODY));
    expect(legacySecretSpelling(SECRET)).toBe(OLD_SPELLING);
  });

  it('sends one signature per valid secret, space-separated; each secret alone verifies', () => {
    const headers = standardWebhookHeaders([SECRET, OTHER], ID, BODY, AT);
    expect(headers['webhook-signature']?.split(' ')).toHaveLength(2);
    for (const secret of [SECRET, OTHER]) {
      expect(verifyWebhook({ secrets: [secret], headers, body: BODY, now: AT })).toEqual({
        ok: true,
        id: ID,
        timestamp: SECONDS,
      });
    }
  });

  it('refuses a replay outside the tolerance, a changed body, id or timestamp, and missing headers', () => {
    const headers = standardWebhookHeaders([SECRET], ID, BODY, AT);
    const verify = (changes: Partial<Parameters<typeof verifyWebhook>[0]>) =>
      verifyWebhook({ secrets: [SECRET], headers, body: BODY, now: AT, ...changes });
    const later = (seconds: number) => new Date(AT.getTime() + seconds * 1000);
    expect(verify({ now: later(300) }).ok).toBe(true);
    expect(verify({ now: later(301) })).toEqual({ ok: false, reason: 'stale timestamp' });
    expect(verify({ now: later(-301) })).toEqual({ ok: false, reason: 'stale timestamp' });
    expect(verify({ now: later(60), toleranceSeconds: 30 })).toEqual({
      ok: false,
      reason: 'stale timestamp',
    });
    expect(verify({ body: `${BODY} ` })).toEqual({ ok: false, reason: 'no matching signature' });
    expect(verify({ headers: { ...headers, 'webhook-id': `${ID}x` } }).ok).toBe(false);
    expect(verify({ headers: { ...headers, 'webhook-timestamp': String(SECONDS - 1) } }).ok).toBe(false);
    expect(verify({ headers: { ...headers, 'webhook-timestamp': '1e9' } })).toEqual({
      ok: false,
      reason: 'bad timestamp',
    });
    expect(verify({ secrets: [OTHER] })).toEqual({ ok: false, reason: 'no matching signature' });
    expect(verify({ headers: { ...headers, 'webhook-signature': undefined } })).toEqual({
      ok: false,
      reason: 'missing headers',
    });
    const v1a = `v1a,${headers['webhook-signature']?.slice(3) ?? ''}`;
    expect(verify({ headers: { ...headers, 'webhook-signature': v1a } }).ok).toBe(false);
  });
});

describe('signing secrets during a rotation', () => {
  const user = (expiresAt: Date | null) => ({
    webhookSecret: SECRET,
    previousWebhookSecret: expiresAt === null ? null : OTHER,
    previousWebhookSecretExpiresAt: expiresAt,
  });

  it('signs with the replaced secret too until its window ends, never after', () => {
    expect(signingSecrets(user(null), AT)).toEqual([SECRET]);
    expect(signingSecrets(user(new Date(AT.getTime() + 1)), AT)).toEqual([SECRET, OTHER]);
    expect(signingSecrets(user(AT), AT)).toEqual([SECRET]);
  });
});
