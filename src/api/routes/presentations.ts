/**
 * Seed 003's `/api/presentations/...` family. Handlers parse (schema), authorise (owner in the
 * query), call the domain, and map the result.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ReelqueueError } from '../../errors.js';
import { lessonNotFound } from '../../lessons/errors.js';
import { JOB_PRIORITIES, type JobPriority, type JsonObject } from '../../jobs/model.js';
import { jobNotFound } from '../../jobs/store-errors.js';
import { STATUS_INPUT_NAMES, statusesNamed } from '../../jobs/seed-statuses.js';
import type { RetryOutcome } from '../../jobs/store.js';
import { callerOf, ownScopeOf, requireAdmin, scopeOf } from '../caller.js';
import { FINISHED_STATUSES } from '../../jobs/cleanup-filter.js';
import { activeLimitFor, retryLimitFor, type ApiContext } from '../context.js';
import { HttpError, refusalOf } from '../http-errors.js';
import { LESSON_RETENTION_NOTE } from '../lesson-retention.js';
import { BULK_RETRY_MAX_IDS, BulkRetryBody, BulkRetryResult } from '../schemas/bulk-retry.js';
import { ErrorSchema, errorResponses, JobIdParams } from '../schemas/common.js';
import { jobWithFamilyToWire } from '../schemas/job-family-wire.js';
import { jobToWire, JobWireSchema } from '../schemas/job-wire.js';
import {
  CleanupResultSchema,
  DeletedJobSchema,
  QueueHealthSchema,
  RecoveryResultSchema,
  StatisticsSchema,
} from '../schemas/queue-health.js';
import {
  BulkCancelBody,
  BulkCancelQuery,
  BulkCancelResult,
  CancelBody,
  ChangeJobBody,
  CleanupQuery,
  GenerateBody,
  HoursQuery,
  JobListSchema,
  JobQuery,
  JobWithPayloadSchema,
  ListQuery,
  RecoveryQuery,
  RetryBody,
  RetryBodyOrNull,
} from '../schemas/presentations.js';

const TAG = ['presentations'];

/** The answers a retry is refused with besides the usual ones: as for a new job, and 409. */
const retryRefusals = { 402: ErrorSchema, 409: ErrorSchema, 429: ErrorSchema };

function bulkRetryToWire(
  outcomes: readonly RetryOutcome[],
  positions: ReadonlyMap<string, number>,
): BulkRetryResult {
  const results = outcomes.map((outcome) =>
    outcome.job
      ? {
          job_id: outcome.jobId,
          outcome: 'retried' as const,
          job: jobToWire(outcome.job, positions.get(outcome.jobId) ?? null),
          error: null,
        }
      : { job_id: outcome.jobId, outcome: 'refused' as const, job: null, error: refusalOf(outcome.error) },
  );
  const retried = results.filter((result) => result.job).length;
  return { results, retried, refused: results.length - retried };
}

function listOf<T extends string>(
  text: string | undefined,
  allowed: readonly T[],
  field: string,
): T[] | undefined {
  if (text === undefined || text === '') return undefined;
  const values = text.split(',').map((v) => v.trim());
  const unknown = values.filter((v) => !(allowed as readonly string[]).includes(v));
  if (unknown.length > 0) {
    throw new HttpError(
      'VALIDATION_FAILED',
      `Unknown ${field} ${unknown.join(', ')}; use ${allowed.join(', ')}`,
      {
        field,
      },
    );
  }
  return values as T[];
}

/**
 * Queues a presentation job for the caller, charging points in the same transaction. The store
 * checks the caller's active-jobs limit and inserts atomically, whichever API node the request
 * reaches.
 */
export async function queuePresentation(ctx: ApiContext, request: FastifyRequest, body: GenerateBody) {
  const caller = callerOf(request);
  const payload: JsonObject = {};
  for (const field of [
    'lesson',
    'markdown',
    'script',
    'title',
    'style',
    'voice',
    'resolution',
    'subtitle',
    'author',
    'captions',
    'title_slide',
    'closing_slide',
    'assets',
    'reveal_bullets',
    'webhook_url',
  ] as const) {
    const value = body[field];
    if (value !== undefined) payload[field] = value as JsonObject[string];
  }
  payload.use_llm_polish = body.use_llm_polish ?? false;
  if (!body.lesson && !body.markdown && !body.script) {
    if (body.lesson_id === undefined) {
      throw new ReelqueueError(
        'VALIDATION_FAILED',
        'Send the lesson to render: one of lesson_id, lesson, markdown or script',
        {
          fields: ['lesson_id', 'lesson', 'markdown', 'script'],
        },
      );
    }
    // Only the content was left out: render the caller's stored lesson (another user's is not found).
    const stored = await ctx.app.database.lessons.get(body.lesson_id, caller.userId);
    if (!stored) throw lessonNotFound(body.lesson_id);
    payload.lesson = stored.body;
  }
  return ctx.app.enqueue(
    {
      kind: 'presentation',
      payload,
      userId: caller.userId,
      lessonId: body.lesson_id ?? null,
      idempotencyKey: body.idempotency_key ?? null,
      costPoints: ctx.jobCostPoints,
      ...(body.priority && { priority: body.priority }),
      ...(body.timeout_seconds !== undefined && { timeoutSeconds: body.timeout_seconds }),
      ...(body.max_retries !== undefined && { maxRetries: body.max_retries }),
      ...(body.depends_on !== undefined && { dependsOn: body.depends_on }),
      ...(body.on_parent_failure !== undefined && { onParentFailure: body.on_parent_failure }),
    },
    { activeLimit: activeLimitFor(ctx.limits, caller) },
  );
}

export function presentationRoutes(server: FastifyInstance, ctx: ApiContext): void {
  const { jobs } = ctx.app;

  server.post<{ Body: GenerateBody }>(
    '/api/presentations/generate',
    {
      schema: {
        tags: TAG,
        summary: 'Queue a presentation video (lesson, markdown or script)',
        description: LESSON_RETENTION_NOTE,
        body: GenerateBody,
        response: {
          202: JobWireSchema,
          200: JobWireSchema,
          ...errorResponses,
          413: ErrorSchema,
          422: ErrorSchema,
        },
      },
    },
    async (request, reply) => {
      const { job, created } = await queuePresentation(ctx, request, request.body);
      // The job and its position read together: `pending` always comes with its position; a job a
      // worker has claimed already answers `running` (position null), as a status read would.
      const now = await jobs.getWithPosition(job.id, ownScopeOf(request));
      return reply
        .status(created ? 202 : 200)
        .send(now ? jobToWire(now.job, now.queuePosition) : jobToWire(job, null));
    },
  );

  server.get<{ Querystring: ListQuery }>(
    '/api/presentations/jobs',
    {
      schema: {
        tags: TAG,
        summary: 'List jobs, newest first, with filters and cursor paging',
        querystring: ListQuery,
        response: { 200: JobListSchema, ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const names = listOf<string>(q.status, STATUS_INPUT_NAMES, 'status');
      const statuses = names && statusesNamed(names);
      const priorities = listOf<JobPriority>(q.priority, JOB_PRIORITIES, 'priority');
      const kinds = q.kind
        ?.split(',')
        .map((kind) => kind.trim())
        .filter(Boolean);
      const page = await jobs.list(
        {
          limit: q.limit ?? 20,
          cursor: q.cursor ?? null,
          ...(statuses && { statuses }),
          ...(priorities && { priorities }),
          ...(kinds && { kinds }),
          ...(q.id_prefix !== undefined && { idPrefix: q.id_prefix }),
          ...(q.include_finished !== undefined && { includeFinished: q.include_finished }),
        },
        scopeOf(request),
      );
      // Every pending job of the page with its position, read in one query for the page.
      const pending = page.jobs.filter((job) => job.status === 'pending').map((job) => job.id);
      const positions = pending.length > 0 ? await jobs.queuePositions(pending) : new Map<string, number>();
      return {
        jobs: page.jobs.map((job) => jobToWire(job, positions.get(job.id) ?? null)),
        count: page.jobs.length,
        next_cursor: page.nextCursor,
      };
    },
  );

  server.get<{ Params: JobIdParams; Querystring: JobQuery }>(
    '/api/presentations/jobs/:id',
    {
      schema: {
        tags: TAG,
        summary: 'One job, with its queue position (and its payload with include_payload=true)',
        params: JobIdParams,
        querystring: JobQuery,
        response: { 200: JobWithPayloadSchema, ...errorResponses },
      },
    },
    async (request) => {
      const found = await jobs.getWithPosition(request.params.id, scopeOf(request));
      if (!found) throw jobNotFound(request.params.id);
      const wire = await jobWithFamilyToWire(jobs, found.job, scopeOf(request), found.queuePosition);
      return request.query.include_payload ? { ...wire, payload: found.job.payload } : wire;
    },
  );

  server.patch<{ Params: JobIdParams; Body: ChangeJobBody }>(
    '/api/presentations/jobs/:id',
    {
      schema: {
        tags: TAG,
        summary:
          "Change a pending job's priority, which moves its place in the queue (its owner, or an admin)",
        description:
          '409 JOB_NOT_PENDING once the job is running or finished: a claim that took it first wins, ' +
          'and the job keeps its priority. The change is recorded as a `priority_changed` event.',
        params: JobIdParams,
        body: ChangeJobBody,
        response: { 200: JobWireSchema, 409: errorResponses[400], ...errorResponses },
      },
    },
    async (request) => {
      const job = await jobs.changePriority(request.params.id, request.body.priority, scopeOf(request));
      // The job as it is now, with its new position (or already running, claimed since).
      const now = await jobs.getWithPosition(job.id, scopeOf(request));
      return now ? jobToWire(now.job, now.queuePosition) : jobToWire(job, null);
    },
  );

  server.post<{ Params: JobIdParams; Body: { reason?: string } | null }>(
    '/api/presentations/jobs/:id/cancel',
    {
      schema: {
        tags: TAG,
        summary: 'Cancel a job: a pending one never starts, a running one is stopped',
        params: JobIdParams,
        body: CancelBody,
        response: { 200: JobWireSchema, 202: JobWireSchema, 409: errorResponses[400], ...errorResponses },
      },
    },
    async (request, reply) => {
      const outcome = await jobs.cancel(request.params.id, request.body?.reason ?? null, scopeOf(request));
      if (outcome.state === 'already_finished' && outcome.job.status !== 'cancelled') {
        throw new ReelqueueError(
          'JOB_NOT_CANCELLABLE',
          `Job ${outcome.job.id} already ${outcome.job.status}`,
          {
            jobId: outcome.job.id,
            status: outcome.job.status,
          },
        );
      }
      return reply.status(outcome.state === 'requested' ? 202 : 200).send(jobToWire(outcome.job));
    },
  );

  server.post<{ Params: JobIdParams; Body: RetryBody | null }>(
    '/api/presentations/jobs/:id/retry',
    {
      schema: {
        tags: TAG,
        summary: 'Queue a failed, cancelled or timed-out job again (force_retry ignores the limit)',
        description:
          "force_retry ignores the job's max_retries, never the owner's MAX_ACTIVE_JOBS_PER_USER " +
          '(429 TOO_MANY_JOBS) nor the points a job costs (402 INSUFFICIENT_POINTS), which a retry ' +
          'obeys as a new job does.',
        params: JobIdParams,
        body: RetryBodyOrNull,
        response: { 200: JobWireSchema, ...retryRefusals, ...errorResponses },
      },
    },
    async (request) => {
      const job = await jobs.retry(
        request.params.id,
        { force: request.body?.force_retry ?? false },
        scopeOf(request),
        { activeLimit: retryLimitFor(ctx.limits, callerOf(request)) },
      );
      // As a create: the job as it is now, `pending` with its position or already `running`.
      const now = await jobs.getWithPosition(job.id, scopeOf(request));
      return now ? jobToWire(now.job, now.queuePosition) : jobToWire(job, null);
    },
  );

  server.post<{ Body: BulkRetryBody }>(
    '/api/presentations/jobs/bulk-retry',
    {
      schema: {
        tags: TAG,
        summary: 'Queue many failed, cancelled or timed-out jobs again, reporting what became of each id',
        description:
          'Each id is retried as POST /api/presentations/jobs/{id}/retry would, in the order given, in ' +
          `one transaction (at most ${BULK_RETRY_MAX_IDS} ids). An id that is refused (JOB_NOT_FOUND, ` +
          'JOB_NOT_RETRYABLE, RETRY_LIMIT_REACHED, TOO_MANY_JOBS, INSUFFICIENT_POINTS) gets its error ' +
          'and is left as it was; the others are queued again.',
        body: BulkRetryBody,
        response: { 200: BulkRetryResult, ...errorResponses },
      },
    },
    async (request) => {
      const outcomes = await jobs.retryMany(
        request.body.job_ids,
        { force: request.body.force_retry ?? false },
        scopeOf(request),
        { activeLimit: retryLimitFor(ctx.limits, callerOf(request)) },
      );
      // The retried jobs' positions, read for all of them in one query.
      const retried = outcomes.flatMap((outcome) => (outcome.job ? [outcome.jobId] : []));
      const positions = retried.length > 0 ? await jobs.queuePositions(retried) : new Map<string, number>();
      return bulkRetryToWire(outcomes, positions);
    },
  );

  server.post<{ Querystring: { reason?: string }; Body: BulkCancelBody }>(
    '/api/presentations/jobs/bulk-cancel',
    {
      schema: {
        tags: TAG,
        summary: 'Cancel many jobs with one reason',
        querystring: BulkCancelQuery,
        body: BulkCancelBody,
        response: { 200: BulkCancelResult, ...errorResponses },
      },
    },
    async (request) => {
      const reason = request.query.reason ?? null;
      const outcome = await jobs.cancelMany(request.body.job_ids, reason, scopeOf(request));
      return {
        cancelled: outcome.cancelled,
        cancel_requested: outcome.cancelRequested,
        already_finished: outcome.alreadyFinished,
        not_found: outcome.notFound,
        reason,
      };
    },
  );

  server.delete<{ Querystring: { max_age_hours?: number; days?: number; status?: string } }>(
    '/api/presentations/jobs/cleanup',
    {
      schema: {
        tags: TAG,
        summary:
          "Delete finished jobs older than max_age_hours, or created more than `days` ago, optionally of the given statuses (a user's own; an admin's: everyone's)",
        querystring: CleanupQuery,
        response: { 200: CleanupResultSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { max_age_hours: maxAgeHours, days } = request.query;
      if (maxAgeHours !== undefined && days !== undefined) {
        throw new HttpError('VALIDATION_FAILED', 'Give max_age_hours or days, not both', { field: 'days' });
      }
      const statuses = listOf(request.query.status, FINISHED_STATUSES, 'status');
      const ageFrom = days === undefined ? 'completed' : 'created';
      const hours = days !== undefined ? days * 24 : (maxAgeHours ?? ctx.app.config.cleanupMaxAgeHours);
      const deleted = await jobs.cleanup(hours, scopeOf(request), { statuses, ageFrom });
      return {
        deleted,
        max_age_hours: hours,
        age_from: `${ageFrom}_at` as const,
        statuses: statuses ?? [...FINISHED_STATUSES],
      };
    },
  );

  server.delete<{ Params: JobIdParams }>(
    '/api/presentations/jobs/:id',
    {
      schema: {
        tags: TAG,
        summary:
          'Delete one finished job with its events, video and thumbnail (its owner, or an admin); 409 JOB_NOT_FINISHED while it is pending or running',
        params: JobIdParams,
        response: { 200: DeletedJobSchema, ...errorResponses },
      },
    },
    async (request) => {
      await jobs.deleteJob(request.params.id, scopeOf(request));
      return { job_id: request.params.id, deleted: true as const };
    },
  );

  server.get<{ Querystring: { hours?: number } }>(
    '/api/presentations/jobs/health',
    {
      schema: {
        tags: TAG,
        summary: 'Health metrics of the queue',
        querystring: HoursQuery,
        response: { 200: QueueHealthSchema, ...errorResponses },
      },
    },
    async (request) => {
      const hours = request.query.hours ?? null;
      const health = await jobs.health(scopeOf(request), hours);
      const workerIds = ctx.app.workerIds();
      return {
        total: health.total,
        pending: health.pending,
        running: health.running,
        completed: health.completed,
        failed: health.failed,
        cancelled: health.cancelled,
        timeout: health.timeout,
        waiting: health.waiting,
        failure_rate: health.failureRate,
        period_hours: hours,
        oldest_pending_job_age_minutes: health.oldestPendingJobAgeMinutes,
        worker_id: workerIds[0] ?? null,
        worker_ids: workerIds,
        database: ctx.app.database.dialect,
      };
    },
  );

  server.get<{ Querystring: { hours?: number } }>(
    '/api/presentations/jobs/statistics',
    {
      schema: {
        tags: TAG,
        summary: 'Statistics over the last `hours`',
        querystring: HoursQuery,
        response: { 200: StatisticsSchema, ...errorResponses },
      },
    },
    async (request) => {
      const s = await jobs.statistics(request.query.hours ?? 24, scopeOf(request));
      return {
        period_hours: s.periodHours,
        total: s.total,
        by_status: s.totals,
        failure_rate: s.failureRate,
        oldest_pending_job_age_minutes: s.oldestPendingJobAgeMinutes,
        processing_time_seconds: s.processingTimeSeconds,
        priority_distribution: s.priorityDistribution,
        error_codes: s.errorCodes,
        retried_jobs: s.retriedJobs,
      };
    },
  );

  server.post<{ Querystring: { timeout_minutes?: number } }>(
    '/api/presentations/jobs/system/recovery',
    {
      schema: {
        tags: TAG,
        summary: 'Re-queue running jobs whose worker stopped heartbeating (admin)',
        querystring: RecoveryQuery,
        response: { 200: RecoveryResultSchema, ...errorResponses },
      },
    },
    async (request) => {
      requireAdmin(request);
      const minutes = request.query.timeout_minutes ?? ctx.app.config.orphanedJobTimeoutMinutes;
      const expired = await jobs.recoverExpiredLeases();
      const stale = await jobs.recoverStale(minutes);
      return {
        timeout_minutes: minutes,
        requeued: [...expired.requeued, ...stale.requeued],
        failed: [...expired.failed, ...stale.failed],
        cancelled: [...expired.cancelled, ...stale.cancelled],
      };
    },
  );
}
