/**
 * Job status reads cached in Redis (REDIS_URL), with two app instances sharing one database and one
 * Redis as two nodes would: a read on one node that starts after a write on the other returned never
 * sees the job as it was before that write, whatever reads race with the write; with Redis away,
 * reads and writes carry on against the database.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createReelqueue, type Reelqueue } from '../../src/app.js';
import { CachingJobStore } from '../../src/cache/caching-job-store.js';
import { RedisStatusCache } from '../../src/cache/redis-status-cache.js';
import type { Config } from '../../src/config.js';
import { leaseOf, type Lease } from '../../src/jobs/model.js';
import { ALL_JOBS, type JobStore, type PositionedJob } from '../../src/jobs/store.js';
import { silentLogger } from '../../src/logger.js';
import { exportLines, importLines } from '../../src/jobs/transfer.js';
import { noopKind } from '../../src/jobs/builtin-kinds.js';
import { KindRegistry } from '../../src/jobs/kinds.js';
import { resolveNewJob } from '../../src/jobs/new-job.js';
import { setCreatedHoursAgo } from '../support/db-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { ThrowawayRedis } from '../support/throwaway-redis.js';
import { waitFor } from '../support/wait.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('job status reads cached in Redis (REDIS_URL)', () => {
  let t: TestDatabase | undefined;
  let redis: ThrowawayRedis | undefined;
  const apps: Reelqueue[] = [];

  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
    await redis?.stopServer();
    redis = undefined;
    await t?.cleanup();
    t = undefined;
  });

  const nodeOn = async (config: Config) => {
    const app = await createReelqueue(config, { logger: silentLogger() });
    apps.push(app);
    return app;
  };

  /** Two nodes on one database and one Redis: `writer` writes, `reader` reads. */
  const twoNodes = async (redisUrl = REDIS_URL) => {
    t = await createTestDatabase();
    const config = { ...t.config, redisUrl };
    return { writer: await nodeOn(config), reader: await nodeOn(config) };
  };

  /** The database's answer, read past any cache. */
  const truth = (node: Reelqueue, id: string) => node.database.jobs.getWithPosition(id, ALL_JOBS);

  const claimOne = async (node: Reelqueue): Promise<Lease> => {
    const [claimed] = await node.jobs.claim({ workerId: 'w', kinds: ['noop'], limit: 1, leaseSeconds: 30 });
    return leaseOf(claimed!);
  };

  it('serves a read from Redis: a change made behind the store’s back is not seen until a write', async () => {
    const { writer, reader } = await twoNodes();
    const { job } = await writer.enqueue({ kind: 'noop' });
    const first = await reader.jobs.get(job.id, ALL_JOBS);
    expect(first?.createdAt).toEqual(job.createdAt);

    await setCreatedHoursAgo(t!, job.id, 5); // SQL of no store: nothing invalidates
    expect((await reader.jobs.get(job.id, ALL_JOBS))?.createdAt).toEqual(job.createdAt);
    expect((await truth(reader, job.id))?.job.createdAt).not.toEqual(job.createdAt);

    await writer.jobs.cancel(job.id, 'enough', ALL_JOBS);
    const after = await reader.jobs.get(job.id, ALL_JOBS);
    expect(after?.status).toBe('cancelled');
    expect(after?.createdAt).toEqual((await truth(reader, job.id))?.job.createdAt);
  });

  it('never serves a read that started after a write on another node with the job as it was before', async () => {
    const { writer, reader } = await twoNodes();
    const first = (await writer.enqueue({ kind: 'noop' })).job;
    const second = (await writer.enqueue({ kind: 'noop' })).job;
    const ids = [first.id, second.id];

    // Readers that never stop, so that fills race every write.
    let writing = true;
    const hammers = Array.from({ length: 4 }, async () => {
      while (writing) for (const id of ids) await reader.jobs.getWithPosition(id, ALL_JOBS);
    });
    const mismatches: string[] = [];
    const expectFresh = async (after: string) => {
      for (const id of ids) {
        const [read, actual] = [await reader.jobs.getWithPosition(id, ALL_JOBS), await truth(writer, id)];
        if (JSON.stringify(read) !== JSON.stringify(actual)) {
          mismatches.push(`${after}: ${JSON.stringify(summary(read))} ≠ ${JSON.stringify(summary(actual))}`);
        }
      }
    };

    try {
      await expectFresh('enqueue');
      for (let round = 0; round < 5; round++) {
        const lease = await claimOne(writer);
        await expectFresh('claim');
        for (let progress = 10; progress <= 90; progress += 20) {
          await writer.jobs.reportProgress(lease, { progress, stage: 'video', message: `${progress}` });
          await expectFresh(`progress ${progress}`);
        }
        await writer.jobs.heartbeat([lease], 30);
        await expectFresh('heartbeat');
        if (round % 2 === 0) await writer.jobs.fail(lease, failure);
        else await writer.jobs.markCancelled(lease, 'stop');
        await expectFresh('finish');
        await writer.jobs.retry(lease.jobId, { force: true }, ALL_JOBS);
        await expectFresh('retry');
      }
      await writer.jobs.complete(await claimOne(writer), { done: true });
      await expectFresh('complete');
      await writer.jobs.cancel(first.id, null, ALL_JOBS);
      await expectFresh('cancel');
      await writer.jobs.deleteJob(first.id, ALL_JOBS);
      await expectFresh('delete');
      expect(await reader.jobs.get(first.id, ALL_JOBS)).toBeNull();
    } finally {
      writing = false;
      await Promise.all(hammers);
    }
    expect(mismatches).toEqual([]);
  });

  it('a schedule’s tick queued on one node moves the position another node has cached', async () => {
    const { writer, reader } = await twoNodes();
    const { job } = await writer.enqueue({ kind: 'noop' });
    expect((await reader.jobs.getWithPosition(job.id, ALL_JOBS))?.queuePosition).toBe(0);

    await writer.schedules.create({
      name: 'urgent-tick',
      cron: '* * * * * *',
      kind: 'noop',
      priority: 'urgent',
    });
    const { fired } = await writer.createScheduler('writer').runDue(new Date(Date.now() + 2000));
    expect(fired.length).toBeGreaterThan(0);

    const read = await reader.jobs.getWithPosition(job.id, ALL_JOBS);
    expect(read?.queuePosition).toBe(fired.length);
    expect(read).toEqual(await truth(writer, job.id));
  });

  it('a read that fetched the job before a write and fills the cache after it leaves nothing stale', async () => {
    const { writer, reader } = await twoNodes();
    await writer.enqueue({ kind: 'noop' });
    const lease = await claimOne(writer);
    // The reader's database answer is held until the write has committed and invalidated: the worst
    // interleaving, which a busy node meets by chance.
    const held = holdingReads(reader.database.jobs);
    const slowReader = new CachingJobStore(
      held.store,
      new RedisStatusCache(reader.redis!, 30, silentLogger()),
    );

    const staleRead = slowReader.getWithPosition(lease.jobId, ALL_JOBS);
    await held.fetched; // read from the database: progress 0
    await writer.jobs.reportProgress(lease, { progress: 50, stage: 'video', message: 'half' });
    held.release();
    expect((await staleRead)?.job.progress).toBe(0); // it started before the write: allowed

    // Its fill lands after the write, tagged with the generation the write replaced.
    const entryKey = `${reader.redis!.namespace}:status:${lease.jobId}`;
    await waitFor(async () => (await reader.redis!.commands.exists(entryKey)) === 1, {
      what: 'the late fill to reach Redis',
    });
    expect((await slowReader.getWithPosition(lease.jobId, ALL_JOBS))?.job.progress).toBe(50);
    expect((await reader.jobs.getWithPosition(lease.jobId, ALL_JOBS))?.job.progress).toBe(50);
  });

  it('a parent’s completion, failure and retry on one node reach its children cached on another', async () => {
    const { writer, reader } = await twoNodes();
    const parent = (await writer.enqueue({ kind: 'noop' })).job;
    const child = (await writer.enqueue({ kind: 'noop', dependsOn: [parent.id] })).job;
    const grandchild = (await writer.enqueue({ kind: 'noop', dependsOn: [child.id] })).job;
    expect((await reader.jobs.get(child.id, ALL_JOBS))?.status).toBe('waiting');
    expect((await reader.jobs.get(grandchild.id, ALL_JOBS))?.status).toBe('waiting');

    // The parent fails: its trigger fails the child and the grandchild, which the write never names.
    const lease = await claimOne(writer);
    expect(lease.jobId).toBe(parent.id);
    await writer.jobs.fail(lease, {
      code: 'HANDLER_FAILED',
      message: 'no',
      details: null,
      terminalStatus: 'failed',
      retryAfterSeconds: null,
    });
    expect((await reader.jobs.get(child.id, ALL_JOBS))?.errorCode).toBe('PARENT_FAILED');
    expect((await reader.jobs.get(grandchild.id, ALL_JOBS))?.status).toBe('failed');

    // A retry of the parent revives both.
    await writer.jobs.retry(parent.id, { force: true }, ALL_JOBS);
    expect((await reader.jobs.get(grandchild.id, ALL_JOBS))?.status).toBe('waiting');

    // Its completion readies the child.
    await writer.jobs.complete(await claimOne(writer), {});
    expect((await reader.jobs.get(child.id, ALL_JOBS))?.status).toBe('pending');
    expect((await truth(reader, child.id))?.job.status).toBe('pending');
  });

  it('a pending job’s queue position moves with other jobs’ writes', async () => {
    const { writer, reader } = await twoNodes();
    await writer.enqueue({ kind: 'noop' });
    const { job } = await writer.enqueue({ kind: 'noop' });
    expect((await reader.jobs.getWithPosition(job.id, ALL_JOBS))?.queuePosition).toBe(1);
    expect((await reader.jobs.getWithPosition(job.id, ALL_JOBS))?.queuePosition).toBe(1);
    await claimOne(writer); // the job ahead of it
    expect((await reader.jobs.getWithPosition(job.id, ALL_JOBS))?.queuePosition).toBe(0);
    await writer.enqueue({ kind: 'noop', priority: 'urgent' });
    expect((await reader.jobs.getWithPosition(job.id, ALL_JOBS))?.queuePosition).toBe(1);
  });

  it('an import on one node moves cached queue positions and shows the imported jobs on another node', async () => {
    const { writer, reader } = await twoNodes();
    const { job } = await writer.enqueue({ kind: 'noop' });
    expect((await reader.jobs.getWithPosition(job.id, ALL_JOBS))?.queuePosition).toBe(0);
    const source = await createTestDatabase();
    try {
      const [moved] = await source.db.jobs.enqueueMany([
        resolveNewJob({ kind: 'noop', priority: 'urgent' }, new KindRegistry([noopKind]), {
          jobTimeoutSeconds: 60,
          maxRetries: 0,
        }),
      ]);
      const movedId = moved!.job.id;
      expect(await reader.jobs.get(movedId, ALL_JOBS)).toBeNull();
      const lines: string[] = [];
      for await (const line of exportLines(source.db.jobs, {})) lines.push(line);
      await importLines(writer.jobs, () => lines, { onConflict: 'fail' });
      expect((await reader.jobs.getWithPosition(job.id, ALL_JOBS))?.queuePosition).toBe(1);
      expect(await reader.jobs.getWithPosition(movedId, ALL_JOBS)).toEqual(await truth(writer, movedId));
    } finally {
      await source.cleanup();
    }
  });

  it('a priority change on one node moves the changed job and the one it passed in another node’s cache', async () => {
    const { writer, reader } = await twoNodes();
    const { job: ahead } = await writer.enqueue({ kind: 'noop' });
    const { job: behind } = await writer.enqueue({ kind: 'noop' });
    expect((await reader.jobs.getWithPosition(ahead.id, ALL_JOBS))?.queuePosition).toBe(0);
    expect((await reader.jobs.getWithPosition(behind.id, ALL_JOBS))?.queuePosition).toBe(1);

    await writer.jobs.changePriority(behind.id, 'urgent', ALL_JOBS);
    const raised = await reader.jobs.getWithPosition(behind.id, ALL_JOBS);
    expect(raised).toMatchObject({ queuePosition: 0, job: { priority: 'urgent' } });
    expect(raised).toEqual(await truth(writer, behind.id));
    expect((await reader.jobs.getWithPosition(ahead.id, ALL_JOBS))?.queuePosition).toBe(1);
  });

  it('a claim or recovery that found nothing leaves pending jobs’ entries cached (workers poll with them)', async () => {
    const { writer, reader } = await twoNodes();
    const { job } = await writer.enqueue({ kind: 'noop' });
    const first = await reader.jobs.getWithPosition(job.id, ALL_JOBS);
    await setCreatedHoursAgo(t!, job.id, 5); // SQL of no store: seen only once the entry is dropped
    expect(await writer.jobs.claim({ workerId: 'w', kinds: ['other'], limit: 5, leaseSeconds: 30 })).toEqual(
      [],
    );
    await writer.jobs.recoverExpiredLeases();
    expect((await reader.jobs.getWithPosition(job.id, ALL_JOBS))?.job.createdAt).toEqual(
      first?.job.createdAt,
    );
  });

  it('a cleanup, which names no jobs, makes every cached job stale', async () => {
    const { writer, reader } = await twoNodes();
    const { job } = await writer.enqueue({ kind: 'noop' });
    await writer.jobs.cancel(job.id, null, ALL_JOBS);
    expect((await reader.jobs.get(job.id, ALL_JOBS))?.status).toBe('cancelled');
    await setCreatedHoursAgo(t!, job.id, 48);
    expect(await writer.jobs.cleanup(24, ALL_JOBS, { statuses: ['cancelled'], ageFrom: 'created' })).toBe(1);
    expect(await reader.jobs.get(job.id, ALL_JOBS)).toBeNull();
  });

  it('answers reads and takes writes from the database while Redis is away, cached again once back', async () => {
    redis = await ThrowawayRedis.start();
    const { writer, reader } = await twoNodes(redis.url);
    const { job } = await writer.enqueue({ kind: 'noop' });
    expect((await reader.jobs.get(job.id, ALL_JOBS))?.status).toBe('pending');

    await redis.stopServer();
    const lease = await claimOne(writer);
    expect((await reader.jobs.get(job.id, ALL_JOBS))?.status).toBe('running');
    await writer.jobs.reportProgress(lease, { progress: 40, stage: null, message: 'away' });
    expect((await reader.jobs.getWithPosition(job.id, ALL_JOBS))?.job.progress).toBe(40);

    await redis.startServer();
    await waitFor(
      () => reader.redis!.commands.status === 'ready' && writer.redis!.commands.status === 'ready',
      {
        what: 'both nodes to reconnect',
      },
    );
    await writer.jobs.complete(lease, { ok: true });
    expect((await reader.jobs.get(job.id, ALL_JOBS))?.status).toBe('completed');
    await waitFor(
      async () => (await reader.redis!.commands.keys(`${reader.redis!.namespace}:status:*`)).length > 0,
      {
        what: 'the read to be cached again',
      },
    );
    expect((await reader.jobs.get(job.id, ALL_JOBS))?.status).toBe('completed');
  });

  it('a write whose invalidation could not reach Redis is covered by a new epoch once it can', async () => {
    const { writer, reader } = await twoNodes();
    const { job } = await writer.enqueue({ kind: 'noop' });
    expect((await reader.jobs.get(job.id, ALL_JOBS))?.status).toBe('pending');

    writer.redis!.commands.disconnect(true); // the writer alone loses Redis, for a moment
    await claimOne(writer);
    // Until the writer is back, its own reads bypass Redis; the reader's are bounded by the TTL. The
    // wait below (15 s) is shorter than that TTL (STATUS_CACHE_SECONDS, 30 s): only the new epoch the
    // writer sets once reconnected can end it in time.
    expect((await writer.jobs.get(job.id, ALL_JOBS))?.status).toBe('running');
    await waitFor(async () => (await reader.jobs.get(job.id, ALL_JOBS))?.status === 'running', {
      what: 'the writer to renew the epoch once reconnected',
    });
  });
});

const failure = {
  code: 'BOOM',
  message: 'boom',
  details: null,
  terminalStatus: 'failed',
  retryAfterSeconds: null,
} as const;

function summary(found: PositionedJob | null) {
  if (!found) return null;
  const { status, progress, attempt, lastHeartbeat, updatedAt } = found.job;
  return { status, progress, attempt, lastHeartbeat, updatedAt, position: found.queuePosition };
}

/** The store, but each database read of a job waits for `release()` before answering. */
function holdingReads(store: JobStore) {
  let fetched!: () => void;
  let release!: () => void;
  const fetchedPromise = new Promise<void>((resolve) => (fetched = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const holding = new Proxy(store, {
    get(target, property) {
      if (property === 'getWithPosition') {
        return async (id: string, scope: Parameters<JobStore['getWithPosition']>[1]) => {
          const found = await target.getWithPosition(id, scope);
          fetched();
          await released;
          return found;
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store: holding, fetched: fetchedPromise, release };
}
