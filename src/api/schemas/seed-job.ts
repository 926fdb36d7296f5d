/**
 * A job as seed 001's clients read it (its `PresentationJob`, shared by seeds 000–002): `job_id`,
 * the seeds' status names, `progress` as a 0.0–1.0 fraction and one `error` string.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { Job } from '../../jobs/model.js';
import { seedStatusOf } from '../../jobs/seed-statuses.js';
import { Nullable, StringEnum } from './json-types.js';

export const SeedJobSchema = Type.Object({
  job_id: Type.String({ format: 'uuid' }),
  /** queued = pending, processing = running; cancelled and timed-out jobs read as failed. */
  status: StringEnum(['queued', 'processing', 'completed', 'failed'] as const),
  progress: Type.Number({ minimum: 0, maximum: 1, description: 'a fraction: 0.0 to 1.0' }),
  error: Nullable(Type.String()),
  video_url: Nullable(Type.String()),
  thumbnail_url: Nullable(Type.String()),
  slide_image_path: Nullable(Type.String()),
  created_at: Type.String({ format: 'date-time' }),
  completed_at: Nullable(Type.String({ format: 'date-time' })),
  last_heartbeat: Nullable(Type.String({ format: 'date-time' })),
  created_files: Type.Array(Type.String()),
});
export type SeedJob = Static<typeof SeedJobSchema>;

export const SeedJobIdParams = Type.Object(
  { job_id: Type.String({ minLength: 1, maxLength: 100 }) },
  { additionalProperties: false },
);
export type SeedJobIdParams = Static<typeof SeedJobIdParams>;

const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());

/** Why a job that did not complete ended, as one sentence (seed 001's `error`). */
function errorOf(job: Job): string | null {
  if (job.errorMessage) return job.errorMessage;
  if (job.status === 'cancelled') return `cancelled${job.cancelReason ? `: ${job.cancelReason}` : ''}`;
  if (job.status === 'timeout') return 'timeout';
  return null;
}

function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

export function jobToSeedWire(job: Job): SeedJob {
  const completed = job.status === 'completed' && job.kind === 'presentation';
  const slideImage = job.result?.slide_image_path;
  return {
    job_id: job.id,
    status: seedStatusOf(job.status),
    progress: job.progress / 100,
    error: errorOf(job),
    video_url: completed ? `/api/videos/${job.id}` : null,
    thumbnail_url: completed ? `/api/videos/${job.id}/thumbnail` : null,
    slide_image_path: typeof slideImage === 'string' ? slideImage : null,
    created_at: job.createdAt.toISOString(),
    completed_at: iso(job.completedAt),
    last_heartbeat: iso(job.lastHeartbeat),
    created_files: stringsOf(job.result?.created_files),
  };
}
