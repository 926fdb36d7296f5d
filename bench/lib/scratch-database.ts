/**
 * A fresh database for a reelqueue process started by a scenario, as the environment that process
 * needs: a unique schema on PostgreSQL or a new SQLite file, and a data directory of its own (where
 * a generated admin key would be written). `remove()` drops the schema and deletes the directory.
 */
import path from 'node:path';
import type { QueueSystem } from '../systems/types.js';
import { dropSchema, POSTGRES_URL, tempDirectory, uniqueName } from './services.js';

export type Dialect = 'pg' | 'sqlite';

export interface ScratchDatabase {
  readonly dialect: Dialect;
  /** DATABASE_URL, DATABASE_SCHEMA (PostgreSQL) and DATA_DIR. */
  readonly env: Record<string, string>;
  remove(): Promise<void>;
}

/** `reelqueue-pg` runs on PostgreSQL; the other reelqueue systems on SQLite. */
/** A tool's `--db pg|sqlite` option. */
export function dialectOption(value: string | undefined): Dialect {
  if (value !== 'pg' && value !== 'sqlite') throw new Error(`--db wants pg or sqlite, got ${value}`);
  return value;
}

export function dialectOf(system: QueueSystem): Dialect {
  return system.id === 'reelqueue-pg' ? 'pg' : 'sqlite';
}

export function scratchDatabase(dialect: Dialect, prefix: string): ScratchDatabase {
  const directory = tempDirectory(prefix);
  if (dialect === 'sqlite') {
    return {
      dialect,
      env: { DATABASE_URL: `sqlite:${path.join(directory.dir, 'reelqueue.db')}`, DATA_DIR: directory.dir },
      remove: async () => directory.remove(),
    };
  }
  const schema = uniqueName(prefix);
  return {
    dialect,
    env: { DATABASE_URL: POSTGRES_URL, DATABASE_SCHEMA: schema, DATA_DIR: directory.dir },
    remove: async () => {
      directory.remove();
      await dropSchema(schema);
    },
  };
}
