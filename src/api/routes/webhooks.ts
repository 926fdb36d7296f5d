/**
 * Webhooks: the deliveries of one of the caller's jobs, and the caller's signing secret so they can
 * verify `X-Reelqueue-Signature`. Deliveries themselves are `webhook` jobs (src/webhooks).
 */
import { Type } from '@sinclair/typebox';
import { Nullable } from '../schemas/json-types.js';
import type { FastifyInstance } from 'fastify';
import type { WebhookDelivery } from '../../webhooks/model.js';
import { SIGNATURE_HEADER } from '../../webhooks/model.js';
import { callerOf, scopeOf } from '../caller.js';
import type { ApiContext } from '../context.js';
import { notFound } from '../http-errors.js';
import { errorResponses, JobIdParams } from '../schemas/common.js';
import { jobNotFound } from '../../jobs/store-errors.js';

const DeliverySchema = Type.Object({
  id: Type.String(),
  delivery_id: Type.String({ description: 'The X-Reelqueue-Delivery header: the webhook job id' }),
  job_id: Type.String(),
  attempt: Type.Integer(),
  url: Type.String(),
  event: Type.String(),
  status_code: Nullable(Type.Integer()),
  error: Nullable(Type.String()),
  duration_ms: Type.Integer(),
  at: Type.String({ format: 'date-time' }),
});

const DeliveryListSchema = Type.Object({
  job_id: Type.String(),
  deliveries: Type.Array(DeliverySchema),
  count: Type.Integer(),
});

const WebhookSecretSchema = Type.Object({
  webhook_secret: Type.String(),
  signature_header: Type.String(),
  algorithm: Type.String(),
});

function deliveryToWire(delivery: WebhookDelivery) {
  return {
    id: delivery.id,
    delivery_id: delivery.webhookJobId,
    job_id: delivery.jobId,
    attempt: delivery.attempt,
    url: delivery.url,
    event: delivery.event,
    status_code: delivery.statusCode,
    error: delivery.error,
    duration_ms: delivery.durationMs,
    at: delivery.at.toISOString(),
  };
}

export function webhookRoutes(server: FastifyInstance, ctx: ApiContext): void {
  const { jobs, webhooks, users } = ctx.app.database;

  server.get<{ Params: JobIdParams }>(
    '/api/presentations/jobs/:id/webhooks',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Every webhook delivery attempt for a job, oldest first',
        params: JobIdParams,
        response: { 200: DeliveryListSchema, ...errorResponses },
      },
    },
    async (request) => {
      const scope = scopeOf(request);
      const job = await jobs.get(request.params.id, scope);
      if (!job) throw jobNotFound(request.params.id);
      const deliveries = await webhooks.listDeliveries(job.id, scope);
      return { job_id: job.id, deliveries: deliveries.map(deliveryToWire), count: deliveries.length };
    },
  );

  server.get(
    '/api/users/me/webhook-secret',
    {
      schema: {
        tags: ['webhooks'],
        summary: `The caller's secret: ${SIGNATURE_HEADER} is sha256=<hex HMAC-SHA256 of the body>`,
        response: { 200: WebhookSecretSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const user = await users.getUser(callerOf(request).userId);
      if (!user) throw notFound('The calling user');
      return reply.header('cache-control', 'no-store').send({
        webhook_secret: user.webhookSecret,
        signature_header: SIGNATURE_HEADER,
        algorithm: 'hmac-sha256',
      });
    },
  );
}
