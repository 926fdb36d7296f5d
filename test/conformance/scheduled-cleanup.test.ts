/**
 * Scheduled cleanup and video retention: three nodes (three handles on one database, as three
 * processes) tick at once and exactly one runs the cleanup per interval; video retention deletes
 * the videos of old completed jobs while their job rows stay and say the video expired.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CleanupScheduler, type CleanupRun } from '../../src/jobs/cleanup-scheduler.js';
import { ALL_JOBS, type JobStore } from '../../src/jobs/store.js';
import { silentLogger } from '../../src/logger.js';
import { setFinishedHoursAgo } from '../support/db-fixtures.js';
import { RecordingLogger } from '../support/recording-logger.js';
import { waitFor } from '../support/wait.js';
import { mustGet, useConformanceDatabase } from '../support/conformance.js';
import type { TestDatabase } from '../support/test-database.js';

const schedulerOn = (store: JobStore, node: string, more: { videoRetentionHours?: number } = {}) =>
  new CleanupScheduler(store, {
    intervalMinutes: 60,
    maxAgeHours: 24,
    statuses: [],
    videoRetentionHours: more.videoRetentionHours ?? 0,
    node,
    logger: silentLogger(),
  });

/** The interval has passed: the last run is moved two hours back on the database clock. */
async function ageLastRun(t: TestDatabase): Promise<void> {
  await t.sql({
    sqlite: 'UPDATE maintenance_runs SET last_run_at = last_run_at - 7200000',
    postgres: "UPDATE maintenance_runs SET last_run_at = last_run_at - interval '2 hours'",
  });
}

const ran = (runs: (CleanupRun | null)[]) => runs.filter((run): run is CleanupRun => run !== null);

describe('scheduled cleanup', () => {
  const ctx = useConformanceDatabase();

  it('runs on exactly one of three nodes per interval', async () => {
    const { t, jobs } = ctx();
    const nodes = await Promise.all(
      ['a', 'b', 'c'].map(async (name) => schedulerOn((await t.reopen()).jobs, `node-${name}`)),
    );
    const old = await jobs.failed();
    await setFinishedHoursAgo(t, old.id, 48);

    const first = ran(await Promise.all(nodes.map((node) => node.tick())));
    expect(first).toHaveLength(1);
    expect(first[0]?.deletedJobs).toBe(1);
    // Within the interval: nobody runs it again.
    expect(ran(await Promise.all(nodes.map((node) => node.tick())))).toHaveLength(0);

    for (let interval = 0; interval < 3; interval++) {
      await ageLastRun(t);
      const runs = ran(await Promise.all([...nodes, ...nodes].map((node) => node.tick())));
      expect(runs).toHaveLength(1);
    }
    const [row] = await t.sql<{ node: string }>({
      sqlite: 'SELECT node FROM maintenance_runs',
      postgres: 'SELECT node FROM maintenance_runs',
    });
    expect(['node-a', 'node-b', 'node-c']).toContain(row?.node);
  });

  it('three started nodes run it once per interval between them', async () => {
    const { t } = ctx();
    const log = new RecordingLogger();
    const intervalMs = 600;
    const nodes = await Promise.all(
      ['a', 'b', 'c'].map(
        async (name) =>
          new CleanupScheduler((await t.reopen()).jobs, {
            intervalMinutes: intervalMs / 60_000,
            maxAgeHours: 24,
            statuses: [],
            videoRetentionHours: 0,
            node: `node-${name}`,
            logger: log.logger,
          }),
      ),
    );
    const runs = () => log.matching({ msg: 'scheduled cleanup ran' });
    const started = Date.now();
    for (const node of nodes) node.start();
    try {
      await waitFor(() => runs().length >= 4, { timeoutMs: 20_000, what: 'four scheduled runs' });
    } finally {
      await Promise.all(nodes.map((node) => node.stop()));
    }
    const elapsed = Date.now() - started;
    const times = runs().map((run) => Number(run.time));
    // Never two runs within one interval (a little slack for the two clocks), whichever node ran it.
    for (let i = 1; i < times.length; i++)
      expect(times[i]! - times[i - 1]!).toBeGreaterThan(intervalMs * 0.9);
    expect(times.length).toBeLessThanOrEqual(Math.floor(elapsed / (intervalMs * 0.9)) + 1);
    expect(log.matching({ msg: 'scheduled cleanup failed; will try again' })).toEqual([]);
  });

  it('keeps completed videos when CLEANUP_STATUSES names failed only', async () => {
    const { t, store, jobs } = ctx();
    const failed = await jobs.failed();
    const completed = await jobs.completed();
    for (const job of [failed, completed]) await setFinishedHoursAgo(t, job.id, 48);
    const scheduler = new CleanupScheduler(store, {
      intervalMinutes: 60,
      maxAgeHours: 24,
      statuses: ['failed'],
      videoRetentionHours: 0,
      node: 'n',
      logger: silentLogger(),
    });
    expect(await scheduler.tick()).toMatchObject({ deletedJobs: 1 });
    expect(await store.get(failed.id, ALL_JOBS)).toBeNull();
    expect((await mustGet(store, completed.id)).status).toBe('completed');
  });
});

describe('video retention', () => {
  const ctx = useConformanceDatabase();

  it('deletes the video, thumbnail and captions of old completed jobs; the job stays and says its video expired', async () => {
    const { t, store, jobs } = ctx();
    const contentTypes: Record<string, string> = {
      video: 'video/mp4',
      thumbnail: 'image/png',
      captions: 'text/vtt; charset=utf-8',
    };
    const withVideo = async () => {
      const running = await jobs.running();
      for (const kind of ['video', 'thumbnail', 'captions']) {
        await t.db.artifacts.write({
          lease: running.lease,
          kind,
          contentType: contentTypes[kind] as string,
          source: Readable.from([Buffer.from(`${kind} bytes`)]),
        });
      }
      return store.complete(running.lease, { presentation_id: running.job.id });
    };
    const old = await withVideo();
    const recent = await withVideo();
    await setFinishedHoursAgo(t, old.id, 100);
    await setFinishedHoursAgo(t, recent.id, 2);

    // Job retention 24 h would delete `old` itself: use a long one, so only the video goes.
    const scheduler = new CleanupScheduler(store, {
      intervalMinutes: 60,
      maxAgeHours: 24 * 365,
      statuses: [],
      videoRetentionHours: 72,
      node: 'n',
      logger: silentLogger(),
    });
    expect(await scheduler.tick()).toMatchObject({ deletedJobs: 0, expiredVideos: 1 });

    const kept = await mustGet(store, old.id);
    expect(kept.status).toBe('completed');
    expect(kept.result).toMatchObject({ presentation_id: old.id, video_expired: true });
    expect(typeof kept.result?.video_expired_at).toBe('string');
    expect(await t.db.artifacts.find(old.id, 'video')).toBeNull();
    expect(await t.db.artifacts.find(old.id, 'thumbnail')).toBeNull();
    expect(await t.db.artifacts.find(old.id, 'captions')).toBeNull();
    expect(await t.db.artifacts.find(recent.id, 'video')).not.toBeNull();
    expect(await t.db.artifacts.find(recent.id, 'captions')).not.toBeNull();
    expect((await mustGet(store, recent.id)).result).toEqual({ presentation_id: recent.id });
    // Nothing left to expire: a second pass changes nothing.
    expect(await store.expireVideos(72)).toBe(0);
  });
});
