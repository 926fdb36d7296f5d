/**
 * Where the benchmarks find PostgreSQL and Redis, and fresh, uniquely named places in them: every
 * run gets its own schema, SQLite file or Redis queue, removed afterwards.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

export const POSTGRES_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function redisConnection(): { host: string; port: number } {
  const url = new URL(REDIS_URL);
  return { host: url.hostname, port: Number(url.port || 6379) };
}

/** A lower-case identifier that no other run uses: `bench_<prefix>_<hex>`. */
export function uniqueName(prefix: string): string {
  return `bench_${prefix}_${randomBytes(5).toString('hex')}`;
}

/** Runs `work` with one PostgreSQL connection of its own. */
export async function withPg<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, application_name: 'reelqueue-bench' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function dropSchema(schema: string): Promise<void> {
  await withPg((client) => client.query(`DROP SCHEMA IF EXISTS ${client.escapeIdentifier(schema)} CASCADE`));
}

/** A fresh directory for SQLite files; `remove()` deletes it with everything inside. */
export function tempDirectory(prefix: string): { dir: string; remove(): void } {
  const dir = path.join(tmpdir(), uniqueName(prefix));
  mkdirSync(dir, { recursive: true });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
