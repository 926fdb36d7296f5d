/**
 * What the seed replays share: SQL read as a seed writes it (asyncpg's `$1` on PostgreSQL, `?` on
 * SQLite), and waiting for a job over HTTP.
 */
import type { ApiHarness, TestUser } from '../support/api-server.js';
import { withPostgresClient } from '../support/test-database.js';
import { waitFor } from '../support/wait.js';

export type Row = Record<string, unknown>;

/**
 * Runs a seed's SQL as written: `postgres` with `$n` placeholders through a plain `pg` client on the
 * test schema (as asyncpg would send it), `sqlite` with `?` on the file.
 */
export async function seedSql(
  api: ApiHarness,
  text: { sqlite: string; postgres: string },
  params: unknown[] = [],
): Promise<Row[]> {
  if (api.t.dialect === 'postgres') {
    const schema = api.t.env.DATABASE_SCHEMA ?? null;
    return withPostgresClient(
      schema,
      async (client) => (await client.query(text.postgres, params)).rows as Row[],
    );
  }
  return api.t.sql<Row>({ sqlite: text.sqlite, postgres: text.postgres }, params);
}

/** Polls `path` (answering JSON) until `done` holds for its body. */
export async function pollJson<T>(
  api: ApiHarness,
  user: TestUser,
  path: string,
  done: (body: T) => boolean,
  timeoutMs = 60_000,
): Promise<T> {
  return waitFor(
    async () => {
      const response = await api.call(user, 'GET', path);
      if (response.status !== 200)
        throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
      const body = (await response.json()) as T;
      return done(body) ? body : undefined;
    },
    { timeoutMs, intervalMs: 100, what: path },
  );
}
