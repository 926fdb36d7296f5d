/**
 * A SQLite database holds API key hashes and webhook secrets: when reelqueue creates it, the file
 * and its -wal and -shm files are readable by their owner only (0600), in folders made 0700.
 * SQLite only: PostgreSQL keeps its own files.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openDatabase, type OpenDatabase } from '../../src/db/open-database.js';
import { DIALECT } from '../support/test-database.js';

const modeOf = (file: string) => statSync(file).mode & 0o777;

describe.runIf(DIALECT === 'sqlite')('SQLite file modes', () => {
  let dir: string;
  let db: OpenDatabase | null = null;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'reelqueue-modes-'));
  });
  afterEach(async () => {
    await db?.close();
    db = null;
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the database 0600, its -wal and -shm 0600, and its folders 0700', async () => {
    const file = path.join(dir, 'data', 'deeper', 'reelqueue.db');
    db = await openDatabase(loadConfig({}, { DATABASE_URL: `sqlite:${file}` }));
    await db.migrate();
    expect(modeOf(path.join(dir, 'data'))).toBe(0o700);
    expect(modeOf(path.dirname(file))).toBe(0o700);
    expect(modeOf(file)).toBe(0o600);
    expect(modeOf(`${file}-wal`)).toBe(0o600);
    expect(modeOf(`${file}-shm`)).toBe(0o600);
  });

  it('refuses, creating nothing, when told the database must exist', async () => {
    const file = path.join(dir, 'missing', 'x.db');
    await expect(
      openDatabase(loadConfig({}, { DATABASE_URL: `sqlite:${file}` }), { mustExist: true }),
    ).rejects.toMatchObject({ code: 'DATABASE_NOT_FOUND' });
    expect(() => statSync(path.join(dir, 'missing'))).toThrow();
  });
});
