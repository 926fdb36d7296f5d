/**
 * What the queue-health, statistics, cleanup, recovery and account routes answer: declared so OpenAPI documents them
 * and the responses are serialised by their schema (a field not declared here is never sent).
 */
import { Type, type TObject, type TProperties } from '@sinclair/typebox';
import { Nullable, StringEnum } from './json-types.js';
import { USER_ROLES } from '../../users/model.js';
import { JOB_PRIORITIES, JOB_STATUSES } from '../../jobs/model.js';

const Count = Type.Integer({ minimum: 0 });
const MaybeNumber = Nullable(Type.Number());

/** An object with one count per name, every name present. */
function countsOf(names: readonly string[], description: string): TObject<TProperties> {
  return Type.Object(Object.fromEntries(names.map((name) => [name, Count])), { description });
}

const StatusCounts = {
  total: Count,
  pending: Count,
  running: Count,
  completed: Count,
  failed: Count,
  cancelled: Count,
  timeout: Count,
  /** Jobs waiting for the jobs they depend on (`depends_on`). */
  waiting: Count,
};

export const QueueHealthSchema = Type.Object({
  ...StatusCounts,
  failure_rate: Type.Number({ description: 'Percent of the counted jobs that ended failed or timeout' }),
  period_hours: Nullable(
    Type.Number({
      description:
        'The `hours` asked for: the counts and failure_rate are of the jobs created in that window; null: of every job',
    }),
  ),
  oldest_pending_job_age_minutes: Nullable(
    Type.Number({ description: "Age of the queue's oldest pending job, whatever the window" }),
  ),
  worker_id: Nullable(
    Type.String({
      description:
        'The id of the worker running in the process that answered (seed 003); null when that process runs none (an API-only node)',
    }),
  ),
  worker_ids: Type.Array(Type.String(), {
    description: 'Every worker running in the process that answered (SERVE_WORKERS), worker_id first',
  }),
  database: StringEnum(['sqlite', 'postgres'] as const),
});

export const StatisticsSchema = Type.Object({
  period_hours: Type.Number(),
  total: Count,
  by_status: countsOf(JOB_STATUSES, 'Jobs created in the period, by status'),
  failure_rate: Type.Number(),
  oldest_pending_job_age_minutes: MaybeNumber,
  processing_time_seconds: Type.Object({
    count: Count,
    average: MaybeNumber,
    p50: MaybeNumber,
    p95: MaybeNumber,
    p99: MaybeNumber,
    max: MaybeNumber,
  }),
  priority_distribution: countsOf(JOB_PRIORITIES, 'Jobs created in the period, by priority'),
  error_codes: Type.Record(Type.String(), Count, { description: 'Failed jobs by error code' }),
  retried_jobs: Count,
});

export const AccountSchema = Type.Object({
  id: Type.String(),
  role: StringEnum(USER_ROLES),
  walletAddress: Nullable(Type.String()),
  prompt_points: Count,
  job_cost_points: Count,
  usage: Type.Object(StatusCounts),
});

export const DeletedJobSchema = Type.Object({ job_id: Type.String(), deleted: Type.Literal(true) });

export const CleanupResultSchema = Type.Object({
  deleted: Count,
  max_age_hours: Type.Number(),
  /** `completed_at` (default) or `created_at` (with `days`): where the age is counted from. */
  age_from: Type.Union([Type.Literal('completed_at'), Type.Literal('created_at')]),
  /** The statuses deleted: every finished status unless `status` named some. */
  statuses: Type.Array(Type.String()),
});

const JobIds = Type.Array(Type.String({ format: 'uuid' }));

export const RecoveryResultSchema = Type.Object({
  timeout_minutes: Type.Number(),
  requeued: JobIds,
  failed: JobIds,
  cancelled: JobIds,
});
