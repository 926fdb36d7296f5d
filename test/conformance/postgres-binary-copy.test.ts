/**
 * PostgreSQL serves video pieces through a binary COPY (`chunkPieceCopy`), read by
 * `singleFieldOfBinaryCopy` from the socket's Buffers as they came: checked here against what a real
 * server sends, including a field larger than one COPY message and than one socket read, and the
 * same output cut into parts at every byte.
 */
import { randomBytes } from 'node:crypto';
import { to as copyTo } from 'pg-copy-streams';
import { describe, expect, it } from 'vitest';
import { singleFieldOfBinaryCopy } from '../../src/db/postgres/binary-copy.js';
import { chunkPieceCopy } from '../../src/db/postgres/sql/artifacts-sql.js';
import { DIALECT, withPostgresClient } from '../support/test-database.js';

/** The whole binary COPY output of `select`, as the Buffers it arrived in. */
async function copyOut(select: string, params: string[] = []): Promise<Buffer[]> {
  return withPostgresClient(null, async (client) => {
    const literals = params.map((value) => client.escapeLiteral(value));
    const text = select.replace(/\$(\d)/g, (_, n: string) => literals[Number(n) - 1] ?? 'NULL');
    const parts: Buffer[] = [];
    for await (const part of client.query(copyTo(`COPY (${text}) TO STDOUT (FORMAT binary)`))) {
      parts.push(part as Buffer);
    }
    return parts;
  });
}

/** The field's views joined, to compare; null stays null. */
function joined(field: Buffer[] | null): Buffer | null {
  return field && Buffer.concat(field);
}

/** `whole` in up to three parts: before `at`, `cut` bytes from `at`, and the rest. */
function cutAt(whole: Buffer, at: number, cut: number): Buffer[] {
  return [whole.subarray(0, at), whole.subarray(at, at + cut), whole.subarray(at + cut)].filter(
    (part) => part.length > 0,
  );
}

describe.runIf(DIALECT === 'postgres')('binary COPY of one field', () => {
  it('gives the bytes of a one-row, one-field result, however many messages carry them', async () => {
    for (const size of [0, 1, 60 * 1024, 300 * 1024]) {
      const bytes = randomBytes(size);
      const copy = await copyOut(`SELECT decode($1, 'hex')`, [bytes.toString('hex')]);
      expect(joined(singleFieldOfBinaryCopy(copy))?.equals(bytes)).toBe(true);
      if (size > 60 * 1024) expect(copy.length).toBeGreaterThan(1);
    }
  });

  it('returns the field as views of the parts, wherever the parts were cut', async () => {
    const bytes = randomBytes(40);
    const whole = Buffer.concat(await copyOut(`SELECT decode($1, 'hex')`, [bytes.toString('hex')]));
    for (let at = 0; at < whole.length; at++) {
      for (const cut of [1, 3]) {
        const parts = cutAt(whole, at, cut);
        const field = singleFieldOfBinaryCopy(parts);
        expect(joined(field)?.equals(bytes), `cut at ${at}+${cut}`).toBe(true);
        // Views, not copies: each lies in one of the parts' memory.
        for (const view of field ?? []) {
          expect(parts.some((part) => part.buffer === view.buffer)).toBe(true);
        }
      }
    }
    const empty = await copyOut(`SELECT ''::bytea`);
    expect(singleFieldOfBinaryCopy(empty)).toEqual([]);
  });

  it('gives null for no row and for a NULL field', async () => {
    expect(singleFieldOfBinaryCopy(await copyOut(`SELECT '\\x01'::bytea WHERE false`))).toBeNull();
    expect(singleFieldOfBinaryCopy(await copyOut(`SELECT NULL::bytea`))).toBeNull();
  });

  it('refuses two rows, two fields, and output that is cut short', async () => {
    const twoRows = await copyOut(`SELECT '\\x01'::bytea FROM generate_series(1, 2)`);
    expect(() => singleFieldOfBinaryCopy(twoRows)).toThrow(/more than one row/);
    const twoFields = await copyOut(`SELECT '\\x01'::bytea, '\\x02'::bytea`);
    expect(() => singleFieldOfBinaryCopy(twoFields)).toThrow(/a row of 2 fields/);
    const whole = Buffer.concat(await copyOut(`SELECT '\\x010203'::bytea`));
    expect(() => singleFieldOfBinaryCopy([whole.subarray(0, whole.length - 3)])).toThrow(/cut short/);
    expect(() => singleFieldOfBinaryCopy(cutAt(whole.subarray(0, 23), 10, 1))).toThrow(/cut short/);
    expect(() => singleFieldOfBinaryCopy([Buffer.from('not a copy')])).toThrow(/no header/);
  });
});

describe('the piece COPY statement', () => {
  it('takes only an artifact id and non-negative integers, since its values are written into it', () => {
    const id = '0193a5b2-7c4e-7d3a-9f1e-2b3c4d5e6f70';
    expect(chunkPieceCopy(id, 2, 0, 61_440)).toContain(`artifact_id = '${id}' AND seq = 2`);
    expect(() => chunkPieceCopy(`${id}' OR true --`, 0, 0, 1)).toThrow(/Not an artifact id/);
    for (const position of [-1, 1.5, Number.NaN, 2 ** 60]) {
      expect(() => chunkPieceCopy(id, position, 0, 1)).toThrow(/Not a piece position/);
      expect(() => chunkPieceCopy(id, 0, position, 1)).toThrow(/Not a piece position/);
      expect(() => chunkPieceCopy(id, 0, 0, position)).toThrow(/Not a piece position/);
    }
  });
});
