import { describe, expect, it } from 'vitest';
import { jobReader, type SqliteJobRow } from '../../src/db/sqlite/job-row.js';

const row: SqliteJobRow = {
  id: '0190a5c8-0000-7000-8000-000000000001',
  kind: 'noop',
  user_id: 'user-1',
  lesson_id: null,
  status: 'running',
  priority: 3,
  payload: '{"a":[1,2]}',
  progress: 40,
  stage: 'speech',
  message: 'Speaking',
  created_at: 1_700_000_000_000,
  updated_at: 1_700_000_000_500,
  run_at: 1_700_000_000_000,
  started_at: 1_700_000_000_100,
  completed_at: null,
  timeout_seconds: 60,
  attempt: 2,
  retry_count: 1,
  max_retries: 3,
  worker_id: 'worker-a',
  lease_expires_at: 1_700_000_030_100,
  last_heartbeat: 1_700_000_000_400,
  cancel_requested_at: null,
  cancel_reason: null,
  result: null,
  error_code: 'HANDLER_FAILED',
  error_message: 'boom',
  error_details: '{"line":3}',
  idempotency_key: 'k',
  processing_time_seconds: null,
  cost_points: 5,
  points_charged: 5,
};

describe('jobReader', () => {
  it('reads each field from its column, whatever the column order', () => {
    const forwards = Object.keys(row);
    const backwards = [...forwards].reverse();
    const values = (columns: string[]) => columns.map((name) => row[name as keyof SqliteJobRow]);
    const job = jobReader(forwards)(values(forwards));
    expect(jobReader(backwards)(values(backwards))).toEqual(job);
    expect(job).toMatchObject({
      id: row.id,
      userId: 'user-1',
      status: 'running',
      priority: 'urgent',
      payload: { a: [1, 2] },
      stage: 'speech',
      startedAt: new Date(row.started_at as number),
      completedAt: null,
      workerId: 'worker-a',
      errorDetails: { line: 3 },
      idempotencyKey: 'k',
    });
  });

  it('refuses, naming it, a statement that lacks a column', () => {
    const columns = Object.keys(row).filter((name) => name !== 'lease_expires_at');
    expect(() => jobReader(columns)).toThrow(/lease_expires_at/);
  });
});
