/** Plain-text renderings of jobs for the terminal. */
import type { Job } from '../jobs/model.js';

export function jobLine(job: Job): string {
  const stage = job.stage ? ` ${job.stage}` : '';
  return `${job.id}  ${job.kind.padEnd(12)} ${job.status.padEnd(9)} ${job.priority.padEnd(6)} ${String(
    job.progress,
  ).padStart(3)}%${stage}  ${job.message}`;
}

export function jobDetails(job: Job, queuePosition: number | null): string {
  const rows: [string, unknown][] = [
    ['id', job.id],
    ['kind', job.kind],
    ['status', job.status],
    ['priority', job.priority],
    ['progress', `${job.progress}%${job.stage ? ` (${job.stage})` : ''}`],
    ['message', job.message],
    ['queue position', queuePosition],
    ['attempt', job.attempt],
    ['retries', `${job.retryCount} of ${job.maxRetries}`],
    ['lost with their worker', job.lostAttempts],
    ['worker', job.workerId],
    ['created', job.createdAt.toISOString()],
    ['run at', job.runAt.toISOString()],
    ['started', job.startedAt?.toISOString()],
    ['completed', job.completedAt?.toISOString()],
    ['lease expires', job.leaseExpiresAt?.toISOString()],
    ['timeout', `${job.timeoutSeconds} s`],
    [
      'processing time',
      job.processingTimeSeconds === null ? null : `${job.processingTimeSeconds.toFixed(3)} s`,
    ],
    ['error', job.errorCode ? `${job.errorCode}: ${job.errorMessage ?? ''}` : null],
    ['payload', JSON.stringify(job.payload)],
    ['result', job.result === null ? null : JSON.stringify(job.result)],
  ];
  return rows
    .filter(([, value]) => value !== null && value !== undefined)
    .map(([name, value]) => `${name.padEnd(16)}${String(value)}`)
    .join('\n');
}
