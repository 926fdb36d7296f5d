/**
 * Standard Webhooks over real HTTP: a receiver on 127.0.0.1 that verifies every delivery as
 * docs/webhooks.md describes accepts reelqueue's deliveries and refuses replays; a secret rotation
 * keeps the old secret valid beside the new one for its overlap window.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, TINY_LESSON, type ApiHarness, type TestUser } from '../support/api-server.js';
import { StandardWebhooksReceiver, type Received } from '../support/standard-webhooks-receiver.js';
import { waitFor } from '../support/wait.js';

interface SecretAnswer {
  webhook_secret: string;
  previous_secret_expires_at: string | null;
  scheme: string;
  signature_headers: string[];
  legacy_webhook_secret: string;
}

const FAR_FUTURE = () => new Date(Date.now() + 3_600_000);

describe('Standard Webhooks signatures, verified by a real receiver', () => {
  let api: ApiHarness;
  let receiver: StandardWebhooksReceiver;

  beforeAll(async () => {
    receiver = new StandardWebhooksReceiver([]);
    await receiver.start();
    // The receiver is on 127.0.0.1: allow private addresses for this suite.
    api = await startApi({
      RETRY_DELAYS: '0.1',
      RETRY_JITTER: 0,
      POLL_INTERVAL_MS: 50,
      WEBHOOK_ALLOW_PRIVATE: 'true',
    });
  });
  afterAll(async () => {
    await api?.close();
    await receiver?.close();
  });

  const json = async <T>(response: Response): Promise<T> => (await response.json()) as T;
  const secretOf = async (user: TestUser) =>
    json<SecretAnswer>(await api.call(user, 'GET', '/api/users/me/webhook-secret'));

  /** Ends a pending job of `user` by cancelling it: its webhook goes to `path`. */
  async function deliverTo(user: TestUser, path: string): Promise<{ jobId: string; request: Received }> {
    const { job } = await api.app.enqueue({
      kind: 'presentation',
      payload: { ...TINY_LESSON, webhook_url: receiver.url(path) },
      userId: user.id,
      runAt: FAR_FUTURE(),
    });
    expect((await api.call(user, 'POST', `/api/presentations/jobs/${job.id}/cancel`)).status).toBe(200);
    const request = await waitFor(() => receiver.at(path)[0], { what: `the delivery to ${path}` });
    return { jobId: job.id, request };
  }

  /** What an attacker who captured a delivery does: send it again, byte for byte. */
  async function replay(request: Received, changes: Record<string, string> = {}): Promise<number> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      headers[name] = String(request.headers[name]);
    }
    const response = await fetch(receiver.url(request.path), {
      method: 'POST',
      headers: { ...headers, ...changes },
      body: request.body,
    });
    await response.text();
    return response.status;
  }

  it('signs id, timestamp and body with the owner’s secret; the event type and time are in the signed body', async () => {
    const alice = await api.createUser();
    const secret = await secretOf(alice);
    expect(secret).toMatchObject({
      scheme: 'standard-webhooks-v1',
      signature_headers: ['webhook-id', 'webhook-timestamp', 'webhook-signature'],
      previous_secret_expires_at: null,
    });
    expect(secret.webhook_secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    receiver.secrets = [secret.webhook_secret];

    const { jobId, request } = await deliverTo(alice, '/signed');
    expect(request.verdict).toEqual({ status: 200, outcome: 'processed' });
    const stamp = Number(request.headers['webhook-timestamp']);
    expect(Math.abs(stamp - Date.now() / 1000)).toBeLessThan(60);
    expect(JSON.parse(request.body)).toMatchObject({
      type: 'job.cancelled',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown,
      id: jobId,
      status: 'cancelled',
    });
    // The id is the delivery's, as the deliveries list shows it.
    const listed = await waitFor(async () => {
      const answer = await json<{ deliveries: { delivery_id: string }[] }>(
        await api.call(alice, 'GET', `/api/presentations/jobs/${jobId}/webhooks`),
      );
      return answer.deliveries[0];
    });
    expect(request.headers['webhook-id']).toBe(listed.delivery_id);

    // The legacy headers are still sent for one release, keyed with the old spelling of the secret.
    const legacy = createHmac('sha256', secret.legacy_webhook_secret).update(request.body).digest('hex');
    expect(request.headers['x-reelqueue-signature']).toBe(`sha256=${legacy}`);
    expect(request.headers['x-reelqueue-event']).toBe('job.cancelled');
    expect(request.headers['x-reelqueue-delivery']).toBe(request.headers['webhook-id']);
  });

  it('a captured delivery replayed later is refused: its timestamp is stale, and a fresh one breaks the signature', async () => {
    const alice = await api.createUser();
    receiver.secrets = [(await secretOf(alice)).webhook_secret];
    const { request } = await deliverTo(alice, '/replayed');
    expect(request.verdict.outcome).toBe('processed');

    // Replayed at once: the signature holds, and the id says it was processed already.
    expect(await replay(request)).toBe(200);
    expect(receiver.at('/replayed')[1]?.verdict.outcome).toBe('duplicate');

    // Replayed six minutes later (the receiver's clock moved on): outside the tolerance.
    receiver.clockOffsetMs = 6 * 60_000;
    try {
      expect(await replay(request)).toBe(400);
      expect(receiver.at('/replayed')[2]?.verdict.outcome).toBe('stale timestamp');
      // The attacker puts a fresh timestamp on it: the signature covers the timestamp.
      const fresh = String(Math.floor((Date.now() + receiver.clockOffsetMs) / 1000));
      expect(await replay(request, { 'webhook-timestamp': fresh })).toBe(401);
      expect(receiver.at('/replayed')[3]?.verdict.outcome).toBe('bad signature');
      // Or another id, to pass the idempotency check: the signature covers the id too.
      receiver.clockOffsetMs = 0;
      expect(await replay(request, { 'webhook-id': 'another-id' })).toBe(401);
    } finally {
      receiver.clockOffsetMs = 0;
    }
  });

  it('keeps one webhook-id across retries, each attempt signed with its own timestamp', async () => {
    const alice = await api.createUser();
    const secret = (await secretOf(alice)).webhook_secret;
    receiver.secrets = ['whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='];
    const { request: first } = await deliverTo(alice, '/retried');
    expect(first.verdict.outcome).toBe('bad signature');
    // The receiver is given the right secret: the retry lands.
    receiver.secrets = [secret];
    const accepted = await waitFor(
      () => receiver.at('/retried').find((r) => r.verdict.outcome === 'processed'),
      { what: 'the retried delivery' },
    );
    expect(accepted.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect(Number(accepted.headers['webhook-timestamp'])).toBeGreaterThanOrEqual(
      Number(first.headers['webhook-timestamp']),
    );
  });
});

describe('rotating a webhook secret', () => {
  let api: ApiHarness;
  let receiver: StandardWebhooksReceiver;

  beforeAll(async () => {
    receiver = new StandardWebhooksReceiver([]);
    await receiver.start();
    api = await startApi({ POLL_INTERVAL_MS: 50, WEBHOOK_ALLOW_PRIVATE: 'true' });
  });
  afterAll(async () => {
    await api?.close();
    await receiver?.close();
  });

  const json = async <T>(response: Response): Promise<T> => (await response.json()) as T;
  const secretOf = async (user: TestUser) =>
    json<SecretAnswer>(await api.call(user, 'GET', '/api/users/me/webhook-secret'));
  const rotate = (user: TestUser, body?: unknown) =>
    api.call(user, 'POST', '/api/users/me/webhook-secret/rotate', body);

  async function deliverTo(user: TestUser, path: string): Promise<Received> {
    const { job } = await api.app.enqueue({
      kind: 'presentation',
      payload: { ...TINY_LESSON, webhook_url: receiver.url(path) },
      userId: user.id,
      runAt: FAR_FUTURE(),
    });
    expect((await api.call(user, 'POST', `/api/presentations/jobs/${job.id}/cancel`)).status).toBe(200);
    return waitFor(() => receiver.at(path)[0], { what: `the delivery to ${path}` });
  }

  it('answers the new secret once; both secrets sign deliveries until the overlap ends', async () => {
    const alice = await api.createUser();
    const bob = await api.createUser();
    const old = (await secretOf(alice)).webhook_secret;
    const bobsBefore = await secretOf(bob);

    const answer = await rotate(alice, { overlap_seconds: 3600 });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const rotated = await json<SecretAnswer>(answer);
    expect(rotated.webhook_secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(rotated.webhook_secret).not.toBe(old);
    const until = Date.parse(rotated.previous_secret_expires_at ?? '');
    expect(Math.abs(until - (Date.now() + 3_600_000))).toBeLessThan(60_000);
    expect(await secretOf(alice)).toEqual(rotated);
    expect(await secretOf(bob)).toEqual(bobsBefore);

    // A receiver still on the old secret, and one already on the new one, both accept.
    const delivered = await deliverTo(alice, '/overlap');
    expect(String(delivered.headers['webhook-signature']).split(' ')).toHaveLength(2);
    for (const secrets of [[old], [rotated.webhook_secret]]) {
      receiver.secrets = secrets;
      const again = await fetch(receiver.url('/overlap-check'), {
        method: 'POST',
        headers: {
          'webhook-id': `${String(delivered.headers['webhook-id'])}`,
          'webhook-timestamp': String(delivered.headers['webhook-timestamp']),
          'webhook-signature': String(delivered.headers['webhook-signature']),
        },
        body: delivered.body,
      });
      await again.text();
      expect(again.status, secrets[0] === old ? 'old secret' : 'new secret').toBe(200);
    }
  });

  it('refuses a second rotation inside the window (409, nothing changes); overlap 0 retires the old secret', async () => {
    const alice = await api.createUser();
    const first = await json<SecretAnswer>(await rotate(alice));
    // The default overlap is a day.
    expect(
      Math.abs(Date.parse(first.previous_secret_expires_at ?? '') - (Date.now() + 86_400_000)),
    ).toBeLessThan(60_000);
    const again = await rotate(alice, { overlap_seconds: 60 });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe(
      'WEBHOOK_ROTATION_IN_PROGRESS',
    );
    expect(await secretOf(alice)).toEqual(first);

    const now = await json<SecretAnswer>(await rotate(alice, { overlap_seconds: 0 }));
    expect(now.previous_secret_expires_at).toBeNull();
    receiver.secrets = [first.webhook_secret];
    const delivered = await deliverTo(alice, '/retired');
    expect(String(delivered.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(delivered.verdict.outcome).toBe('bad signature');
  });

  it('refuses an overlap that is not a whole number of seconds from 0 to a week, changing nothing', async () => {
    const alice = await api.createUser();
    const before = await secretOf(alice);
    for (const body of [
      { overlap_seconds: -1 },
      { overlap_seconds: 604_801 },
      { overlap_seconds: 1.5 },
      { overlap_seconds: '60' },
      { overlap_seconds: null },
      { overlap: 60 },
      [],
    ]) {
      const response = await rotate(alice, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      const error = ((await response.json()) as { error: { code: string; message: string } }).error;
      expect(error.code).toBe('VALIDATION_FAILED');
    }
    expect(await secretOf(alice)).toEqual(before);
    expect((await api.call(null, 'POST', '/api/users/me/webhook-secret/rotate')).status).toBe(401);
  });
});
