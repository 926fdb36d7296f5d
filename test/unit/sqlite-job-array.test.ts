import { describe, expect, it } from 'vitest';
import { JOB_FIELDS, JSON_FIELDS, jobFromArray, type SqliteJobRow } from '../../src/db/sqlite/job-row.js';

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
  lost_attempts: 4,
  deadline_at: 1_700_000_060_100,
  cost_points: 5,
  points_charged: 5,
};

/** The text SQLite's JOB_ARRAY makes of `row`: its fields in JOB_FIELDS order, JSON text embedded as JSON. */
const arrayText = (fields: readonly string[]): string =>
  JSON.stringify(
    fields.map((field) => {
      const value = row[field as keyof SqliteJobRow];
      return JSON_FIELDS.has(field) && typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
    }),
  );

describe('jobFromArray', () => {
  it('reads each field from its place in JOB_FIELDS', () => {
    const job = jobFromArray(arrayText(JOB_FIELDS));
    expect(job).toEqual({
      id: row.id,
      kind: 'noop',
      userId: 'user-1',
      lessonId: null,
      status: 'running',
      priority: 'urgent',
      payload: { a: [1, 2] },
      progress: 40,
      stage: 'speech',
      message: 'Speaking',
      createdAt: new Date(1_700_000_000_000),
      updatedAt: new Date(1_700_000_000_500),
      runAt: new Date(1_700_000_000_000),
      startedAt: new Date(1_700_000_000_100),
      completedAt: null,
      timeoutSeconds: 60,
      attempt: 2,
      retryCount: 1,
      maxRetries: 3,
      workerId: 'worker-a',
      leaseExpiresAt: new Date(1_700_000_030_100),
      lastHeartbeat: new Date(1_700_000_000_400),
      cancelRequestedAt: null,
      cancelReason: null,
      result: null,
      errorCode: 'HANDLER_FAILED',
      errorMessage: 'boom',
      errorDetails: { line: 3 },
      idempotencyKey: 'k',
      processingTimeSeconds: null,
      lostAttempts: 4,
      deadlineAt: new Date(1_700_000_060_100),
    });
  });

  it('reads fields by place, not by value: the same array in another order is another job', () => {
    const swapped = [...JOB_FIELDS];
    const [message, stage] = [swapped.indexOf('message'), swapped.indexOf('stage')];
    [swapped[message], swapped[stage]] = [swapped[stage]!, swapped[message]!];
    expect(jobFromArray(arrayText(swapped))).toMatchObject({ stage: 'Speaking', message: 'speech' });
  });
});
