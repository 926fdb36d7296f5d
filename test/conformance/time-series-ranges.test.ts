/**
 * The time series reads each part from its own index range (pending, running, finished since the
 * window's start, created since it) instead of scanning every job, on both databases: after a
 * randomized workload its answers equal those of the former scanning statement, row for row, for
 * every window and bucket, whole queue and one owner. (PostgreSQL's former `waited` part, an OR of
 * statuses and a finish time, matched no index: statistics-plans.test.ts checks the plans.)
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { timeSeriesSql as postgresTimeSeriesSql } from '../../src/db/postgres/sql/time-series-sql.js';
import { timeSeriesSql } from '../../src/db/sqlite/sql/time-series-sql.js';
import { leaseOf } from '../../src/jobs/model.js';
import { useConformanceDatabase } from '../support/conformance.js';
import { scanningPostgresTimeSeriesSql, scanningTimeSeriesSql } from '../support/scanning-time-series-sql.js';
import { withPostgresClient, type TestDatabase } from '../support/test-database.js';

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

/** The windows and buckets compared: minutes and hours, a window not a whole number of hours. */
const WINDOWS = [
  [1, 60_000],
  [6.5, 60_000],
  [24, 60_000],
  [24, 3_600_000],
  [72, 3_600_000],
] as const;

/** PostgreSQL: the same spread of the jobs over two days, then both statements in one snapshot (one now()). */
async function comparePostgres(t: TestDatabase, random: () => number, seed: number): Promise<void> {
  await withPostgresClient(t.env.DATABASE_SCHEMA ?? null, async (client) => {
    const { rows } = await client.query<{ id: string }>('SELECT id::text AS id FROM jobs');
    const moves = rows.map(({ id }) => ({
      id,
      ms: Math.floor(random() * 48 * 3_600_000),
      wait: Math.floor(random() * 600_000),
      extra: random() * 10,
    }));
    await client.query(
      `UPDATE jobs SET created_at = created_at - m.ms * interval '1 ms',
         started_at = started_at - (m.ms - m.wait) * interval '1 ms',
         completed_at = completed_at - (m.ms - m.wait) * interval '1 ms',
         processing_time_seconds = coalesce(processing_time_seconds, 0) + m.extra
       FROM unnest($1::uuid[], $2::bigint[], $3::bigint[], $4::float8[]) AS m (id, ms, wait, extra)
       WHERE jobs.id = m.id`,
      [moves.map((m) => m.id), moves.map((m) => m.ms), moves.map((m) => m.wait), moves.map((m) => m.extra)],
    );
    for (const [hours, bucketMs] of WINDOWS) {
      for (const userId of [null, 'alice']) {
        const params = [hours, bucketMs / 1000, userId];
        const label = `seed ${seed}, ${hours} h by ${bucketMs} ms, owner ${userId}`;
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
        const now = await client.query(postgresTimeSeriesSql.series, params);
        const before = await client.query(scanningPostgresTimeSeriesSql.series, params);
        await client.query('COMMIT');
        expect(now.rows.length, label).toBeGreaterThan(0);
        expect(now.rows, label).toEqual(before.rows);
      }
    }
  });
}

describe('the time series from index ranges', () => {
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
    if (t.dialect === 'postgres') {
      await comparePostgres(t, random, seed);
      return;
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
      for (const [hours, bucketMs] of WINDOWS) {
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
