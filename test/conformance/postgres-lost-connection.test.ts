/**
 * A PostgreSQL connection that breaks while it is lent out (in the middle of a transaction) fails
 * that transaction as an outage (503 over HTTP, retried by workers) and never takes the process
 * down. Only our own backend is terminated, on the test database. PostgreSQL only.
 */
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { outageCode } from '../../src/db/outage.js';
import { createPool, inTransaction, type PgPool } from '../../src/db/postgres/pool.js';
import { DIALECT, POSTGRES_URL } from '../support/test-database.js';
import { nextEvent } from '../support/wait.js';

describe.runIf(DIALECT === 'postgres')('a PostgreSQL connection lost in a transaction', () => {
  let pool: PgPool;
  let admin: pg.Client;

  beforeEach(async () => {
    pool = createPool(POSTGRES_URL, 'public', 2);
    admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
  });
  afterEach(async () => {
    await pool.end();
    await admin.end();
  });

  it('fails the transaction as an outage, and the pool goes on with a new connection', async () => {
    const failure = await inTransaction(pool, async (client) => {
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const ended = nextEvent(client, 'end');
      await admin.query('SELECT pg_terminate_backend($1)', [rows[0]?.pid]);
      await ended;
      await client.query('SELECT 1');
    }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(Error);
    expect(outageCode(failure)).not.toBeNull();
    expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one).toBe(1);
  });
});
