/**
 * An operator may delete jobs by hand in SQL. Their events go with them, on PostgreSQL even from a
 * session whose search_path does not name reelqueue's schema (the table named with its schema).
 */
import { describe, expect, it } from 'vitest';
import { ALL_JOBS, FROM_THE_START } from '../../src/jobs/store.js';
import { countRows } from '../support/db-fixtures.js';
import { eventCount, useConformanceDatabase } from '../support/conformance.js';
import { withPostgresClient } from '../support/test-database.js';

describe('jobs deleted by hand in SQL', () => {
  const ctx = useConformanceDatabase();

  it('take their events with them, whatever the session search_path', async () => {
    const { t, store, jobs } = ctx();
    // Failed: each has a stored `failed` event (`created`, and on PostgreSQL `started`, are read
    // from the job).
    const gone = await jobs.failed();
    const kept = await jobs.failed();
    const keptStored = await eventCount(t, kept.id);
    expect(await eventCount(t, gone.id)).toBeGreaterThan(0);
    if (t.dialect === 'postgres') {
      // A session of its own, whose search_path does not name the schema (an operator's psql).
      await withPostgresClient(null, (client) =>
        client.query(
          `DELETE FROM ${client.escapeIdentifier(t.env.DATABASE_SCHEMA ?? '')}.jobs WHERE id = $1`,
          [gone.id],
        ),
      );
    } else {
      await t.sql({ sqlite: 'DELETE FROM jobs WHERE id = ?', postgres: '' }, [gone.id]);
    }
    expect(await store.get(gone.id, ALL_JOBS)).toBeNull();
    expect(await store.listEvents(gone.id, FROM_THE_START, 10)).toEqual([]);
    expect(await eventCount(t, gone.id)).toBe(0);
    expect(await store.listEvents(kept.id, FROM_THE_START, 10)).toHaveLength(3);
    expect(await countRows(t, 'job_events')).toBe(keptStored);
  });
});
