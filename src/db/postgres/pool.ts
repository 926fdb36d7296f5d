/**
 * A PostgreSQL pool whose connections all use the configured schema. A connection that breaks
 * (server restart) is dropped by the pool and the next query opens a new one.
 */
import pg from 'pg';
import { markConnectionLost } from '../outage.js';
import { parseTimestamptz } from './timestamp-parser.js';

export type PgPool = pg.Pool;
export type PgClient = pg.PoolClient;

const INT8 = pg.types.builtins.INT8;
const TIMESTAMPTZ = pg.types.builtins.TIMESTAMPTZ;
/** bigint (counts, event ids) as a number instead of the driver's string; reelqueue's stay far below 2^53. */
const parseInt8 = (text: string): number => Number(text);

/**
 * The driver's parsers, but bigint as a number and timestamptz (the type of every time the stores
 * read) by `parseTimestamptz`. Set on the pool, not on the driver's global parsers, so that an
 * application embedding reelqueue keeps the driver's behaviour in its own connections.
 */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (format === 'binary') return pg.types.getTypeParser(oid, format);
    if (oid === INT8) return parseInt8;
    if (oid === TIMESTAMPTZ) return parseTimestamptz;
    return pg.types.getTypeParser(oid, format);
  }) as typeof pg.types.getTypeParser,
};

export function createPool(connectionString: string, schema: string, size: number): PgPool {
  const pool = new pg.Pool({
    connectionString,
    max: size,
    options: `-c search_path=${schema}`,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
    application_name: 'reelqueue',
    types,
  });
  // An idle connection that dies (server restart) emits here; the pool discards it by itself.
  pool.on('error', markConnectionLost);
  // A connection lent out (a transaction) that dies emits on the client, where nothing else listens:
  // unheard, that would end the process. Its queries fail with the same error, known as an outage.
  pool.on('connect', (client) =>
    client.on('error', (error) => {
      lostClients.add(client);
      markConnectionLost(error);
    }),
  );
  return pool;
}

/** Clients whose connection broke: whatever they are asked next fails (with an error of no code). */
const lostClients = new WeakSet<PgClient>();

/**
 * For an error from a lent-out client: when its connection broke, the error is an outage whatever
 * it says (pg answers later queries with "not queryable" and no code).
 */
export function noteIfConnectionLost(client: PgClient, error: unknown): void {
  if (lostClients.has(client)) markConnectionLost(error);
}

/**
 * Runs `work` in one transaction on one pooled connection: committed when it returns, rolled back
 * when it throws (the error goes on to the caller), the connection released either way.
 */
export async function inTransaction<T>(pool: PgPool, work: (client: PgClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    noteIfConnectionLost(client, error);
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    // A broken connection is dropped, not put back.
    client.release(lostClients.has(client));
  }
}

/**
 * Runs `work` inside `client`'s transaction under a savepoint: when it fails, what it did is undone
 * and the transaction goes on (the error is rethrown).
 */
export async function withSavepoint<T>(client: PgClient, work: () => Promise<T>): Promise<T> {
  await client.query('SAVEPOINT reelqueue_step');
  try {
    const result = await work();
    await client.query('RELEASE SAVEPOINT reelqueue_step');
    return result;
  } catch (error) {
    await client.query('ROLLBACK TO SAVEPOINT reelqueue_step');
    throw error;
  }
}

/** SQLSTATE of a duplicate key in a unique index or constraint. */
export const UNIQUE_VIOLATION = '23505';

/** Whether `error` is a duplicate key in `constraint` (an index or constraint name). */
export function isUniqueViolationOf(error: unknown, constraint: string): boolean {
  return pgCode(error) === UNIQUE_VIOLATION && (error as { constraint?: unknown }).constraint === constraint;
}

export function pgCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
