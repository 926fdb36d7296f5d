/**
 * Live progress as server-sent events: the job's event log replayed after `Last-Event-ID`, then new
 * events as they are written (by any process: the log is read from the database), until the job
 * reaches a final state. Clients following the same job share one read of its log (JobEventFeeds).
 * The stream ends with an `error` event when its key is revoked meanwhile (key-watch.ts). A short
 * database outage does not end it (job-event-feeds.ts).
 */
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { isDatabaseUnavailable } from '../../db/outage.js';
import type { JobEvent } from '../../jobs/model.js';
import type { JobEventFeeds } from '../job-event-feeds.js';
import { presentedKey, scopeOf, scopeOfCaller } from '../caller.js';
import type { ApiContext } from '../context.js';
import { errorResponses, JobIdParams } from '../schemas/common.js';
import { jobNotFound } from '../../jobs/store-errors.js';
import { FROM_THE_START, inScope } from '../../jobs/store.js';
import type { KeyWatcher } from '../key-watch.js';

const KEEPALIVE_MS = 15_000;

export function eventRoutes(
  server: FastifyInstance,
  ctx: ApiContext,
  feeds: JobEventFeeds,
  keys: KeyWatcher,
): void {
  const { jobs } = ctx.app;
  server.get<{ Params: JobIdParams; Querystring: { after?: number } }>(
    '/api/presentations/jobs/:id/events',
    {
      schema: {
        tags: ['presentations'],
        summary: 'Follow a job: its events as text/event-stream (resumes after Last-Event-ID)',
        params: JobIdParams,
        querystring: Type.Object(
          {
            after: Type.Optional(
              Type.Integer({
                minimum: 0,
                maximum: Number.MAX_SAFE_INTEGER,
                description:
                  'Replay the events after this id (Last-Event-ID wins). Without either, the whole log, ' +
                  'from the `created` event, whose id is 0.',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: errorResponses,
      },
    },
    async (request, reply) => {
      const job = await jobs.get(request.params.id, scopeOf(request));
      if (!job) throw jobNotFound(request.params.id);
      const header = Number(request.headers['last-event-id']);
      // Without either, the whole log: the `created` event is id 0.
      const after =
        Number.isSafeInteger(header) && header >= 0 ? header : (request.query.after ?? FROM_THE_START);

      reply.hijack();
      const out = reply.raw;
      out.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-cache, no-transform',
        Connection: 'keep-alive',
        'X-Accel-Buffering': 'no',
      });
      let lastWrite = Date.now();
      const keepAlive = setInterval(() => {
        if (Date.now() - lastWrite < KEEPALIVE_MS) return;
        out.write(': keep-alive\n\n');
        lastWrite = Date.now();
      }, KEEPALIVE_MS / 3);
      const errorEvent = (code: string, message: string) =>
        out.write(`event: error\ndata: ${JSON.stringify({ code, message })}\n\n`);
      const stopWatching = keys.watch(
        presentedKey(request) ?? '',
        (caller) => inScope(scopeOfCaller(caller), job.userId),
        ({ code, message }) => {
          errorEvent(code, message);
          out.end();
        },
      );
      const stopFollowing = feeds.follow(job.id, after, {
        events(events) {
          for (const event of events)
            out.write(
              `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(eventToWire(event))}\n\n`,
            );
          lastWrite = Date.now();
        },
        end(error) {
          clearInterval(keepAlive);
          stopWatching();
          if (error && isDatabaseUnavailable(error)) {
            request.log.warn({ err: error }, 'event stream ended: the database stayed unavailable');
            errorEvent(
              'DATABASE_UNAVAILABLE',
              'The database stayed unavailable; reconnect with Last-Event-ID to resume',
            );
          } else if (error) {
            request.log.error({ err: error }, 'event stream failed');
            errorEvent('INTERNAL_ERROR', 'Reading the job’s events failed');
          }
          out.end();
        },
      });
      // The response closes when the stream ends or the client goes away.
      out.on('close', () => {
        clearInterval(keepAlive);
        stopWatching();
        stopFollowing();
      });
    },
  );
}

export function eventToWire(event: JobEvent) {
  return {
    id: event.id,
    job_id: event.jobId,
    at: event.at.toISOString(),
    type: event.type,
    status: event.status,
    progress: event.progress,
    stage: event.stage,
    message: event.message,
    attempt: event.attempt,
    worker_id: event.workerId,
    data: event.data,
  };
}
