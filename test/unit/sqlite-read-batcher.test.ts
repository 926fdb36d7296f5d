/**
 * The SQLite read batcher on a real database file: the reads of one turn run together at the next,
 * in order, in one read transaction that is always closed again; a failing read fails alone.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ReadBatcher } from '../../src/db/sqlite/read-batcher.js';

describe('SQLite read batcher', () => {
  let dir: string;
  let db: Database.Database;
  let other: Database.Database;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'rq-read-batcher-'));
    const file = path.join(dir, 'db.sqlite');
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (n INTEGER)');
    other = new Database(file);
  });

  afterEach(() => {
    other.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const count = () => (db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n;

  it('runs a read at the next turn, so it sees what this turn wrote after asking', async () => {
    const reads = new ReadBatcher(db, 100);
    const asked = reads.read(count);
    db.prepare('INSERT INTO t VALUES (1)').run();
    expect(await asked).toBe(1);
  });

  it('answers every read of a turn, in the order asked, and closes the transaction it shared', async () => {
    const reads = new ReadBatcher(db, 100);
    const order: number[] = [];
    const answers = Promise.all(
      [1, 2, 3].map((i) =>
        reads.read(() => {
          order.push(i);
          return { i, inTransaction: db.inTransaction };
        }),
      ),
    );
    expect(await answers).toEqual([1, 2, 3].map((i) => ({ i, inTransaction: true })));
    expect(order).toEqual([1, 2, 3]);
    expect(db.inTransaction).toBe(false);
  });

  it('gives the reads of one batch one snapshot: a commit elsewhere during the batch shows in the next', async () => {
    const reads = new ReadBatcher(db, 100);
    const first = reads.read(() => {
      const seen = count();
      other.prepare('INSERT INTO t VALUES (2)').run();
      return seen;
    });
    const second = reads.read(count);
    expect([await first, await second]).toEqual([0, 0]);
    expect(await reads.read(count)).toBe(1);
  });

  it('fails only the read that threw, and still closes the transaction', async () => {
    const reads = new ReadBatcher(db, 100);
    const before = reads.read(count);
    const failing = reads.read(() => db.prepare('SELECT * FROM missing_table').all());
    const after = reads.read(count);
    await expect(failing).rejects.toThrow(/no such table/);
    expect([await before, await after]).toEqual([0, 0]);
    expect(db.inTransaction).toBe(false);
  });

  it('runs inside a transaction already open on the connection without opening another', async () => {
    const reads = new ReadBatcher(db, 100);
    db.exec('BEGIN');
    const answers = Promise.all([reads.read(count), reads.read(count)]);
    expect(await answers).toEqual([0, 0]);
    expect(db.inTransaction).toBe(true);
    db.exec('COMMIT');
  });
});
