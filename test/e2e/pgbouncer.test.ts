/**
 * reelqueue through PgBouncer in transaction mode (Debian's 1.18, started by the test in front of
 * the test server): no named statement crosses a transaction, the schema comes from the pooler's
 * connect_query, LISTEN goes straight to the server (DATABASE_LISTEN_URL). PostgreSQL only.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createReelqueue, type Reelqueue } from '../../src/app.js';
import { loadConfig, type SettingsInput } from '../../src/config.js';
import { isReelqueueError } from '../../src/errors.js';
import { pgCode } from '../../src/db/postgres/pool.js';
import { ALL_JOBS } from '../../src/jobs/store.js';
import { silentLogger } from '../../src/logger.js';
import { createTestDatabase, DIALECT, POSTGRES_URL, type TestDatabase } from '../support/test-database.js';
import { JobFactory } from '../support/job-factory.js';
import { ThrowawayPgBouncer } from '../support/throwaway-pgbouncer.js';
import { waitFor } from '../support/wait.js';

const server = new URL(POSTGRES_URL);
const SERVER_PORT = Number(server.port || 5432);
const DATABASE = server.pathname.slice(1);
/** Enough concurrent work that pooled clients meet other clients' server sessions. */
const ROUNDS = 20;

describe.runIf(DIALECT === 'postgres')('through PgBouncer in transaction mode', () => {
  let t: TestDatabase;
  let bouncer: ThrowawayPgBouncer;
  let bare: ThrowawayPgBouncer;
  const apps: Reelqueue[] = [];

  beforeAll(async () => {
    t = await createTestDatabase();
    const schema = t.config.databaseSchema;
    // Two server sessions for ten clients: each transaction may land on another one.
    bouncer = await ThrowawayPgBouncer.start({
      serverPort: SERVER_PORT,
      database: DATABASE,
      schema,
      poolSize: 2,
    });
    bare = await ThrowawayPgBouncer.start({ serverPort: SERVER_PORT, database: DATABASE });
  });

  afterAll(async () => {
    bouncer?.destroy();
    bare?.destroy();
    await t?.cleanup();
  });

  beforeEach(() => {
    apps.length = 0;
  });

  afterEach(async () => {
    await Promise.all(apps.map((app) => app.close()));
  });

  const open = async (overrides: SettingsInput) => {
    const config = loadConfig({}, { ...t.env, LOG_LEVEL: 'silent', DATABASE_URL: bouncer.url, ...overrides });
    const app = await createReelqueue(config, { logger: silentLogger() });
    apps.push(app);
    return app;
  };

  /** Enqueues, claims, completes and reads concurrently; the codes of the errors it met. */
  const busyWork = async (app: Reelqueue): Promise<string[]> => {
    const errors: string[] = [];
    const note = (error: unknown) => void errors.push(pgCode(error) ?? String(error));
    for (let round = 0; round < ROUNDS; round++) {
      await Promise.all(
        Array.from({ length: 10 }, async (_, i) => {
          try {
            const { job } = await app.enqueue({ kind: 'noop', payload: { round, i } });
            const claimed = await app.jobs.claim({
              workerId: `w${i}`,
              kinds: ['noop'],
              limit: 1,
              leaseSeconds: 30,
            });
            for (const c of claimed)
              await app.jobs.completeMany([
                { lease: { jobId: c.id, attempt: c.attempt, workerId: `w${i}` }, result: {} },
              ]);
            await app.jobs.get(job.id, ALL_JOBS);
          } catch (error) {
            note(error);
          }
        }),
      );
    }
    return errors;
  };

  it('with DATABASE_PREPARED_STATEMENTS=auto, sends no named statement and meets no error', async () => {
    const app = await open({ DATABASE_PREPARED_STATEMENTS: 'auto' });
    expect(await busyWork(app)).toEqual([]);
  });

  it('with named statements forced on, the pooler refuses them; the process stops naming and goes on', async () => {
    const app = await open({ DATABASE_PREPARED_STATEMENTS: 'on' });
    const first = await busyWork(app);
    // What every version before this setting met behind PgBouncer 1.18: statements unknown or taken.
    expect(first.length).toBeGreaterThan(0);
    expect(first.every((code) => code === '26000' || code === '42P05')).toBe(true);
    expect(await busyWork(app)).toEqual([]);
  });

  it('hears wake-ups through LISTEN on DATABASE_LISTEN_URL, straight to the server', async () => {
    const app = await open({ DATABASE_LISTEN_URL: POSTGRES_URL });
    let wakeUps = 0;
    const unsubscribe = app.jobs.onJobAvailable(() => void wakeUps++);
    try {
      // The listener reports one wake-up once it listens (it may have missed some before).
      await waitFor(() => wakeUps > 0, { what: 'the listener to connect' });
      const before = wakeUps;
      await new JobFactory(t.db.jobs, t.config).pending();
      await waitFor(() => wakeUps > before, {
        timeoutMs: 10_000,
        what: 'the notification of another process',
      });
    } finally {
      unsubscribe();
    }
  });

  it('refuses to start when the pooler dropped the search_path: no table lands in another schema', async () => {
    const config = loadConfig({}, { ...t.env, LOG_LEVEL: 'silent', DATABASE_URL: bare.url });
    const failure = await createReelqueue(config, { logger: silentLogger() }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(isReelqueueError(failure, 'CONFIG_INVALID')).toBe(true);
    expect(String((failure as Error).message)).toContain('connect_query');
  });
});
