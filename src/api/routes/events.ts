/**
 * Live progress as server-sent events: the job's event log replayed after `Last-Event-ID`, then new
 * events as they are written (by any process: the log is read from the database), until the job
 * reaches a final state.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { isFinished, type JobEvent } from '../../jobs/model.js';
import { scopeOf } from '../caller.js';
import type { ApiContext } from '../context.js';
import { errorResponses, JobIdParams } from '../schemas/common.js';
import { jobNotFound } from '../../jobs/store-errors.js';

const POLL_MS = 250;
const KEEPALIVE_MS = 15_000;
const FINAL_EVENTS = new Set(['completed', 'failed', 'timeout', 'cancelled']);

export function eventRoutes(server: FastifyInstance, ctx: ApiContext): void {
  const { jobs } = ctx.app;
  server.get<{ Params: JobIdParams; Querystring: { after?: number } }>(
    '/api/presentations/jobs/:id/events',
    {
      schema: {
        tags: ['presentations'],
        summary: 'Follow a job: its events as text/event-stream (resumes after Last-Event-ID)',
        params: JobIdParams,
        querystring: Type.Object(
          { after: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })) },
          { additionalProperties: false },
        ),
        response: errorResponses,
      },
    },
    async (request, reply) => {
      const job = await jobs.get(request.params.id, scopeOf(request));
      if (!job) throw jobNotFound(request.params.id);
      const header = Number(request.headers['last-event-id']);
      let after = Number.isSafeInteger(header) && header >= 0 ? header : (request.query.after ?? 0);

      reply.hijack();
      const out = reply.raw;
      out.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-cache, no-transform',
        Connection: 'keep-alive',
        'X-Accel-Buffering': 'no',
      });
      let open = true;
      request.raw.on('close', () => {
        open = false;
      });
      const send = (event: JobEvent) => {
        out.write(`id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(eventToWire(event))}\n\n`);
      };
      let lastWrite = Date.now();
      try {
        while (open) {
          const events = await jobs.listEvents(job.id, after, 500);
          for (const event of events) {
            send(event);
            after = event.id;
            lastWrite = Date.now();
          }
          const finalSeen = events.some((e) => FINAL_EVENTS.has(e.type) && isFinished(e.status));
          if (finalSeen) break;
          if (events.length === 0) {
            const now = await jobs.get(job.id, scopeOf(request));
            if (!now || (isFinished(now.status) && (await jobs.listEvents(job.id, after, 1)).length === 0))
              break;
          }
          if (Date.now() - lastWrite > KEEPALIVE_MS) {
            out.write(': keep-alive\n\n');
            lastWrite = Date.now();
          }
          if (events.length < 500) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        }
      } catch (error) {
        request.log.error({ err: error }, 'event stream failed');
        if (open) out.write(`event: error\ndata: ${JSON.stringify({ code: 'INTERNAL_ERROR' })}\n\n`);
      } finally {
        out.end();
      }
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
    data: event.data,
  };
}
