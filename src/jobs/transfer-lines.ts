/**
 * The JSON Lines format of `reelqueue jobs export` / `import` and the admin routes: a header line
 * `{"format":"reelqueue-jobs","version":1,…}`, then one job a line with every column of its row
 * (snake_case, times as ISO 8601 text) and its `events`. Every line of an import is checked here
 * before anything is written: a line that is not a job this version can store is refused with
 * IMPORT_INVALID_LINE, naming the line and the field.
 */
import { ReelqueueError } from '../errors.js';
import {
  JOB_EVENT_TYPES,
  JOB_PRIORITIES,
  JOB_STATUSES,
  ON_PARENT_FAILURE,
  isJobId,
  type Job,
  type JobEventType,
  type JobPriority,
  type JobStatus,
  type JsonObject,
  type OnParentFailure,
} from './model.js';
import { MAX_PARENTS } from './dependencies.js';
import type { TransferredEvent, TransferredJob } from './store.js';

export const TRANSFER_FORMAT = 'reelqueue-jobs';
export const TRANSFER_VERSION = 1;

export interface TransferHeader {
  format: typeof TRANSFER_FORMAT;
  version: number;
  exported_at: string;
  /** The database the jobs came from (`sqlite` or `postgres`): for the reader, not the import. */
  dialect: string;
  /** Videos and thumbnails are not part of the format: jobs' rows and events only. */
  videos: false;
}

export function transferHeader(dialect: string, exportedAt: Date): TransferHeader {
  return {
    format: TRANSFER_FORMAT,
    version: TRANSFER_VERSION,
    exported_at: exportedAt.toISOString(),
    dialect,
    videos: false,
  };
}

const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());

/** One job as its line's object (`JSON.stringify` it, one line). */
export function jobLine(record: TransferredJob) {
  const { job } = record;
  return {
    id: job.id,
    kind: job.kind,
    user_id: job.userId,
    lesson_id: job.lessonId,
    status: job.status,
    priority: job.priority,
    payload: job.payload,
    progress: job.progress,
    stage: job.stage,
    message: job.message,
    created_at: job.createdAt.toISOString(),
    updated_at: job.updatedAt.toISOString(),
    run_at: job.runAt.toISOString(),
    started_at: iso(job.startedAt),
    completed_at: iso(job.completedAt),
    timeout_seconds: job.timeoutSeconds,
    attempt: job.attempt,
    retry_count: job.retryCount,
    max_retries: job.maxRetries,
    lost_attempts: job.lostAttempts,
    worker_id: job.workerId,
    lease_expires_at: iso(job.leaseExpiresAt),
    last_heartbeat: iso(job.lastHeartbeat),
    cancel_requested_at: iso(job.cancelRequestedAt),
    cancel_reason: job.cancelReason,
    result: job.result,
    error_code: job.errorCode,
    error_message: job.errorMessage,
    error_details: job.errorDetails,
    idempotency_key: job.idempotencyKey,
    processing_time_seconds: job.processingTimeSeconds,
    deadline_at: iso(job.deadlineAt),
    cost_points: record.costPoints,
    points_charged: record.pointsCharged,
    events: record.events.map((event) => ({
      at: event.at.toISOString(),
      type: event.type,
      status: event.status,
      progress: event.progress,
      stage: event.stage,
      message: event.message,
      attempt: event.attempt,
      worker_id: event.workerId,
      data: event.data,
    })),
    depends_on: record.dependsOn,
    on_parent_failure: record.onParentFailure,
    waiting_parents: record.waitingParents,
  };
}

export type JobLine = ReturnType<typeof jobLine>;
type EventLine = JobLine['events'][number];

const JOB_KEYS = Object.keys(jobLine(sampleRecord())) as (keyof JobLine)[];
/** Fields of the dependencies (migration 0030): a line written before them has none, and no parents. */
const DEPENDENCY_KEYS: (keyof JobLine)[] = ['depends_on', 'on_parent_failure', 'waiting_parents'];
/** Keys a line may leave out: those of fields added after the format (the attempt's deadline: 0036). */
const OPTIONAL_KEYS: (keyof JobLine)[] = [...DEPENDENCY_KEYS, 'deadline_at'];
const EVENT_KEYS: (keyof EventLine)[] = [
  'at',
  'type',
  'status',
  'progress',
  'stage',
  'message',
  'attempt',
  'worker_id',
  'data',
];
/** Events an import stores; `created` is read from the job itself in both databases. */
const STORED_EVENT_TYPES = JOB_EVENT_TYPES.filter((type) => type !== 'created');
const INT32_MAX = 2_147_483_647;
/** ISO 8601 with a zone, as `toISOString` writes it (a year of four digits). */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** JSON values nested deeper than this are refused (no database needs more; walks stay short). */
const MAX_JSON_DEPTH = 64;

/** IMPORT_INVALID_LINE for line `line` (1-based); `field` names where, when one field is at fault. */
export function invalidLine(line: number, reason: string, field?: string): ReelqueueError {
  return new ReelqueueError(
    'IMPORT_INVALID_LINE',
    `Line ${line} of the import: ${field ? `${field} ` : ''}${reason}; nothing was imported`,
    { line, reason, ...(field !== undefined && { field }) },
  );
}

/** Why `text` cannot be stored as text in both databases, or null. */
function textProblem(text: string): string | null {
  if (text.includes('\u0000')) return 'must not contain NUL (\\u0000) characters';
  if (LONE_SURROGATE.test(text)) return 'must be valid Unicode text (it holds a lone surrogate)';
  return null;
}

/** Reads one line's fields, each refused with the line number and the field's name. */
class LineReader {
  constructor(
    private readonly line: number,
    private readonly object: Record<string, unknown>,
    private readonly prefix = '',
  ) {}

  fail(field: string, reason: string): never {
    throw invalidLine(this.line, reason, `${this.prefix}${field}`);
  }

  exactKeys(keys: readonly string[], optional: readonly string[] = []): void {
    for (const key of keys)
      if (!(key in this.object) && !optional.includes(key)) this.fail(key, 'is missing');
    const extra = Object.keys(this.object).find((key) => !keys.includes(key));
    if (extra !== undefined) this.fail(extra, 'is not a field of the format');
  }

  text(field: string): string {
    const value = this.object[field];
    if (typeof value !== 'string') this.fail(field, 'must be a string');
    const problem = textProblem(value);
    if (problem) this.fail(field, problem);
    return value;
  }

  has(field: string): boolean {
    return field in this.object;
  }

  /** Job ids, each once, not `self`, at most MAX_PARENTS. */
  parentIds(field: string, self: string): string[] {
    const ids = this.list(field).map((value, index) => {
      if (typeof value !== 'string' || !isJobId(value))
        this.fail(`${field}/${index}`, 'must be a job id (a UUID)');
      return value.toLowerCase();
    });
    if (new Set(ids).size !== ids.length) this.fail(field, 'must name each job once');
    if (ids.includes(self)) this.fail(field, 'must not name the job itself');
    if (ids.length > MAX_PARENTS) this.fail(field, `may name at most ${MAX_PARENTS} jobs`);
    return ids;
  }

  textOrNull(field: string): string | null {
    return this.object[field] === null ? null : this.text(field);
  }

  oneOf<T extends string>(field: string, allowed: readonly T[]): T {
    const value = this.object[field];
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      this.fail(field, `must be one of ${allowed.join(', ')}`);
    }
    return value as T;
  }

  integer(field: string, min: number, max: number): number {
    const value = this.object[field];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.fail(field, `must be a whole number from ${min} to ${max}`);
    }
    return value;
  }

  secondsOrNull(field: string): number | null {
    const value = this.object[field];
    if (value === null) return null;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      this.fail(field, 'must be a finite number of seconds, 0 or more, or null');
    }
    return value;
  }

  time(field: string): Date {
    const value = this.object[field];
    const date = typeof value === 'string' && ISO_TIME.test(value) ? new Date(value) : null;
    if (!date || Number.isNaN(date.getTime())) {
      this.fail(field, 'must be an ISO 8601 time with a zone, such as 2026-01-31T12:00:00.000Z');
    }
    return date;
  }

  timeOrNull(field: string): Date | null {
    return this.object[field] === null ? null : this.time(field);
  }

  jsonObject(field: string): JsonObject {
    const value = this.object[field];
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.fail(field, 'must be a JSON object');
    }
    const problem = jsonProblem(value);
    if (problem) this.fail(`${field}${problem.at}`, problem.problem);
    return value as JsonObject;
  }

  jsonObjectOrNull(field: string): JsonObject | null {
    return this.object[field] === null ? null : this.jsonObject(field);
  }

  list(field: string): unknown[] {
    const value = this.object[field];
    if (!Array.isArray(value)) this.fail(field, 'must be an array');
    return value;
  }
}

/** The first value inside a JSON value that a database cannot store as it is, or null. */
function jsonProblem(root: unknown): { at: string; problem: string } | null {
  const stack: { value: unknown; at: string; depth: number }[] = [{ value: root, at: '', depth: 0 }];
  while (stack.length > 0) {
    const { value, at, depth } = stack.pop()!;
    if (depth > MAX_JSON_DEPTH) return { at, problem: `nests deeper than ${MAX_JSON_DEPTH} levels` };
    if (typeof value === 'number' && !Number.isFinite(value)) {
      return { at, problem: 'must be a finite number' };
    }
    if (typeof value === 'string') {
      const problem = textProblem(value);
      if (problem) return { at, problem };
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => stack.push({ value: item, at: `${at}/${index}`, depth: depth + 1 }));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        const problem = textProblem(key);
        if (problem) return { at: `${at}/${key}`, problem: `is named by a key that ${problem}` };
        stack.push({ value: item, at: `${at}/${key}`, depth: depth + 1 });
      }
    }
  }
  return null;
}

function parseObject(text: string, line: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw invalidLine(line, `is not JSON (${(error as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalidLine(line, 'must be a JSON object');
  }
  return value as Record<string, unknown>;
}

/** The header (the first line): refused unless it names this format and a version this one reads. */
export function parseHeaderLine(text: string): TransferHeader {
  const object = parseObject(text, 1);
  if (object.format !== TRANSFER_FORMAT) {
    throw invalidLine(
      1,
      `must be the header {"format":"${TRANSFER_FORMAT}","version":${TRANSFER_VERSION},…}`,
    );
  }
  if (object.version !== TRANSFER_VERSION) {
    throw invalidLine(
      1,
      `is of format version ${JSON.stringify(object.version)}; this reelqueue reads version ${TRANSFER_VERSION}`,
      'version',
    );
  }
  return object as unknown as TransferHeader;
}

function parseEvent(line: number, index: number, value: unknown): TransferredEvent {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalidLine(line, 'must be a JSON object', `events/${index}`);
  }
  const r = new LineReader(line, value as Record<string, unknown>, `events/${index}/`);
  r.exactKeys(EVENT_KEYS);
  return {
    at: r.time('at'),
    type: r.oneOf<JobEventType>('type', STORED_EVENT_TYPES),
    status: r.oneOf<JobStatus>('status', JOB_STATUSES),
    progress: r.integer('progress', 0, 100),
    stage: r.textOrNull('stage'),
    message: r.textOrNull('message'),
    attempt: r.integer('attempt', 0, INT32_MAX),
    workerId: r.textOrNull('worker_id'),
    data: r.jsonObjectOrNull('data'),
  };
}

/** One job line, checked field by field (IMPORT_INVALID_LINE naming the first fault). */
export function parseJobLine(text: string, line: number): TransferredJob {
  const r = new LineReader(line, parseObject(text, line));
  r.exactKeys(JOB_KEYS, OPTIONAL_KEYS);
  const id = r.text('id');
  if (!isJobId(id)) r.fail('id', 'must be a job id (a UUID)');
  const kind = r.text('kind');
  if (kind === '') r.fail('kind', 'must not be empty');
  const job: Job = {
    id: id.toLowerCase(),
    kind,
    userId: r.textOrNull('user_id'),
    lessonId: r.textOrNull('lesson_id'),
    status: r.oneOf<JobStatus>('status', JOB_STATUSES),
    priority: r.oneOf<JobPriority>('priority', JOB_PRIORITIES),
    payload: r.jsonObject('payload'),
    progress: r.integer('progress', 0, 100),
    stage: r.textOrNull('stage'),
    message: r.text('message'),
    createdAt: r.time('created_at'),
    updatedAt: r.time('updated_at'),
    runAt: r.time('run_at'),
    startedAt: r.timeOrNull('started_at'),
    completedAt: r.timeOrNull('completed_at'),
    timeoutSeconds: r.integer('timeout_seconds', 1, INT32_MAX),
    attempt: r.integer('attempt', 0, INT32_MAX),
    retryCount: r.integer('retry_count', 0, INT32_MAX),
    maxRetries: r.integer('max_retries', 0, INT32_MAX),
    lostAttempts: r.integer('lost_attempts', 0, INT32_MAX),
    workerId: r.textOrNull('worker_id'),
    leaseExpiresAt: r.timeOrNull('lease_expires_at'),
    lastHeartbeat: r.timeOrNull('last_heartbeat'),
    cancelRequestedAt: r.timeOrNull('cancel_requested_at'),
    cancelReason: r.textOrNull('cancel_reason'),
    result: r.jsonObjectOrNull('result'),
    errorCode: r.textOrNull('error_code'),
    errorMessage: r.textOrNull('error_message'),
    errorDetails: r.jsonObjectOrNull('error_details'),
    idempotencyKey: r.textOrNull('idempotency_key'),
    processingTimeSeconds: r.secondsOrNull('processing_time_seconds'),
    deadlineAt: r.has('deadline_at') ? r.timeOrNull('deadline_at') : null,
  };
  const costPoints = r.integer('cost_points', 0, INT32_MAX);
  const pointsCharged = r.integer('points_charged', 0, INT32_MAX);
  const events = r.list('events').map((event, index) => parseEvent(line, index, event));
  const dependsOn = r.has('depends_on') ? r.parentIds('depends_on', job.id) : [];
  const onParentFailure = r.has('on_parent_failure')
    ? r.oneOf<OnParentFailure>('on_parent_failure', ON_PARENT_FAILURE)
    : 'fail';
  const waitingParents = r.has('waiting_parents') ? r.integer('waiting_parents', 0, dependsOn.length) : 0;
  if (job.status === 'waiting') {
    if (dependsOn.length === 0) r.fail('depends_on', 'must name at least one job: the job is waiting');
    if (waitingParents === 0) r.fail('waiting_parents', 'must be 1 or more: the job is waiting');
  }
  return { job, costPoints, pointsCharged, events, dependsOn, onParentFailure, waitingParents };
}

/** A record with every field set, whose line's keys are the format's. */
function sampleRecord(): TransferredJob {
  const at = new Date(0);
  return {
    job: {
      id: '00000000-0000-4000-8000-000000000000',
      kind: 'noop',
      userId: null,
      lessonId: null,
      status: 'pending',
      priority: 'normal',
      payload: {},
      progress: 0,
      stage: null,
      message: '',
      createdAt: at,
      updatedAt: at,
      runAt: at,
      startedAt: null,
      completedAt: null,
      timeoutSeconds: 1,
      attempt: 0,
      retryCount: 0,
      maxRetries: 0,
      lostAttempts: 0,
      workerId: null,
      leaseExpiresAt: null,
      lastHeartbeat: null,
      cancelRequestedAt: null,
      cancelReason: null,
      result: null,
      errorCode: null,
      errorMessage: null,
      errorDetails: null,
      idempotencyKey: null,
      processingTimeSeconds: null,
      deadlineAt: null,
    },
    costPoints: 0,
    pointsCharged: 0,
    events: [],
    dependsOn: [],
    onParentFailure: 'fail',
    waitingParents: 0,
  };
}
