/**
 * The API's wire types, imported from the server's own schemas so the dashboard cannot drift from
 * them. Only the three answers whose routes publish no response schema yet are written out here.
 */
import type { Static } from '@sinclair/typebox';
import type {
  AdminUserListSchema,
  AdminUserSchema,
  ApiKeySchema,
  CreatedKeySchema,
  CreatedUserSchema,
  CreateUserBody,
} from '../../../api/schemas/admin.js';
import type { ErrorSchema } from '../../../api/schemas/common.js';
import type { BulkRetryResult } from '../../../api/schemas/bulk-retry.js';
import type {
  BulkCancelResult,
  GenerateBody,
  JobListSchema,
  JobWithPayloadSchema,
} from '../../../api/schemas/presentations.js';
import type { eventToWire } from '../../../api/routes/events.js';
import type { HealthMetrics, JobStatistics } from '../../../jobs/store.js';
import type { JobStatus } from '../../../jobs/model.js';
import type { UserRole } from '../../../users/model.js';

export type { JobWire } from '../../../api/schemas/job-wire.js';
export type JobList = Static<typeof JobListSchema>;
export type JobWithPayload = Static<typeof JobWithPayloadSchema>;
export type JobEventWire = ReturnType<typeof eventToWire>;
export type ErrorBody = Static<typeof ErrorSchema>;
export type GenerateRequest = GenerateBody;
export type BulkCancelOutcome = Static<typeof BulkCancelResult>;
export type BulkRetryOutcome = BulkRetryResult;
export type AdminUser = Static<typeof AdminUserSchema>;
export type AdminUserList = Static<typeof AdminUserListSchema>;
export type CreatedKey = Static<typeof CreatedKeySchema>;
export type CreatedUser = Static<typeof CreatedUserSchema>;
export type NewUserRequest = CreateUserBody;
export type RevokedKey = Static<typeof ApiKeySchema>;

// Answers without a published response schema (GET /api/users/me, .../jobs/health, .../statistics):
// the field names follow src/api/routes/system.ts and presentations.ts, the value types the domain.

export interface Me {
  id: string;
  role: UserRole;
  walletAddress: string | null;
  prompt_points: number;
  job_cost_points: number;
  usage: Record<'total' | JobStatus, number>;
}

export interface QueueHealth extends Record<'total' | JobStatus, number> {
  failure_rate: HealthMetrics['failureRate'];
  oldest_pending_job_age_minutes: HealthMetrics['oldestPendingJobAgeMinutes'];
  database: string;
}

export interface QueueStatistics {
  period_hours: number;
  total: number;
  by_status: JobStatistics['totals'];
  failure_rate: number;
  oldest_pending_job_age_minutes: number | null;
  processing_time_seconds: JobStatistics['processingTimeSeconds'];
  priority_distribution: JobStatistics['priorityDistribution'];
  error_codes: JobStatistics['errorCodes'];
  retried_jobs: number;
}

export interface RecoveryOutcome {
  timeout_minutes: number;
  requeued: string[];
  failed: string[];
  cancelled: string[];
}

export interface CleanupOutcome {
  deleted: number;
  max_age_hours: number;
  age_from: 'completed_at' | 'created_at';
  statuses: string[];
}
