/**
 * A fresh database per test: a temp SQLite file, or a PostgreSQL schema of its own, chosen by
 * `DB=sqlite|postgres`. In CI a PostgreSQL test that cannot connect fails; it is never skipped.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import Database from 'better-sqlite3';
import { loadConfig, type Config, type SettingsInput } from '../../src/config.js';
import { openDatabase, type OpenDatabase } from '../../src/db/open-database.js';

export type Dialect = 'sqlite' | 'postgres';

export const DIALECT: Dialect = process.env.DB === 'postgres' ? 'postgres' : 'sqlite';
export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Runs `work` on a PostgreSQL connection of its own, for what the stores do not do (plans, SQL typed
 * by hand, other session settings); `schema` is its search_path. Closed afterwards, however `work` ends.
 */
export async function withPostgresClient<T>(
  schema: string | null,
  work: (client: pg.Client) => Promise<T>,
  postgresUrl = POSTGRES_URL,
): Promise<T> {
  const client = new pg.Client({
    connectionString: postgresUrl,
    ...(schema !== null && { options: `-c search_path=${schema}` }),
  });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  readonly dialect: Dialect;
  readonly config: Config;
  /** Settings that point another process at the same database. */
  readonly env: Record<string, string>;
  readonly db: OpenDatabase;
  /** Runs raw SQL for fixtures; `?` placeholders in both dialects. */
  sql<T = Record<string, unknown>>(
    text: { sqlite: string; postgres: string },
    params?: unknown[],
  ): Promise<T[]>;
  /** Opens another handle on the same database (as a second process would). */
  reopen(overrides?: SettingsInput): Promise<OpenDatabase>;
  cleanup(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** PostgreSQL server to use instead of `TEST_DATABASE_URL` (a throwaway one a test started). */
  postgresUrl?: string;
  /** The other dialect than the project's (`DB`): a test that moves jobs between the two. */
  dialect?: Dialect;
}

export async function createTestDatabase(
  overrides: SettingsInput = {},
  options: TestDatabaseOptions = {},
): Promise<TestDatabase> {
  const postgresUrl = options.postgresUrl ?? POSTGRES_URL;
  const dialect = options.dialect ?? DIALECT;
  const name = `rq_t_${randomBytes(6).toString('hex')}`;
  let env: Record<string, string>;
  let dir: string | undefined;
  let admin: pg.Pool | undefined;
  let sqlite: Database.Database | undefined;
  if (dialect === 'postgres') {
    env = { DATABASE_URL: postgresUrl, DATABASE_SCHEMA: name };
    // A pool, not a client: it survives a server restart by opening a new connection.
    admin = new pg.Pool({ connectionString: postgresUrl, options: `-c search_path=${name}`, max: 2 });
    admin.on('error', () => undefined);
  } else {
    dir = mkdtempSync(path.join(tmpdir(), 'reelqueue-test-'));
    env = { DATABASE_URL: `sqlite:${path.join(dir, 'test.db')}` };
  }
  const settings: SettingsInput = { ...env, LOG_LEVEL: 'silent', ...overrides };
  const config = loadConfig({}, settings);
  const db = await openDatabase(config);
  await db.migrate();
  const opened: OpenDatabase[] = [db];

  return {
    dialect,
    config,
    env,
    db,
    async sql<T>(text: { sqlite: string; postgres: string }, params: unknown[] = []): Promise<T[]> {
      if (admin) {
        let i = 0;
        const query = text.postgres.replace(/\?/g, () => `$${++i}`);
        return (await admin.query(query, params)).rows as T[];
      }
      sqlite ??= new Database(config.databaseUrl.slice('sqlite:'.length));
      sqlite.pragma('busy_timeout = 5000');
      const statement = sqlite.prepare(text.sqlite);
      return (statement.reader ? statement.all(...params) : (statement.run(...params), [])) as T[];
    },
    async reopen(more: SettingsInput = {}): Promise<OpenDatabase> {
      const other = await openDatabase(loadConfig({}, { ...settings, ...more }));
      opened.push(other);
      return other;
    },
    async cleanup() {
      for (const handle of opened) await handle.close();
      sqlite?.close();
      if (admin) {
        await admin.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
        await admin.end();
      }
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
