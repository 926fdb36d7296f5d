/** Plain-text renderings of jobs for the terminal. */
import type { Job } from '../jobs/model.js';

/**
 * Rows under a header, each column as wide as its widest cell; the last column is not padded, so a
 * long message never pushes the others apart. Cells never contain line breaks.
 */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ');

export function jobsTable(jobs: readonly Job[]): string {
  return table(
    ['ID', 'KIND', 'STATUS', 'PRIORITY', 'PROGRESS', 'MESSAGE'],
    jobs.map((job) => [
      job.id,
      job.kind,
      job.status,
      job.priority,
      `${job.progress}%${job.stage ? ` ${job.stage}` : ''}`,
      oneLine(job.message),
    ]),
  );
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
