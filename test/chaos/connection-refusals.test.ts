/**
 * PostgreSQL out of connection slots (`too many clients`, SQLSTATE 53300): a throwaway server with
 * a small max_connections, filled up by the test. A worker process started then waits with a
 * jittered backoff and says why in its log instead of exiting; /readyz answers 503 with the reason;
 * once slots free up every job completes, each once. PostgreSQL only.
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ALL_JOBS } from '../../src/jobs/store.js';
import { startApi, type ApiHarness } from '../support/api-server.js';
import { DIALECT } from '../support/test-database.js';
import { ThrowawayPostgres } from '../support/throwaway-postgres.js';
import { waitFor } from '../support/wait.js';
import { assertBuilt, WorkerProcess } from '../support/worker-process.js';

const JOBS = 40;
const settings = {
  LEASE_SECONDS: '5',
  HEARTBEAT_SECONDS: '1',
  REAPER_INTERVAL_SECONDS: '1',
  POLL_INTERVAL_MS: '200',
};

describe.runIf(DIALECT === 'postgres')('a PostgreSQL with no connection slot left', () => {
  let server: ThrowawayPostgres;
  let api: ApiHarness;
  const fillers: pg.Client[] = [];
  const processes: WorkerProcess[] = [];

  beforeAll(async () => {
    assertBuilt();
    server = await ThrowawayPostgres.start({ max_connections: '20', superuser_reserved_connections: '0' });
  });

  afterAll(() => {
    server.destroy();
  });

  afterEach(async () => {
    await releaseSlots();
    await Promise.all(processes.splice(0).map((p) => p.stop().catch(() => undefined)));
    await api.close();
  });

  /** Opens connections until the server refuses one; the refusal's SQLSTATE. */
  const takeEverySlot = async (): Promise<string | undefined> => {
    for (;;) {
      const client = new pg.Client({ connectionString: server.url, application_name: 'slot-filler' });
      client.on('error', () => undefined);
      try {
        await client.connect();
        fillers.push(client);
      } catch (error) {
        return (error as { code?: string }).code;
      }
    }
  };

  const releaseSlots = async () => {
    await Promise.all(fillers.splice(0).map((client) => client.end().catch(() => undefined)));
  };

  it('waits, says why, answers /readyz 503, then runs every job once when slots free up', async () => {
    api = await startApi(settings, { workers: 0, postgresUrl: server.url });
    const { app, t } = api;
    await app.enqueueMany(Array.from({ length: JOBS }, () => ({ kind: 'sleep', payload: { ms: 10 } })));

    expect(await takeEverySlot()).toBe('53300');
    // The API's pooled connections go too: its next query needs a slot that is not there.
    await fillers[0]!.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE application_name = 'reelqueue' AND pid <> pg_backend_pid()`,
    );
    expect(await takeEverySlot()).toBe('53300');

    const ready = await fetch(`${api.baseUrl}/readyz`);
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { error: { code: string; details: { reason: string } } };
    expect(body.error).toMatchObject({ code: 'DATABASE_UNAVAILABLE', details: { reason: '53300' } });

    const worker = new WorkerProcess({ ...t.env, ...settings });
    processes.push(worker);
    await waitFor(
      () => worker.exited || worker.stderrLines.some((line) => line.includes('"reason":"53300"')),
      { timeoutMs: 20_000, what: 'the worker to say the server refuses connections' },
    );
    expect(worker.exited).toBe(false);
    // It keeps waiting rather than exiting: a second try, after a pause, says so again.
    await waitFor(
      () =>
        worker.exited || worker.stderrLines.filter((line) => line.includes('"reason":"53300"')).length >= 2,
      { timeoutMs: 20_000, what: 'a second try' },
    );
    expect(worker.exited).toBe(false);

    await releaseSlots();
    await worker.started(30_000);
    await waitFor(async () => (await app.jobs.health(ALL_JOBS)).completed === JOBS, {
      timeoutMs: 60_000,
      what: 'every job to complete',
    });
    const attempts = await t.sql<{ attempt: number }>({
      sqlite: 'SELECT attempt FROM jobs',
      postgres: 'SELECT attempt FROM jobs',
    });
    expect(attempts.map((row) => row.attempt)).toEqual(Array.from({ length: JOBS }, () => 1));
    expect((await fetch(`${api.baseUrl}/readyz`)).status).toBe(200);
  });
});
