/**
 * Webhook deliveries are queued by the database itself: whatever path ends a job with a webhook_url
 * (a worker, a cancel, the reaper), a `webhook` job appears in the same transaction.
 */
import { describe, expect, it } from 'vitest';
import { KindRegistry } from '../../src/jobs/kinds.js';
import { isJobId, type Job, type JsonObject } from '../../src/jobs/model.js';
import { resolveNewJob } from '../../src/jobs/new-job.js';
import { ALL_JOBS, ownedBy, type JobStore } from '../../src/jobs/store.js';
import { webhookKind } from '../../src/webhooks/webhook-kind.js';
import { checkWebhookUrl, withWebhookUrl } from '../../src/webhooks/webhook-url.js';
import { signLegacyBody, verifyLegacySignature } from '../../src/webhooks/legacy-signature.js';
import { expireLease, setFinishedHoursAgo } from '../support/db-fixtures.js';
import {
  eventTypes,
  expectCode,
  expectRejectsWith,
  mustGet,
  thrownBy,
  useConformanceDatabase,
} from '../support/conformance.js';
import { stubKind } from '../support/job-factory.js';
import { DIALECT } from '../support/test-database.js';

const URL = 'https://hooks.example.com/reelqueue?token=abc';

async function deliveriesQueued(store: JobStore): Promise<Job[]> {
  const page = await store.list({ kinds: ['webhook'], includeFinished: true, limit: 100 }, ALL_JOBS);
  return page.jobs;
}

async function onlyDeliveryFor(store: JobStore, job: Job, status: string): Promise<Job> {
  const queued = (await deliveriesQueued(store)).filter((delivery) => delivery.payload.job_id === job.id);
  expect(queued).toHaveLength(1);
  const [delivery] = queued;
  if (!delivery) throw new Error('no delivery');
  expect(delivery).toMatchObject({
    kind: 'webhook',
    status: 'pending',
    userId: job.userId,
    priority: 'urgent',
    maxRetries: 5,
    retryCount: 0,
    payload: { job_id: job.id, url: URL, status },
  });
  expect(isJobId(delivery.id)).toBe(true);
  return delivery;
}

describe('webhook deliveries queued by the database', () => {
  const ctx = useConformanceDatabase();
  const withHook = (extra: JsonObject = {}) => ({
    payload: { webhook_url: URL, ...extra },
    userId: 'user-1',
  });

  it('queues one delivery when a job with a webhook_url completes, in the same transaction', async () => {
    const { store, jobs } = ctx();
    const done = await jobs.completed(withHook());
    const delivery = await onlyDeliveryFor(store, done, 'completed');
    expect(await eventTypes(store, delivery.id)).toEqual(['created']);
    const claimed = await store.claim({ workerId: 'w', kinds: ['webhook'], limit: 5, leaseSeconds: 30 });
    expect(claimed.map((job) => job.id)).toEqual([delivery.id]);
  });

  it('does not count the deliveries against the owner’s active-jobs limit', async () => {
    const { store, jobs } = ctx();
    const done = await jobs.completed(withHook());
    await onlyDeliveryFor(store, done, 'completed');
    const limit = { activeLimit: 1 };
    expect((await store.enqueue(jobs.resolve({ kind: 'noop', userId: 'user-1' }), limit)).created).toBe(true);
    await expectRejectsWith(
      store.enqueue(jobs.resolve({ kind: 'noop', userId: 'user-1' }), limit),
      'TOO_MANY_JOBS',
    );
  });

  it('queues one for a job that fails for good, and one for a job that times out', async () => {
    const { store, jobs } = ctx();
    const failed = await jobs.failed(withHook());
    await onlyDeliveryFor(store, failed, 'failed');
    const timedOut = await jobs.timedOut(withHook());
    await onlyDeliveryFor(store, timedOut, 'timeout');
  });

  it('queues one when a pending job is cancelled', async () => {
    const { store, jobs } = ctx();
    const cancelled = await jobs.cancelled(withHook());
    expect(cancelled.status).toBe('cancelled');
    await onlyDeliveryFor(store, cancelled, 'cancelled');
  });

  it('queues one when a running job stops after a cancel request', async () => {
    const { store, jobs } = ctx();
    const { job, lease } = await jobs.running(withHook());
    await store.cancel(job.id, 'stop', ALL_JOBS);
    expect(await deliveriesQueued(store)).toEqual([]);
    const cancelled = await store.markCancelled(lease, 'stop');
    await onlyDeliveryFor(store, cancelled, 'cancelled');
  });

  it('queues one when the reaper fails a job whose worker was lost too often', async () => {
    const { t, store, jobs } = ctx();
    const { job } = await jobs.running({ ...withHook(), maxRetries: 0 });
    await t.sql(
      {
        sqlite: 'UPDATE jobs SET lost_attempts = ? WHERE id = ?',
        postgres: 'UPDATE jobs SET lost_attempts = ? WHERE id = ?',
      },
      [t.config.maxLostAttempts, job.id],
    );
    await expireLease(t, job.id);
    const outcome = await store.recoverExpiredLeases();
    expect(outcome.failed).toEqual([job.id]);
    await onlyDeliveryFor(store, await mustGet(store, job.id), 'failed');
  });

  it('queues nothing for a retry that is scheduled, nor for a job without a webhook_url', async () => {
    const { store, jobs } = ctx();
    const { lease } = await jobs.running({ ...withHook(), maxRetries: 2 });
    const requeued = await store.fail(lease, {
      code: 'HANDLER_FAILED',
      message: 'try again',
      details: null,
      terminalStatus: 'failed',
      retryAfterSeconds: 0,
    });
    expect(requeued.status).toBe('pending');
    await jobs.completed({ payload: { other: 'field' }, userId: 'user-1' });
    await jobs.cancelled({ userId: 'user-1' });
    expect(await deliveriesQueued(store)).toEqual([]);
  });

  it('queues another delivery each time a retried job finishes again', async () => {
    const { store, jobs } = ctx();
    const failed = await jobs.failed({ ...withHook(), maxRetries: 0 });
    await store.retry(failed.id, { force: true }, ALL_JOBS);
    const [claimed] = await store.claim({ workerId: 'w', kinds: [failed.kind], limit: 1, leaseSeconds: 30 });
    if (!claimed) throw new Error('the retried job was not claimed');
    await store.complete({ jobId: claimed.id, attempt: claimed.attempt, workerId: 'w' }, {});
    const statuses = (await deliveriesQueued(store)).map((job) => job.payload.status).sort();
    expect(statuses).toEqual(['completed', 'failed']);
  });

  it.runIf(DIALECT === 'sqlite')('never blocks a status change on a payload that is not JSON', async () => {
    const { t, jobs } = ctx();
    const job = await jobs.pending({ userId: 'user-1' });
    const sql = (text: string) => ({ sqlite: text, postgres: text });
    await t.sql(sql("UPDATE jobs SET payload = 'not json' WHERE id = ?"), [job.id]);
    await t.sql(sql("UPDATE jobs SET status = 'cancelled' WHERE id = ?"), [job.id]);
    const rows = await t.sql<{ status: string }>(sql('SELECT status FROM jobs WHERE id = ?'), [job.id]);
    expect(rows).toEqual([{ status: 'cancelled' }]);
    expect(await t.sql(sql("SELECT id FROM jobs WHERE kind = 'webhook'"))).toEqual([]);
  });

  it('records delivery attempts and lists them only in the owner’s scope', async () => {
    const { t, store, jobs } = ctx();
    const done = await jobs.completed(withHook());
    const [delivery] = await deliveriesQueued(store);
    if (!delivery) throw new Error('no delivery');
    const first = await t.db.webhooks.recordDelivery({
      webhookJobId: delivery.id,
      jobId: done.id,
      attempt: 1,
      url: URL,
      event: 'job.completed',
      statusCode: 500,
      error: 'the receiver answered 500',
      durationMs: 12,
    });
    const second = await t.db.webhooks.recordDelivery({
      webhookJobId: delivery.id,
      jobId: done.id,
      attempt: 2,
      url: URL,
      event: 'job.completed',
      statusCode: null,
      error: 'no answer within the timeout',
      durationMs: 10_000,
    });
    expect(first).toMatchObject({ attempt: 1, statusCode: 500, webhookJobId: delivery.id, jobId: done.id });
    expect(first.at).toBeInstanceOf(Date);
    expect(await t.db.webhooks.listDeliveries(done.id, ownedBy('user-1'))).toEqual([first, second]);
    expect(await t.db.webhooks.listDeliveries(done.id, ALL_JOBS)).toEqual([first, second]);
    expect(await t.db.webhooks.listDeliveries(done.id, ownedBy('user-2'))).toEqual([]);
    expect(await t.db.webhooks.listDeliveries('not-a-uuid', ALL_JOBS)).toEqual([]);
    // Cleaning up the job takes its deliveries with it.
    await setFinishedHoursAgo(t, done.id, 2);
    expect(await store.cleanup(1, ownedBy('user-1'))).toBe(1);
    expect(await t.db.webhooks.listDeliveries(done.id, ALL_JOBS)).toEqual([]);
  });
});

describe('webhook jobs and URLs', () => {
  const kinds = new KindRegistry([
    withWebhookUrl(stubKind('presentation')),
    webhookKind({
      jobs: { get: async () => null, dependencies: async () => null },
      users: { getUser: async () => null },
      webhooks: { recordDelivery: async () => Promise.reject(new Error('unused')) },
      allowPrivateAddresses: false,
    }),
  ]);
  const resolve = (kind: string, payload: JsonObject) =>
    resolveNewJob({ kind, payload }, kinds, { jobTimeoutSeconds: 60, maxRetries: 2 });

  it('cannot be enqueued: only the database queues webhook jobs', () => {
    const error = thrownBy(() => resolve('webhook', { job_id: '00000000-0000-4000-8000-000000000000' }));
    expectCode(error, 'INVALID_PAYLOAD');
  });

  it('keeps a checked http(s) webhook_url through the kind’s payload parsing', () => {
    expect(
      resolve('presentation', { script: 'x', webhook_url: 'http://127.0.0.1:9/hook' }).payload,
    ).toMatchObject({
      webhook_url: 'http://127.0.0.1:9/hook',
    });
    for (const bad of [
      'ftp://example.com/x',
      'javascript:alert(1)',
      'not a url',
      'https://user:pw@example.com/',
      42,
      '',
    ]) {
      expectCode(
        thrownBy(() => resolve('presentation', { script: 'x', webhook_url: bad } as JsonObject)),
        'INVALID_PAYLOAD',
      );
    }
    expect(checkWebhookUrl('https://example.com/a?b=c')).toBe('https://example.com/a?b=c');
  });

  it('still signs the legacy header with HMAC-SHA256 of the raw body, keyed with the old spelling', () => {
    const body = '{"id":"x","status":"completed"}';
    const held = 'whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8'; // the base64url spelling
    const stored = 'whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8='; // the same key after 0020
    const header = signLegacyBody(stored, body);
    expect(header).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyLegacySignature(held, body, header)).toBe(true);
    expect(verifyLegacySignature(stored, body, header)).toBe(false);
    expect(verifyLegacySignature(held, `${body} `, header)).toBe(false);
    expect(verifyLegacySignature(held, body, undefined)).toBe(false);
  });
});
