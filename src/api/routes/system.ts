/** Liveness, readiness, database health, Prometheus metrics and the caller's own account. */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { databaseUnavailable, OUTAGE_RETRY_AFTER_SECONDS } from '../../db/outage.js';
import type { ApiContext } from '../context.js';
import { callerOf, ownScopeOf } from '../caller.js';
import type { Metrics } from '../metrics.js';
import { errorResponses } from '../schemas/common.js';
import { AccountSchema } from '../schemas/queue-health.js';

export function publicSystemRoutes(server: FastifyInstance, ctx: ApiContext, metrics: Metrics): void {
  server.get('/healthz', { schema: { tags: ['system'], summary: 'The process is up' } }, async () => ({
    ok: true,
  }));

  server.get(
    '/readyz',
    { schema: { tags: ['system'], summary: 'The database answers' } },
    async (_request, reply) => {
      const problem = await databaseProblem(ctx);
      if (!problem) return reply.send({ ok: true, database: ctx.app.database.dialect });
      return notReady(reply).send({ ok: false, database: ctx.app.database.dialect, error: problem });
    },
  );

  server.get(
    '/api/db/health',
    { schema: { tags: ['system'], summary: "Database health (the legacy video service's route)" } },
    async (_r, reply) => {
      const problem = await databaseProblem(ctx);
      return problem ? notReady(reply).send({ ok: false, error: problem }) : reply.send({ ok: true });
    },
  );

  server.get(
    '/metrics',
    { schema: { tags: ['system'], summary: 'Prometheus metrics', hide: true } },
    async (_r, reply) => {
      const text = await metrics.registry.metrics();
      return reply.header('Content-Type', metrics.registry.contentType).send(text);
    },
  );
}

/** Why the database does not answer (the outage's code and what to do), or null when it does. */
async function databaseProblem(ctx: ApiContext) {
  try {
    await ctx.app.jobs.ping();
    return null;
  } catch (error) {
    ctx.app.logger.warn({ err: error }, 'readiness: the database does not answer');
    const { code, message, details } = databaseUnavailable(error);
    return { code, message, details: details ?? null };
  }
}

function notReady(reply: FastifyReply): FastifyReply {
  return reply.status(503).header('Retry-After', String(OUTAGE_RETRY_AFTER_SECONDS));
}

export function accountRoutes(server: FastifyInstance, ctx: ApiContext): void {
  server.get(
    '/api/users/me',
    {
      schema: {
        tags: ['users'],
        summary: 'The caller: points, wallet, usage',
        response: { 200: AccountSchema, ...errorResponses },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const [user, usage] = await Promise.all([
        ctx.users.getUser(caller.userId),
        ctx.app.jobs.health(ownScopeOf(request)),
      ]);
      return {
        id: caller.userId,
        role: caller.role,
        walletAddress: caller.walletAddress,
        prompt_points: user?.promptPoints ?? 0,
        job_cost_points: ctx.jobCostPoints,
        usage: {
          total: usage.total,
          pending: usage.pending,
          running: usage.running,
          completed: usage.completed,
          failed: usage.failed,
          cancelled: usage.cancelled,
          timeout: usage.timeout,
          waiting: usage.waiting,
        },
      };
    },
  );
}
