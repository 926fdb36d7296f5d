/**
 * A database outage is a 503 `DATABASE_UNAVAILABLE` with `Retry-After`, never a 500; `/readyz` says
 * not ready (and why) during it and ready after; open event streams and workers ride a short one out.
 * PostgreSQL: a throwaway server this test stops and starts (never the machine's). SQLite: the
 * write lock held by another process past the busy timeout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { errorOf, json, SseClient } from '../support/api-helpers.js';
import { startApi, TINY_LESSON, type ApiHarness, type TestUser } from '../support/api-server.js';
import { DIALECT } from '../support/test-database.js';
import { ThrowawayPostgres } from '../support/throwaway-postgres.js';
import { waitFor } from '../support/wait.js';
import { assertBuilt, WorkerProcess } from '../support/worker-process.js';

interface Readiness {
  ok: boolean;
  error?: { code: string; message: string; details: { reason: string } };
}

/** Polls `/readyz` until it has answered `status` `times` times in a row (a few feed polls). */
async function readyzAnswers(api: ApiHarness, status: number, times = 1): Promise<Readiness> {
  let streak = 0;
  return waitFor(
    async () => {
      const answer = await api.call(null, 'GET', '/readyz');
      streak = answer.status === status ? streak + 1 : 0;
      const body = await json<Readiness>(answer);
      return streak >= times ? body : null;
    },
    { timeoutMs: 60_000, intervalMs: 200, what: `/readyz to answer ${status}` },
  );
}

async function expectUnavailable(answer: Response): Promise<void> {
  expect(answer.status).toBe(503);
  expect(answer.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
  expect((await errorOf(answer)).code).toBe('DATABASE_UNAVAILABLE');
}

describe.runIf(DIALECT === 'postgres')('a PostgreSQL outage', () => {
  let server: ThrowawayPostgres;
  let api: ApiHarness;
  let user: TestUser;
  const processes: WorkerProcess[] = [];

  beforeAll(async () => {
    server = await ThrowawayPostgres.start();
  });
  afterAll(() => server.destroy());

  beforeEach(async () => {
    api = await startApi({}, { workers: 0, postgresUrl: server.url });
    user = await api.createUser({ points: 100 });
  });
  afterEach(async () => {
    if (!server.running) server.startServer();
    await Promise.all(processes.splice(0).map((p) => p.stop().catch(() => undefined)));
    await api.close();
  });

  it('answers 503 DATABASE_UNAVAILABLE with Retry-After while the server is down, and 200 once it is back', async () => {
    const unseen = await api.createUser({ points: 100 });
    expect((await api.call(user, 'GET', '/api/presentations/jobs')).status).toBe(200);

    server.stopServer('fast');
    await expectUnavailable(await api.call(user, 'GET', '/api/presentations/jobs'));
    await expectUnavailable(await api.call(user, 'POST', '/api/presentations/generate', TINY_LESSON));
    // A key the server has not seen yet: its lookup meets the outage.
    await expectUnavailable(await api.call(unseen, 'GET', '/api/users/me'));
    const down = await api.call(null, 'GET', '/readyz');
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    const why = await json<Readiness>(down);
    expect(why).toMatchObject({ ok: false, error: { code: 'DATABASE_UNAVAILABLE' } });
    expect(why.error?.details.reason).toBe('ECONNREFUSED');

    server.startServer();
    expect(await readyzAnswers(api, 200)).toMatchObject({ ok: true });
    expect((await api.call(user, 'GET', '/api/presentations/jobs')).status).toBe(200);
    expect((await api.call(unseen, 'GET', '/api/users/me')).status).toBe(200);
  });

  it('keeps an open event stream across a restart: no error event, and the job’s later events arrive', async () => {
    const { job } = await api.app.enqueue({ kind: 'sleep', payload: { ms: 50 }, userId: user.id });
    const stream = await SseClient.open(api, user, `/api/presentations/jobs/${job.id}/events`);
    expect((await stream.next())?.event).toBe('created');

    server.stopServer('fast');
    // Several of the feed's reads (every 250 ms) fail while the server is down.
    await readyzAnswers(api, 503, 8);
    server.startServer();
    await readyzAnswers(api, 200);

    api.app.createWorker({ kinds: ['sleep'] }).start();
    const rest = await stream.rest();
    expect(rest.map((e) => e.event)).not.toContain('error');
    expect(rest.at(-1)).toMatchObject({ event: 'completed', data: { status: 'completed' } });
  });

  it('workers ride out a server stopped for a while: none exits, no job is lost', async () => {
    assertBuilt();
    const JOBS = 300;
    await api.app.enqueueMany(
      Array.from({ length: JOBS }, () => ({ kind: 'sleep', payload: { ms: 20 }, maxRetries: 5 })),
    );
    for (let i = 0; i < 2; i++) {
      const worker = new WorkerProcess(
        { ...api.t.env, LEASE_SECONDS: '5', HEARTBEAT_SECONDS: '1', POLL_INTERVAL_MS: '200' },
        ['--concurrency', '4'],
      );
      processes.push(worker);
      await worker.started();
    }
    await waitFor(async () => (await api.app.jobs.health({ all: true })).completed >= JOBS / 6, {
      what: 'the run to get going',
    });

    server.stopServer('immediate');
    await readyzAnswers(api, 503, 10);
    server.startServer();

    const health = await waitFor(
      async () => {
        try {
          const now = await api.app.jobs.health({ all: true });
          return now.completed === JOBS ? now : null;
        } catch {
          return null;
        }
      },
      { timeoutMs: 120_000, intervalMs: 250, what: 'every job to complete after the outage' },
    );
    expect(health).toMatchObject({ total: JOBS, completed: JOBS, failed: 0 });
    expect(processes.every((p) => !p.exited)).toBe(true);
  });
});

/** Another process that takes the database's write lock and holds it until it is stopped. */
function holdWriteLock(file: string): Promise<ChildProcess> {
  const script = `
    const Database = require('better-sqlite3');
    const db = new Database(process.argv[1]);
    db.exec('BEGIN IMMEDIATE');
    process.stdout.write('locked\\n');
    process.stdin.resume();
    process.stdin.on('end', () => { db.exec('ROLLBACK'); db.close(); process.exit(0); });
  `;
  const child = spawn(process.execPath, ['-e', script, file], {
    cwd: process.cwd(),
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the lock holder exited with ${code}`)));
    child.stdout.once('data', () => resolve(child));
  });
}

describe.runIf(DIALECT === 'sqlite')('a SQLite database locked by another process', () => {
  let api: ApiHarness;
  let user: TestUser;
  let holder: ChildProcess | null = null;

  beforeEach(async () => {
    api = await startApi({ SQLITE_BUSY_RETRY_MS: 300 }, { workers: 0 });
    user = await api.createUser({ points: 100 });
  });
  afterEach(async () => {
    holder?.stdin?.end();
    holder = null;
    await api.close();
  });

  it('answers 503 DATABASE_UNAVAILABLE with Retry-After past the busy timeout, and writes again after', async () => {
    const file = api.t.config.databaseUrl.slice('sqlite:'.length);
    holder = await holdWriteLock(file);
    await expectUnavailable(await api.call(user, 'POST', '/api/presentations/generate', TINY_LESSON));
    expect((await api.call(user, 'GET', '/api/presentations/jobs')).status).toBe(200);

    const released = new Promise((resolve) => holder?.once('exit', resolve));
    holder.stdin?.end();
    await released;
    holder = null;
    const answer = await api.call(user, 'POST', '/api/presentations/generate', TINY_LESSON);
    expect(answer.status).toBeLessThan(300);
  });
});
