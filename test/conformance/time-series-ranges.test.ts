/**
 * SQLite's time series reads each part from its own index range (pending, running, finished since
 * the window's start, created since it) instead of scanning every job: after a randomized workload
 * its answers equal those of the former scanning statement, row for row, for every window and
 * bucket, whole queue and one owner. SQLite only: PostgreSQL's statement did not change.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { timeSeriesSql } from '../../src/db/sqlite/sql/time-series-sql.js';
import { leaseOf } from '../../src/jobs/model.js';
import { useConformanceDatabase } from '../support/conformance.js';
import { scanningTimeSeriesSql } from '../support/scanning-time-series-sql.js';
import { DIALECT } from '../support/test-database.js';

/** A small seeded generator (mulberry32), so a failing run can be replayed from its seed. */
function randomFrom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe.runIf(DIALECT === 'sqlite')('the time series from index ranges', () => {
  const ctx = useConformanceDatabase();

  it('answers exactly as the scanning statement after a randomized workload', async () => {
    const { t, store, jobs } = ctx();
    const seed = Date.now() % 100_000;
    const random = randomFrom(seed);
    await jobs.pendingMany(300, { userId: 'alice' });
    await jobs.pendingMany(300);
    const claimed = await store.claim({ workerId: 'w', kinds: ['noop'], limit: 400, leaseSeconds: 60 });
    for (const job of claimed) {
      const roll = random();
      if (roll < 0.5) await store.complete(leaseOf(job), {});
      else if (roll < 0.7)
        await store.fail(leaseOf(job), {
          code: 'E',
          message: 'no',
          details: null,
          terminalStatus: roll < 0.6 ? 'failed' : 'timeout',
          retryAfterSeconds: null,
        });
      else if (roll < 0.8)
        await store.fail(leaseOf(job), {
          code: 'E',
          message: 'again',
          details: null,
          terminalStatus: 'failed',
          retryAfterSeconds: 0,
        });
    }
    // Spread the jobs over the last two days, keeping each one's order of events.
    const db = new Database(t.config.databaseUrl.slice('sqlite:'.length));
    try {
      const rows = db.prepare('SELECT id FROM jobs').pluck().all() as string[];
      const move = db.prepare(
        `UPDATE jobs SET created_at = created_at - @ms, started_at = started_at - @ms + @wait,
           completed_at = completed_at - @ms + @wait, processing_time_seconds = coalesce(processing_time_seconds, 0) + @extra
         WHERE id = @id`,
      );
      for (const id of rows) {
        move.run({
          id,
          ms: Math.floor(random() * 48 * 3_600_000),
          wait: Math.floor(random() * 600_000),
          extra: random() * 10,
        });
      }
      for (const [hours, bucketMs] of [
        [1, 60_000],
        [6.5, 60_000],
        [24, 60_000],
        [24, 3_600_000],
        [72, 3_600_000],
      ] as const) {
        for (const userId of [null, 'alice']) {
          const params = { windowMs: hours * 3_600_000, bucketMs, userId };
          const label = `seed ${seed}, ${hours} h by ${bucketMs} ms, owner ${userId}`;
          const read = () => ({
            now: db.prepare(timeSeriesSql.series).all(params),
            before: db.prepare(scanningTimeSeriesSql.series).all(params),
          });
          let answers = read();
          // The two reads straddle a minute's turn now and then: read again.
          if (JSON.stringify(answers.now[0]) !== JSON.stringify(answers.before[0])) answers = read();
          expect(answers.now.length, label).toBeGreaterThan(0);
          expect(answers.now, label).toEqual(answers.before);
        }
      }
    } finally {
      db.close();
    }
  });
});
