/** Liveness, readiness, database health, Prometheus metrics and the caller's own account. */
import type { FastifyInstance } from 'fastify';
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
      const ok = await ctx.app.jobs.ping();
      return reply.status(ok ? 200 : 503).send({ ok, database: ctx.app.database.dialect });
    },
  );

  server.get(
    '/api/db/health',
    { schema: { tags: ['system'], summary: 'Database health (seed 004)' } },
    async (_r, reply) => {
      const ok = await ctx.app.jobs.ping();
      return reply.status(ok ? 200 : 503).send({ ok });
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
        },
      };
    },
  );
}
