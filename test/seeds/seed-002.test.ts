/**
 * Seed 002 (SQLite, then PostgreSQL, then Redis): its settings as written (`sqlite:///./…` relative,
 * `postgresql://…`), its repository's `get_all(status)` and `delete_old_jobs(days)`, and its three
 * tests: persistence after restart, 100 concurrent creations all in the database, 1,000 status reads
 * in under a second. Level 3 (Redis as a read cache) is not built yet (issue 22, item 9).
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_JOBS } from '../../src/index.js';
import { loadConfig } from '../../src/config.js';
import { json } from '../support/api-helpers.js';
import { startApi, TINY_LESSON, type ApiHarness } from '../support/api-server.js';
import { setCreatedHoursAgo } from '../support/db-fixtures.js';
import { DIALECT, POSTGRES_URL } from '../support/test-database.js';
import { seedSql } from './seed-support.js';

const COUNT = {
  postgres: 'SELECT count(*)::int AS n FROM presentation_jobs',
  sqlite: 'SELECT count(*) AS n FROM presentation_jobs',
};

describe('seed 002: settings, repository, and its three tests', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    // Level 2's own URL form on PostgreSQL (postgresql://, not postgres://).
    const settings =
      DIALECT === 'postgres' ? { DATABASE_URL: POSTGRES_URL.replace(/^postgres:/, 'postgresql:') } : {};
    api = await startApi(settings, { workers: 0 });
  });
  afterAll(() => api.close());

  it("level 1's DATABASE_URL = sqlite:///./presentation_jobs.db is ./presentation_jobs.db in the working directory", () => {
    const config = loadConfig({ DATABASE_URL: 'sqlite:///./presentation_jobs.db' });
    expect(config.databaseUrl).toBe(`sqlite:${path.resolve('presentation_jobs.db')}`);
    expect(
      loadConfig({ DATABASE_URL: 'postgresql://user:password@localhost:5432/presentations' }).databaseUrl,
    ).toMatch(/^postgres(ql)?:\/\//);
  });

  it('Test 1: a created job is in the database as queued, and survives a restart', async () => {
    const { job } = await api.app.enqueue({ kind: 'presentation', payload: TINY_LESSON });
    const [row] = await seedSql(
      api,
      {
        postgres: 'SELECT * FROM presentation_jobs WHERE job_id = $1',
        sqlite: 'SELECT * FROM presentation_jobs WHERE job_id = ?',
      },
      [job.id],
    );
    expect(row).toMatchObject({ status: 'pending' }); // the seed's "queued" (docs/status-names.md)
    await api.restart(); // service = ProfessionalPresentationService()
    const status = await api.app.jobs.get(job.id, ALL_JOBS);
    expect(status).not.toBeNull();
    const seedShape = await json<{ status: string }>(
      await api.call(api.admin, 'GET', `/presentations/${job.id}`),
    );
    expect(seedShape.status).toBe('queued');
  });

  it('Test 2: 100 concurrent creations, all in the database; get_all(status="queued") lists them', async () => {
    const before = (await seedSql(api, COUNT))[0]!.n as number;
    const answers = await Promise.all(
      Array.from({ length: 100 }, () => api.call(api.admin, 'POST', '/presentations', TINY_LESSON)),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(100).fill(202));
    expect((await seedSql(api, COUNT))[0]!.n).toBe(before + 100);
    const listed = await api.call(api.admin, 'GET', '/api/presentations/jobs?status=queued&limit=100');
    expect(listed.status).toBe(200);
    const page = await json<{ jobs: { status: string }[] }>(listed);
    expect(page.jobs).toHaveLength(100);
    expect(page.jobs.every((j) => j.status === 'pending')).toBe(true);
  });

  // Over HTTP the point is the limits: 1,000 reads by one (admin) key all answered 200 with default
  // settings. The time is printed, not asserted: client and server share one process here, on a
  // shared machine; the seed's own sub-second figure is for in-process reads (next test).
  it('Test 3 over HTTP: 1,000 status reads of one job by one key, all 200 with default limits', async () => {
    const { job } = await api.app.enqueue({ kind: 'presentation', payload: TINY_LESSON });
    const path = `/presentations/${job.id}`;
    await api.call(api.admin, 'GET', path); // warm the key cache, as a running service has
    const statuses: number[] = [];
    const start = performance.now();
    // Ten clients reading in turn: the seed's loop awaited one read at a time in one process.
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        for (let i = 0; i < 100; i++) {
          const response = await api.call(api.admin, 'GET', path);
          statuses.push(response.status);
          await response.arrayBuffer();
        }
      }),
    );
    const elapsed = performance.now() - start;
    console.log(`seed 002 test 3 (${DIALECT}): 1,000 HTTP status reads in ${elapsed.toFixed(0)} ms`);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(statuses).toHaveLength(1000);
  });

  // The seed's figure ("<1ms per query with caching") assumes its Redis cache (item 9). Without it a
  // PostgreSQL read is a round trip: 0.35–1.0 ms each here on a shared 2-core machine with other
  // test files running, so PostgreSQL is held to 3 s and SQLite (in process) to the seed's 1 s.
  it('Test 3 as the seed wrote it, in process: 1,000 get_job_status (SQLite under a second)', async () => {
    const { job } = await api.app.enqueue({ kind: 'presentation', payload: TINY_LESSON });
    const start = performance.now();
    for (let i = 0; i < 1000; i++) await api.app.jobs.get(job.id, ALL_JOBS);
    const elapsed = performance.now() - start;
    console.log(`seed 002 test 3 (${DIALECT}): 1,000 in-process status reads in ${elapsed.toFixed(0)} ms`);
    expect(elapsed).toBeLessThan(DIALECT === 'sqlite' ? 1000 : 3000);
  });

  it('delete_old_jobs(days=7): finished jobs created more than 7 days ago are deleted, newer ones kept', async () => {
    const old = await api.app.enqueue({ kind: 'presentation', payload: TINY_LESSON });
    const recent = await api.app.enqueue({ kind: 'presentation', payload: TINY_LESSON });
    for (const { job } of [old, recent]) {
      expect((await api.call(api.admin, 'POST', `/api/presentations/jobs/${job.id}/cancel`, {})).status).toBe(
        200,
      );
    }
    await setCreatedHoursAgo(api.t, old.job.id, 8 * 24);
    const response = await api.call(api.admin, 'DELETE', '/api/presentations/jobs/cleanup?days=7');
    expect(response.status).toBe(200);
    expect(await json<{ deleted: number }>(response)).toMatchObject({ deleted: 1 });
    expect(await api.app.jobs.get(old.job.id, ALL_JOBS)).toBeNull();
    expect(await api.app.jobs.get(recent.job.id, ALL_JOBS)).not.toBeNull();
  });

  it.todo('Test 3 on PostgreSQL under a second, reads served by the Redis cache: item 9');
  it.todo(
    'level 3: status reads served from Redis (cache-aside, invalidated on every write): issue 22 item 9',
  );
});
