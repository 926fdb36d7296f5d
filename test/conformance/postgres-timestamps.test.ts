/**
 * Times read through the PostgreSQL pool, in whatever time zone the server's session is set to, are
 * the instants the server holds: the pool's timestamptz parser reads the text the server writes, as
 * a column and inside JSON.
 */
import { describe, expect, it } from 'vitest';
import { parseTimestamptz } from '../../src/db/postgres/timestamp-parser.js';
import { DIALECT, withPostgresClient } from '../support/test-database.js';

// Zones with whole-hour, half-hour, negative and (before 1900) second-level offsets.
const ZONES = ['UTC', 'Asia/Kolkata', 'America/St_Johns', 'America/Los_Angeles', 'Europe/Amsterdam'];

describe.runIf(DIALECT === 'postgres')('timestamptz read from PostgreSQL', () => {
  it('are the instants the server holds, in every session time zone', async () => {
    await withPostgresClient(null, async (client) => {
      for (const zone of ZONES) {
        await client.query(`SET TimeZone = '${zone}'`);
        const { rows } = await client.query<{ text: string; json: string; ms: string }>(
          `SELECT t::text AS text, to_json(t)::text AS json, floor(extract(epoch FROM t) * 1000)::bigint::text AS ms
             FROM (VALUES (now()), (timestamptz '1890-06-01 12:00:00.5+00'),
                          (timestamptz '2026-03-29 01:30:00.123456+00'), (timestamptz '2026-12-04 23:31:57+00'),
                          (timestamptz '9999-12-31 23:59:59.999+00')) AS v(t)`,
        );
        // The server's own count of milliseconds, fractions dropped as the parser drops them.
        for (const { text, json, ms } of rows) {
          expect(parseTimestamptz(text).getTime(), `${zone}: ${text}`).toBe(Number(ms));
          // The form inside a job read as one json value (PgJobJson).
          const inJson = JSON.parse(json) as string;
          expect(parseTimestamptz(inJson).getTime(), `${zone}: ${inJson}`).toBe(Number(ms));
        }
      }
    });
  });
});
