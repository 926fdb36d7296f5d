import { describe, expect, it } from 'vitest';
import { ALL_JOBS, ownedBy } from '../../src/jobs/store.js';
import type { TimeSeriesPoint } from '../../src/jobs/time-series.js';
import type { TestDatabase } from '../support/test-database.js';
import {
  dbNow,
  expectRejectsWith,
  setProcessingTimeSeconds,
  useConformanceDatabase,
} from '../support/conformance.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;

/** Puts a job's created, started and completed times at the given epoch milliseconds. */
async function setTimes(
  t: TestDatabase,
  jobId: string,
  created: number,
  started: number | null,
  completed: number | null,
): Promise<void> {
  const at = 'to_timestamp(?::double precision / 1000)';
  await t.sql(
    {
      sqlite: 'UPDATE jobs SET created_at = ?, started_at = ?, completed_at = ? WHERE id = ?',
      postgres: `UPDATE jobs SET created_at = ${at}, started_at = ${at}, completed_at = ${at} WHERE id = ?`,
    },
    [created, started, completed, jobId],
  );
}

/** The figures of each point, by how many buckets before the current one it starts. */
function byBucketsAgo(points: TimeSeriesPoint[], current: number, size: number) {
  return Object.fromEntries(
    points.map((point) => [
      (current - point.start.getTime()) / size,
      {
        created: point.created,
        completed: point.completed,
        failed: point.failed,
        queueDepth: point.queueDepth,
        timing: point.processingTimeSeconds,
      },
    ]),
  );
}

const NO_TIMING = { count: 0, p50: null, p95: null, p99: null };

describe('the queue over time (time series)', () => {
  const ctx = useConformanceDatabase();

  it('counts created, completed and failed jobs, queue depth and percentiles per hour', async () => {
    const { t, store, jobs } = ctx();
    const h0 = Math.floor((await dbNow(t)).getTime() / HOUR) * HOUR;
    const at = (hours: number, minutes = 0) => h0 - hours * HOUR + minutes * MINUTE;

    // Waiting when the window opens (created 5 h ago), started 2 h ago, took 15 s.
    const a = await jobs.completed();
    await setTimes(t, a.id, at(5, 10), at(2, 5), at(2, 20));
    await setProcessingTimeSeconds(t, a.id, 15);
    const b = await jobs.completed();
    await setTimes(t, b.id, at(3, 10), at(3, 20), at(1, 30));
    await setProcessingTimeSeconds(t, b.id, 100);
    const c = await jobs.completed();
    await setTimes(t, c.id, at(1, 1), at(1, 2), at(1, 3));
    await setProcessingTimeSeconds(t, c.id, 5);
    const d = await jobs.failed();
    await setTimes(t, d.id, at(2, 1), at(2, 2), at(2, 3));
    const e = await jobs.timedOut();
    await setTimes(t, e.id, at(1, 5), at(1, 6), at(1, 7));
    const f = await jobs.pending();
    await setTimes(t, f.id, at(2, 30), null, null);
    const g = await jobs.pending();
    await setTimes(t, g.id, at(10), null, null);
    const bobs = await jobs.pending({ userId: 'bob' });
    await setTimes(t, bobs.id, at(1, 10), null, null);
    const old = await jobs.completed();
    await setTimes(t, old.id, at(10), at(10), at(9));
    // Cancelled while it waited: it leaves the queue, and is not a failure.
    const j = await jobs.cancelled();
    await setTimes(t, j.id, at(3, 40), null, at(2, 40));

    const series = await store.timeSeries(3, 'hour', ALL_JOBS);

    expect(series.bucket).toBe('hour');
    expect(series.periodHours).toBe(3);
    expect(series.points.map((point) => point.start.getTime())).toEqual([at(3), at(2), at(1), at(0)]);
    expect(byBucketsAgo(series.points, h0, HOUR)).toEqual({
      3: { created: 2, completed: 0, failed: 0, queueDepth: 3, timing: NO_TIMING },
      2: {
        created: 2,
        completed: 1,
        failed: 1,
        queueDepth: 2,
        timing: { count: 1, p50: 15, p95: 15, p99: 15 },
      },
      1: {
        created: 3,
        completed: 2,
        failed: 1,
        queueDepth: 3,
        timing: { count: 2, p50: 5, p95: 100, p99: 100 },
      },
      0: { created: 0, completed: 0, failed: 0, queueDepth: 3, timing: NO_TIMING },
    });

    const bobsSeries = await store.timeSeries(3, 'hour', ownedBy('bob'));
    expect(byBucketsAgo(bobsSeries.points, h0, HOUR)).toEqual({
      3: { created: 0, completed: 0, failed: 0, queueDepth: 0, timing: NO_TIMING },
      2: { created: 0, completed: 0, failed: 0, queueDepth: 0, timing: NO_TIMING },
      1: { created: 1, completed: 0, failed: 0, queueDepth: 1, timing: NO_TIMING },
      0: { created: 0, completed: 0, failed: 0, queueDepth: 1, timing: NO_TIMING },
    });
  });

  it('gives one point per minute up to now, the newest job in the last one', async () => {
    const { t, store, jobs } = ctx();
    await jobs.pending();
    const series = await store.timeSeries(1, 'minute', ALL_JOBS);
    const m0 = Math.floor((await dbNow(t)).getTime() / MINUTE) * MINUTE;
    expect(series.points).toHaveLength(61);
    const last = series.points.at(-1);
    expect(last?.start.getTime()).toBe(m0);
    expect(last).toMatchObject({ created: 1, queueDepth: 1, completed: 0, failed: 0 });
    expect(series.points.slice(0, -1).every((point) => point.created === 0 && point.queueDepth === 0)).toBe(
      true,
    );
  });

  it('refuses a window longer than its bucket allows, before any SQL', async () => {
    const { store } = ctx();
    await expectRejectsWith(store.timeSeries(25, 'minute', ALL_JOBS), 'VALIDATION_FAILED');
    await expectRejectsWith(store.timeSeries(745, 'hour', ALL_JOBS), 'VALIDATION_FAILED');
    await expectRejectsWith(store.timeSeries(0, 'hour', ALL_JOBS), 'VALIDATION_FAILED');
  });
});
