/**
 * Moving jobs between databases (`reelqueue jobs export` / `import`, the admin routes): an export
 * reads the store page by page in id order and writes JSON Lines (transfer-lines.ts); an import
 * checks every line first and writes nothing when one is refused, then writes the jobs in batches,
 * each batch one transaction.
 *
 * A job that was running when it was exported is imported pending (its worker is not in the new
 * database), as a stopping worker's release leaves it, with a `released` event; one whose
 * cancellation had been requested is imported cancelled.
 */
import { ReelqueueError, isReelqueueError } from '../errors.js';
import { invalidLine, jobLine, parseHeaderLine, parseJobLine, transferHeader } from './transfer-lines.js';
import {
  type ExportFilter,
  type ImportConflictRule,
  type JobStore,
  type TransferredEvent,
  type TransferredJob,
} from './store.js';

/** Jobs an export reads per page. */
export const EXPORT_PAGE_SIZE = 200;
/** Jobs an import writes per transaction. */
export const IMPORT_BATCH_SIZE = 200;
/** Parents an import looks up in the database per query. */
export const PARENT_CHECK_CHUNK_SIZE = 500;

/** The lines of an export (no line breaks): the header, then one job a line, in id order. */
export async function* exportLines(
  store: JobStore,
  filter: ExportFilter,
  exportedAt = new Date(),
): AsyncGenerator<string> {
  yield JSON.stringify(transferHeader(store.dialect, exportedAt));
  let afterId: string | null = null;
  for (;;) {
    const page = await store.exportJobs(filter, afterId, EXPORT_PAGE_SIZE);
    for (const record of page) yield JSON.stringify(jobLine(record));
    const last = page.at(-1);
    if (!last || page.length < EXPORT_PAGE_SIZE) return;
    afterId = last.job.id;
  }
}

export interface ImportSummary {
  /** Job lines read. */
  jobs: number;
  imported: number;
  skipped: number;
  /** Of the imported, those that were running when exported and were queued again (or cancelled). */
  requeued: number;
}

export interface ImportOptions {
  onConflict: ImportConflictRule;
  batchSize?: number;
  /** Parents looked up in the database per query (PARENT_CHECK_CHUNK_SIZE). */
  parentCheckChunkSize?: number;
  /** The time an import stamps on running jobs it queues again. */
  now?: Date;
}

/** Lines of the input, each with its 1-based number; blank lines are left out. */
async function* numbered(lines: AsyncIterable<string> | Iterable<string>) {
  let number = 0;
  for await (const text of lines) {
    number++;
    if (text.trim() !== '') yield { text, number };
  }
}

/**
 * Reads the lines once, checking each; IMPORT_INVALID_LINE at the first refused one. The parents
 * lines name that no earlier line holds go into `unresolved`, each with the first line naming it:
 * they must be in the database already (`checkParentsInStore`).
 */
export async function checkLines(
  lines: AsyncIterable<string> | Iterable<string>,
  unresolved = new Map<string, number>(),
): Promise<number> {
  const seen = new Set<string>();
  let jobs = 0;
  let header = false;
  for await (const { text, number } of numbered(lines)) {
    if (!header) {
      if (number !== 1)
        throw new ReelqueueError(
          'IMPORT_INVALID_LINE',
          'Line 1 of the import must be the header; nothing was imported',
          { line: 1, reason: 'is blank' },
        );
      parseHeaderLine(text);
      header = true;
      continue;
    }
    const record = parseJobLine(text, number);
    for (const parent of record.dependsOn) {
      if (!seen.has(parent) && !unresolved.has(parent)) unresolved.set(parent, number);
    }
    seen.add(record.job.id);
    jobs++;
  }
  if (!header) {
    throw new ReelqueueError(
      'IMPORT_INVALID_LINE',
      'The import is empty: it has no header line; nothing was imported',
      {
        line: 1,
        reason: 'is missing',
      },
    );
  }
  return jobs;
}

/**
 * IMPORT_INVALID_LINE (field `depends_on`) for the first line naming a parent that is neither on an
 * earlier line nor in the database. The parents are looked up `chunkSize` at a time, in line order,
 * one query a chunk. The store checks again when it writes (PARENT_NOT_FOUND).
 */
async function checkParentsInStore(
  store: JobStore,
  unresolved: ReadonlyMap<string, number>,
  chunkSize: number,
): Promise<void> {
  if (!Number.isInteger(chunkSize) || chunkSize < 1) {
    throw new RangeError(`parentCheckChunkSize must be a positive integer, not ${chunkSize}`);
  }
  const byLine = [...unresolved].sort(([, a], [, b]) => a - b);
  for (let start = 0; start < byLine.length; start += chunkSize) {
    const chunk = byLine.slice(start, start + chunkSize);
    const stored = await store.storedIds(chunk.map(([parent]) => parent));
    const missing = chunk.find(([parent]) => !stored.has(parent));
    if (missing) {
      const [parent, line] = missing;
      throw invalidLine(
        line,
        `names job ${parent}, which is neither in the database nor on an earlier line`,
        'depends_on',
      );
    }
  }
}

/**
 * Imports JSON Lines: `source` is called twice, once to check every line (nothing is written when
 * one is refused), once to write the jobs in batches of `batchSize`, each in one transaction. When
 * a batch fails (a taken id under `fail`, a database error), the batches before it stay imported,
 * that one is not, and the error's details say which lines and how many jobs were imported before.
 */
export async function importLines(
  store: JobStore,
  source: () => AsyncIterable<string> | Iterable<string>,
  options: ImportOptions,
): Promise<ImportSummary> {
  const unresolved = new Map<string, number>();
  const jobs = await checkLines(source(), unresolved);
  await checkParentsInStore(store, unresolved, options.parentCheckChunkSize ?? PARENT_CHECK_CHUNK_SIZE);
  const batchSize = options.batchSize ?? IMPORT_BATCH_SIZE;
  const now = options.now ?? new Date();
  const summary: ImportSummary = { jobs, imported: 0, skipped: 0, requeued: 0 };
  let batch: { record: TransferredJob; line: number; requeued: boolean }[] = [];

  const flush = async () => {
    if (batch.length === 0) return;
    const written = batch;
    batch = [];
    try {
      const outcome = await store.importJobs(
        written.map((entry) => entry.record),
        options.onConflict,
      );
      const imported = new Set(outcome.imported);
      summary.imported += outcome.imported.length;
      summary.skipped += outcome.skipped.length;
      summary.requeued += written.filter((e) => e.requeued && imported.has(e.record.job.id)).length;
    } catch (error) {
      throw batchFailed(error, written[0]!.line, written.at(-1)!.line, summary.imported);
    }
  };

  let header = true;
  for await (const { text, number } of numbered(source())) {
    if (header) {
      header = false;
      continue;
    }
    const parsed = parseJobLine(text, number);
    const record = asImported(parsed, now);
    batch.push({ record, line: number, requeued: record !== parsed });
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  return summary;
}

/** A refused batch's error, saying which lines were not imported and how many jobs were before them. */
function batchFailed(error: unknown, firstLine: number, lastLine: number, importedBefore: number): unknown {
  if (!isReelqueueError(error)) return error;
  return new ReelqueueError(
    error.code,
    `${error.message} (lines ${firstLine}–${lastLine} were not imported; ${importedBefore} jobs of earlier lines were)`,
    { ...error.details, firstLine, lastLine, importedBefore },
    { cause: error },
  );
}

/**
 * The record as it is imported: unchanged unless it was running. A running job's worker is not in
 * the new database: it is queued again as a stopping worker's release leaves it (no attempt used),
 * or, when its cancellation was requested, cancelled (its charged points are not refunded by the
 * import: users' balances are not part of it).
 */
export function asImported(record: TransferredJob, now: Date): TransferredJob {
  const { job } = record;
  if (job.status !== 'running') return record;
  const cancelled = job.cancelRequestedAt !== null;
  const message = cancelled ? 'Cancelled' : 'Imported while running; waiting to run again';
  const moved = cancelled
    ? {
        ...job,
        status: 'cancelled' as const,
        completedAt: now,
        errorCode: 'JOB_CANCELLED',
        errorMessage: 'Cancelled; it was running when it was exported',
        message,
      }
    : // As a release: the next run starts a fresh deadline (migration 0036).
      {
        ...job,
        status: 'pending' as const,
        workerId: null,
        progress: 0,
        stage: null,
        message,
        deadlineAt: null,
      };
  const event: TransferredEvent = {
    at: now,
    type: cancelled ? 'cancelled' : 'released',
    status: moved.status,
    progress: moved.progress,
    stage: moved.stage,
    message,
    attempt: job.attempt,
    workerId: moved.workerId,
    data: { worker_id: job.workerId, reason: 'imported while running' },
  };
  return {
    ...record,
    job: { ...moved, leaseExpiresAt: null, updatedAt: now },
    costPoints: record.costPoints,
    pointsCharged: cancelled ? 0 : record.pointsCharged,
    events: [...record.events, event],
  };
}
