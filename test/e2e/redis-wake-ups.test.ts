/**
 * Live progress across processes with REDIS_URL, on a real Redis: a write made through one app
 * instance wakes the event feed of another at once, long before its poll would; with Redis away,
 * every write still succeeds and the feed still delivers every event by polling.
 */
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { Writable } from 'node:stream';
import { JobEventFeeds } from '../../src/api/job-event-feeds.js';
import { createReelqueue, type Reelqueue } from '../../src/app.js';
import type { Config } from '../../src/config.js';
import { leaseOf } from '../../src/jobs/model.js';
import { silentLogger } from '../../src/logger.js';
import { RecordingSink } from '../support/recording-sink.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait.js';
import { FROM_THE_START } from '../../src/jobs/store.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** A port nothing listens on: Redis is away. */
const NO_REDIS_URL = 'redis://127.0.0.1:1';

describe('live progress wake-ups over Redis (REDIS_URL)', () => {
  let t: TestDatabase | undefined;
  const apps: Reelqueue[] = [];
  const feeds: JobEventFeeds[] = [];

  afterEach(async () => {
    for (const feed of feeds.splice(0)) feed.close();
    for (const app of apps.splice(0)) await app.close();
    await t?.cleanup();
    t = undefined;
  });

  const appOn = async (config: Config, logger = silentLogger()) => {
    const app = await createReelqueue(config, { logger });
    apps.push(app);
    return app;
  };

  it('brings another process’s events to a feed at once, long before its poll', async () => {
    t = await createTestDatabase();
    const withRedis = { ...t.config, redisUrl: REDIS_URL };
    const api = await appOn(withRedis);
    const worker = await appOn(withRedis);
    expect(api.signals).not.toBeNull();

    const job = (await worker.enqueue({ kind: 'noop' })).job;
    const [claimed] = await worker.jobs.claim({ workerId: 'w', kinds: ['noop'], limit: 1, leaseSeconds: 30 });
    expect(claimed?.id).toBe(job.id);
    const lease = leaseOf(claimed!);

    // A poll once a minute: whatever arrives within the test's few seconds came by announcement.
    const feed = new JobEventFeeds(api.jobs, { pollMs: 60_000, pageSize: 500 }, api.signals);
    feeds.push(feed);
    const sink = new RecordingSink();
    feed.follow(job.id, FROM_THE_START, sink);
    await waitFor(() => sink.received.some((e) => e.type === 'started'), { what: 'the events so far' });

    for (const progress of [25, 50, 75]) {
      await worker.jobs.reportProgress(lease, { progress, stage: 'speech', message: `at ${progress}` });
      await waitFor(() => sink.received.some((e) => e.progress === progress), {
        timeoutMs: 10_000,
        what: `progress ${progress} to be announced`,
      });
    }
    await worker.jobs.complete(lease, { ok: true });
    await waitFor(() => sink.isEnded, { timeoutMs: 10_000, what: 'the completion to end the stream' });
    expect(sink.error).toBeUndefined();
    const log = await api.jobs.listEvents(job.id, FROM_THE_START, 100);
    expect(sink.received.map((e) => e.id)).toEqual(log.map((e) => e.id));
  });

  it('with Redis away, writes succeed, the feed delivers every event by polling, and the outage is logged once', async () => {
    t = await createTestDatabase();
    const lines: string[] = [];
    const logger = pino(
      { level: 'warn' },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    );
    const app = await appOn({ ...t.config, redisUrl: NO_REDIS_URL }, logger);
    const feed = new JobEventFeeds(app.jobs, { pollMs: 50, pageSize: 500 }, app.signals);
    feeds.push(feed);

    const job = (await app.enqueue({ kind: 'noop' })).job;
    const sink = new RecordingSink();
    feed.follow(job.id, FROM_THE_START, sink);
    const [claimed] = await app.jobs.claim({ workerId: 'w', kinds: ['noop'], limit: 1, leaseSeconds: 30 });
    const lease = leaseOf(claimed!);
    for (const progress of [30, 60])
      await app.jobs.reportProgress(lease, { progress, stage: 'video', message: `at ${progress}` });
    await app.jobs.complete(lease, { ok: true });

    await waitFor(() => sink.isEnded, { what: 'the stream to end by polling' });
    expect(sink.error).toBeUndefined();
    const log = await app.jobs.listEvents(job.id, FROM_THE_START, 100);
    expect(log.map((e) => e.type)).toEqual(['created', 'started', 'progress', 'progress', 'completed']);
    expect(sink.received.map((e) => e.id)).toEqual(log.map((e) => e.id));
    // Each use of Redis logs its own fallback (status reads log theirs too): this one is live progress's.
    const outages = lines.filter(
      (line) => line.includes('Redis is unavailable') && line.includes('live progress falls back'),
    );
    expect(outages).toHaveLength(1);
  });
});
