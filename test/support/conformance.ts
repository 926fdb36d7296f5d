/** Shared set-up of the store conformance suite: a fresh database per test and a few assertions. */
import { afterEach, beforeEach, expect } from 'vitest';
import type { SettingsInput } from '../../src/config.js';
import { ReelqueueError, type ErrorCode } from '../../src/errors.js';
import type { Job, JobEventType } from '../../src/jobs/model.js';
import { ALL_JOBS, FROM_THE_START, type JobStore } from '../../src/jobs/store.js';
import { JobFactory } from './job-factory.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export interface Conformance {
  readonly t: TestDatabase;
  readonly store: JobStore;
  readonly jobs: JobFactory;
}

/** Gives each test its own database; call at the top of a `describe`. */
export function useConformanceDatabase(overrides: SettingsInput = {}): () => Conformance {
  let current: Conformance | undefined;
  beforeEach(async () => {
    const t = await createTestDatabase(overrides);
    current = { t, store: t.db.jobs, jobs: new JobFactory(t.db.jobs, t.config) };
  });
  afterEach(async () => {
    await current?.t.cleanup();
    current = undefined;
  });
  return () => {
    if (!current) throw new Error('no test database: call inside a test');
    return current;
  };
}

/** The database clock, which decides every lease. */
export async function dbNow(t: TestDatabase): Promise<Date> {
  const rows = await t.sql<{ now: number | Date }>({
    sqlite: "SELECT CAST(unixepoch('subsec') * 1000 AS INTEGER) AS now",
    postgres: 'SELECT clock_timestamp() AS now',
  });
  return new Date(rows[0]?.now ?? Number.NaN);
}

/** Awaits `work` and returns what it threw (fails the test when it did not throw). */
export async function rejectionOf(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (error) {
    return error;
  }
  throw new Error('expected the operation to fail, but it succeeded');
}

export function thrownBy(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  throw new Error('expected the operation to throw, but it returned');
}

export function expectCode(error: unknown, code: ErrorCode): void {
  expect(error).toBeInstanceOf(ReelqueueError);
  expect((error as ReelqueueError).code).toBe(code);
}

export async function expectRejectsWith(work: Promise<unknown>, code: ErrorCode): Promise<void> {
  expectCode(await rejectionOf(work), code);
}

export async function mustGet(store: JobStore, id: string): Promise<Job> {
  const job = await store.get(id, ALL_JOBS);
  if (!job) throw new Error(`job ${id} is not in the database`);
  return job;
}

export async function eventTypes(store: JobStore, jobId: string): Promise<JobEventType[]> {
  return (await store.listEvents(jobId, FROM_THE_START, 1000)).map((event) => event.type);
}

export async function eventCount(t: TestDatabase, jobId: string): Promise<number> {
  const rows = await t.sql<{ n: number | string }>(
    {
      sqlite: 'SELECT count(*) AS n FROM job_events WHERE job_id = ?',
      postgres: 'SELECT count(*)::int AS n FROM job_events WHERE job_id = ?',
    },
    [jobId],
  );
  return Number(rows[0]?.n ?? 0);
}

/** Sets a finished job's processing time, for percentile statistics. */
export async function setProcessingTimeSeconds(
  t: TestDatabase,
  jobId: string,
  seconds: number,
): Promise<void> {
  await t.sql(
    {
      sqlite: 'UPDATE jobs SET processing_time_seconds = ? WHERE id = ?',
      postgres: 'UPDATE jobs SET processing_time_seconds = ? WHERE id = ?',
    },
    [seconds, jobId],
  );
}

/** Absolute difference of two instants in milliseconds. */
export function msBetween(a: Date, b: Date): number {
  return Math.abs(a.getTime() - b.getTime());
}
