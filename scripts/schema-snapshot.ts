/**
 * Writes (with --write) or checks the committed schema snapshot of each dialect: a fresh database,
 * migrated, dumped. Any schema change shows up in review as a change to these files.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openSqlite } from '../src/db/sqlite/connection.js';
import { migrateSqlite } from '../src/db/sqlite/migrate.js';
import { dumpSqliteSchema } from '../src/db/sqlite/schema-dump.js';
import { createPool } from '../src/db/postgres/pool.js';
import { migratePostgres } from '../src/db/postgres/migrate.js';
import { dumpPostgresSchema } from '../src/db/postgres/schema-dump.js';

export const SNAPSHOTS = {
  sqlite: new URL('../src/db/sqlite/schema.snapshot.sql', import.meta.url),
  postgres: new URL('../src/db/postgres/schema.snapshot.sql', import.meta.url),
};

export async function freshSqliteSchema(): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'reelqueue-schema-'));
  const db = await openSqlite(path.join(dir, 'schema.db'), { busyTimeoutMs: 1000 });
  try {
    await migrateSqlite(db, { force: false });
    return dumpSqliteSchema(db);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function freshPostgresSchema(url: string): Promise<string> {
  const schema = `rq_schema_${randomBytes(6).toString('hex')}`;
  const pool = createPool(url, schema, 2);
  try {
    await migratePostgres(pool, schema, { force: false });
    const client = await pool.connect();
    try {
      return await dumpPostgresSchema(client, schema);
    } finally {
      await client.query(`DROP SCHEMA ${schema} CASCADE`);
      client.release();
    }
  } finally {
    await pool.end();
  }
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const fresh = { sqlite: await freshSqliteSchema(), postgres: await freshPostgresSchema(url) };
  let drift = false;
  for (const dialect of ['sqlite', 'postgres'] as const) {
    if (process.argv.includes('--write')) {
      writeFileSync(SNAPSHOTS[dialect], fresh[dialect]);
      console.log(`wrote ${SNAPSHOTS[dialect].pathname}`);
    } else if (readFileSync(SNAPSHOTS[dialect], 'utf8') !== fresh[dialect]) {
      console.error(
        `${dialect} schema differs from its snapshot: run npm run schema:dump and review the diff`,
      );
      drift = true;
    }
  }
  process.exit(drift ? 1 : 0);
}
