/**
 * Webhooks over real HTTP: a local receiver gets a signed POST when a job ends (completed, or
 * cancelled while pending), failed attempts are retried with backoff as durable work, and every
 * attempt is recorded.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isJobId } from '../../src/jobs/model.js';
import { ALL_JOBS } from '../../src/jobs/store.js';
import { postWebhook } from '../../src/webhooks/post-webhook.js';
import { startApi, TINY_LESSON, type ApiHarness, type TestUser } from '../support/api-server.js';
import { waitFor } from '../support/wait.js';

interface Received {
  path: string;
  method: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver on 127.0.0.1: answers each path with the statuses queued for it, then 200. */
class Receiver {
  readonly requests: Received[] = [];
  readonly #answers = new Map<string, number[]>();
  readonly #server: Server;
  readonly #hanging = new Set<() => void>();

  constructor() {
    this.#server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const path = request.url ?? '/';
        this.requests.push({
          path,
          method: request.method ?? '',
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        if (path.startsWith('/hang')) {
          this.#hanging.add(() => response.end());
          return;
        }
        const status = this.#answers.get(path)?.shift() ?? 200;
        response.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'nope');
      });
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
  }

  url(path: string): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}${path}`;
  }

  answer(path: string, ...statuses: number[]): void {
    this.#answers.set(path, statuses);
  }

  at(path: string): Received[] {
    return this.requests.filter((request) => request.path === path);
  }

  async close(): Promise<void> {
    for (const release of this.#hanging) release();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

interface WireDelivery {
  id: string;
  delivery_id: string;
  job_id: string;
  attempt: number;
  url: string;
  event: string;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  at: string;
}

const FAR_FUTURE = () => new Date(Date.now() + 3_600_000);

describe('webhooks', () => {
  let api: ApiHarness;
  let receiver: Receiver;
  let alice: TestUser;
  let bob: TestUser;
  let secret: string;

  beforeAll(async () => {
    receiver = new Receiver();
    await receiver.start();
    // The receiver is on 127.0.0.1: this suite allows private addresses (the next one does not).
    api = await startApi({
      RETRY_DELAYS: '0.1',
      RETRY_JITTER: 0,
      POLL_INTERVAL_MS: 50,
      WEBHOOK_ALLOW_PRIVATE: 'true',
    });
    alice = await api.createUser({ wallet: 'wallet-alice-webhooks' });
    bob = await api.createUser();
    const response = await api.call(alice, 'GET', '/api/users/me/webhook-secret');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    // The legacy X-Reelqueue-Signature, still sent for one release, is keyed with the secret as it
    // was spelled before (webhook-signatures.test.ts checks the Standard Webhooks signature).
    secret = ((await response.json()) as { legacy_webhook_secret: string }).legacy_webhook_secret;
  });
  afterAll(async () => {
    await api?.close();
    await receiver?.close();
  });

  const json = async <T>(response: Response): Promise<T> => (await response.json()) as T;
  const deliveries = async (user: TestUser, jobId: string) =>
    (
      await json<{ deliveries: WireDelivery[] }>(
        await api.call(user, 'GET', `/api/presentations/jobs/${jobId}/webhooks`),
      )
    ).deliveries;
  const hmac = (body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

  /** A presentation job of Alice's that stays pending (it may run only in an hour). */
  async function pendingJob(webhookUrl: string): Promise<string> {
    const { job } = await api.app.enqueue({
      kind: 'presentation',
      payload: { ...TINY_LESSON, webhook_url: webhookUrl },
      userId: alice.id,
      runAt: FAR_FUTURE(),
    });
    return job.id;
  }

  it('POSTs the finished job to its webhook_url, signed with the owner’s secret', async () => {
    const created = await api.call(alice, 'POST', '/api/presentations/generate', {
      ...TINY_LESSON,
      webhook_url: receiver.url('/done'),
    });
    expect(created.status).toBe(202);
    const job = await json<{ id: string }>(created);

    const [request] = await waitFor(() => (receiver.at('/done').length > 0 ? receiver.at('/done') : null), {
      timeoutMs: 60_000,
      what: 'the webhook',
    });
    if (!request) throw new Error('no request');
    expect(request.method).toBe('POST');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['x-reelqueue-event']).toBe('job.completed');
    expect(request.headers['x-reelqueue-signature']).toBe(hmac(request.body));
    const deliveryId = String(request.headers['x-reelqueue-delivery']);
    expect(isJobId(deliveryId)).toBe(true);

    // The body is the job as GET /api/presentations/jobs/{id} shows it, with the event's type and time.
    const sent = JSON.parse(request.body) as Record<string, unknown>;
    expect(sent).toMatchObject({
      id: job.id,
      status: 'completed',
      slide_count: 2,
      video_url: `/api/videos/${job.id}`,
      user_id: alice.id,
    });
    const shown = await json<Record<string, unknown>>(
      await api.call(alice, 'GET', `/api/presentations/jobs/${job.id}`),
    );
    expect(Object.keys(sent).sort()).toEqual([...Object.keys(shown), 'type', 'timestamp'].sort());
    expect(sent.type).toBe('job.completed');

    const recorded = await waitFor(async () => {
      const list = await deliveries(alice, job.id);
      return list.length > 0 ? list : null;
    });
    expect(recorded).toEqual([
      expect.objectContaining({
        delivery_id: deliveryId,
        job_id: job.id,
        attempt: 1,
        url: receiver.url('/done'),
        event: 'job.completed',
        status_code: 200,
        error: null,
      }),
    ]);
    // Another user cannot see that job's deliveries, nor learn that it exists.
    const foreign = await api.call(bob, 'GET', `/api/presentations/jobs/${job.id}/webhooks`);
    expect(foreign.status).toBe(404);
  });

  it('POSTs job.cancelled when a pending job is cancelled through the API', async () => {
    const jobId = await pendingJob(receiver.url('/cancelled'));
    const cancelled = await api.call(alice, 'POST', `/api/presentations/jobs/${jobId}/cancel`, {
      reason: 'not needed',
    });
    expect(cancelled.status).toBe(200);
    const [request] = await waitFor(
      () => (receiver.at('/cancelled').length > 0 ? receiver.at('/cancelled') : null),
      {
        what: 'the cancelled webhook',
      },
    );
    if (!request) throw new Error('no request');
    expect(request.headers['x-reelqueue-event']).toBe('job.cancelled');
    expect(request.headers['x-reelqueue-signature']).toBe(hmac(request.body));
    expect(JSON.parse(request.body)).toMatchObject({
      id: jobId,
      status: 'cancelled',
      cancel_reason: 'not needed',
    });
  });

  it('retries a delivery the receiver refuses: two 500s, then the third attempt lands, all recorded', async () => {
    receiver.answer('/flaky', 500, 500);
    const jobId = await pendingJob(receiver.url('/flaky'));
    expect((await api.call(alice, 'POST', `/api/presentations/jobs/${jobId}/cancel`)).status).toBe(200);

    const recorded = await waitFor(async () => {
      const list = await deliveries(alice, jobId);
      return list.length === 3 ? list : null;
    });
    expect(recorded.map((d) => [d.attempt, d.status_code])).toEqual([
      [1, 500],
      [2, 500],
      [3, 200],
    ]);
    expect(recorded.map((d) => d.error === null)).toEqual([false, false, true]);
    expect(recorded[0]?.error).toContain('500');

    const requests = receiver.at('/flaky');
    expect(requests).toHaveLength(3);
    const deliveryId = requests[0]?.headers['x-reelqueue-delivery'];
    for (const request of requests) {
      expect(request.headers['x-reelqueue-delivery']).toBe(deliveryId);
      expect(request.headers['x-reelqueue-signature']).toBe(hmac(request.body));
    }
    expect(recorded.every((d) => d.delivery_id === deliveryId)).toBe(true);

    // The delivery is a job of Alice's: completed after two retries. The attempt is recorded by the
    // handler, the completion by the worker after it returns, so wait for that write.
    const delivery = await waitFor(async () => {
      const job = await json<{ kind: string; status: string; retry_count: number }>(
        await api.call(alice, 'GET', `/api/presentations/jobs/${String(deliveryId)}`),
      );
      return job.status === 'running' ? null : job;
    });
    expect(delivery).toMatchObject({ kind: 'webhook', status: 'completed', retry_count: 2 });
  });

  it('gives up after the delivery’s five retries when nothing answers, recording each attempt', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/gone`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const jobId = await pendingJob(deadUrl);
    expect((await api.call(alice, 'POST', `/api/presentations/jobs/${jobId}/cancel`)).status).toBe(200);
    const recorded = await waitFor(async () => {
      const list = await deliveries(alice, jobId);
      return list.length === 6 ? list : null;
    });
    expect(recorded.map((d) => d.attempt)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(recorded.every((d) => d.status_code === null && d.error !== null)).toBe(true);
    const deliveryId = recorded[0]?.delivery_id ?? '';
    const delivery = await waitFor(async () => {
      const job = await json<{ status: string; error_code: string | null }>(
        await api.call(alice, 'GET', `/api/presentations/jobs/${deliveryId}`),
      );
      return job.status === 'failed' ? job : null;
    });
    expect(delivery.error_code).toBe('WEBHOOK_FAILED');
  });

  it('refuses a webhook_url that is not http(s), and nothing is queued', async () => {
    for (const url of ['ftp://example.com/hook', 'file:///etc/passwd', 'javascript:alert(1)']) {
      const response = await api.call(alice, 'POST', '/api/presentations/generate', {
        script: 'Never queued.',
        webhook_url: url,
      });
      expect(response.status, url).toBe(400);
    }
  });

  it('gives up on one attempt after its timeout, or at once when the job is stopped', async () => {
    const controller = new AbortController();
    const slow = await postWebhook({
      url: receiver.url('/hang-timeout'),
      body: '{}',
      headers: {},
      timeoutMs: 200,
      signal: controller.signal,
      allowPrivateAddresses: true,
    });
    expect(slow).toMatchObject({ statusCode: null, error: 'no answer within the timeout' });
    expect(slow.durationMs).toBeGreaterThanOrEqual(150);

    const stopped = postWebhook({
      url: receiver.url('/hang-stopped'),
      body: '{}',
      headers: {},
      timeoutMs: 60_000,
      signal: controller.signal,
      allowPrivateAddresses: true,
    });
    await waitFor(() => receiver.at('/hang-stopped').length > 0);
    controller.abort();
    expect((await stopped).error).toMatch(/stopped/);
  });
});

describe('webhooks to private and local addresses (refused by default)', () => {
  let api: ApiHarness;
  let receiver: Receiver;
  let alice: TestUser;

  beforeAll(async () => {
    receiver = new Receiver();
    await receiver.start();
    api = await startApi({ POLL_INTERVAL_MS: 50 });
    alice = await api.createUser();
  });
  afterAll(async () => {
    await api?.close();
    await receiver?.close();
  });

  it('records the refusal, sends nothing, and does not retry, for an IP literal or a name', async () => {
    const port = new URL(receiver.url('/')).port;
    for (const url of [
      receiver.url('/literal'),
      `http://localhost:${port}/name`,
      `http://[::1]:${port}/v6`,
      // IPv6 ranges that reach IPv4 loopback: mapped, IPv4-compatible, 6to4.
      `http://[::ffff:127.0.0.1]:${port}/mapped`,
      `http://[::127.0.0.1]:${port}/compatible`,
      `http://[2002:7f00:1::1]:${port}/6to4`,
    ]) {
      const { job } = await api.app.enqueue({
        kind: 'presentation',
        payload: { ...TINY_LESSON, webhook_url: url },
        userId: alice.id,
        runAt: FAR_FUTURE(),
      });
      const cancelled = await api.call(alice, 'POST', `/api/presentations/jobs/${job.id}/cancel`);
      expect(cancelled.status).toBe(200);
      const deliveries = await waitFor(
        async () => {
          const response = await api.call(alice, 'GET', `/api/presentations/jobs/${job.id}/webhooks`);
          const list = ((await response.json()) as { deliveries: WireDelivery[] }).deliveries;
          return list.length > 0 ? list : null;
        },
        { what: `the refused delivery to ${url}` },
      );
      expect(deliveries).toHaveLength(1);
      expect(deliveries[0]).toMatchObject({ url, status_code: null, attempt: 1 });
      expect(deliveries[0]?.error).toMatch(/private or local address; set WEBHOOK_ALLOW_PRIVATE=true/);
      // The delivery row is written while the webhook job runs; its completion lands just after.
      const webhookJob = await waitFor(
        async () => {
          const [found] = (await api.app.jobs.list({ limit: 50, kinds: ['webhook'] }, ALL_JOBS)).jobs.filter(
            (j) => j.payload.job_id === job.id,
          );
          return found && found.status !== 'pending' && found.status !== 'running' ? found : null;
        },
        { what: `the webhook job for ${url} to finish` },
      );
      expect(webhookJob).toMatchObject({ status: 'completed', result: { delivered: false } });
    }
    expect(receiver.requests).toEqual([]);
  });
});
