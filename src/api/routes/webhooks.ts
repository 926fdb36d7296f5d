/**
 * Webhooks: the deliveries of one of the caller's jobs, the caller's signing secret so they can
 * verify deliveries (docs/webhooks.md), and its rotation. Deliveries themselves are `webhook` jobs
 * (src/webhooks).
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { User } from '../../users/model.js';
import { LEGACY_SIGNATURE_HEADER, legacySecretSpelling } from '../../webhooks/legacy-signature.js';
import type { WebhookDelivery } from '../../webhooks/model.js';
import {
  checkOverlapSeconds,
  DEFAULT_OVERLAP_SECONDS,
  MAX_OVERLAP_SECONDS,
  previousSecretAt,
} from '../../webhooks/secret-rotation.js';
import { ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../../webhooks/signature.js';
import { Nullable } from '../schemas/json-types.js';
import { callerOf, scopeOf } from '../caller.js';
import type { ApiContext } from '../context.js';
import { notFound } from '../http-errors.js';
import { errorResponses, JobIdParams } from '../schemas/common.js';
import { jobNotFound } from '../../jobs/store-errors.js';

const DeliverySchema = Type.Object({
  id: Type.String(),
  delivery_id: Type.String({
    description: `The ${ID_HEADER} header: the webhook job id, the same on every retry`,
  }),
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
  webhook_secret: Type.String({
    description: 'whsec_<base64 key>: verify the webhook-signature header with it (Standard Webhooks)',
  }),
  previous_secret_expires_at: Nullable(
    Type.String({
      format: 'date-time',
      description: 'Until then deliveries are also signed with the secret the last rotation replaced',
    }),
  ),
  scheme: Type.String({ description: 'standard-webhooks-v1' }),
  signature_headers: Type.Array(Type.String()),
  signature_header: Type.String({
    description: `Deprecated: the legacy ${LEGACY_SIGNATURE_HEADER} (sha256=<hex HMAC of the body>), removed in the next release`,
  }),
  algorithm: Type.String(),
  legacy_webhook_secret: Type.String({
    description: `Deprecated: the key of ${LEGACY_SIGNATURE_HEADER}, the same secret as it was spelled before (base64url)`,
  }),
});

const RotateBody = Type.Union([
  Type.Object(
    {
      overlap_seconds: Type.Optional(
        Type.Integer({
          minimum: 0,
          maximum: MAX_OVERLAP_SECONDS,
          description: `How long the replaced secret keeps signing deliveries (default ${DEFAULT_OVERLAP_SECONDS}, a day; at most a week; 0 retires it at once)`,
        }),
      ),
    },
    { additionalProperties: false },
  ),
  Type.Null(),
]);
type RotateBody = Static<typeof RotateBody>;

/** The caller's secrets as the two secret routes answer them, never cached. */
function sendSecret(reply: FastifyReply, user: User): FastifyReply {
  const previous = previousSecretAt(user, new Date());
  return reply.header('cache-control', 'no-store').send({
    webhook_secret: user.webhookSecret,
    previous_secret_expires_at: previous?.expiresAt.toISOString() ?? null,
    scheme: 'standard-webhooks-v1',
    signature_headers: [ID_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER],
    signature_header: LEGACY_SIGNATURE_HEADER,
    algorithm: 'hmac-sha256',
    legacy_webhook_secret: legacySecretSpelling(user.webhookSecret),
  });
}

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
        summary: `The caller's webhook secret: ${SIGNATURE_HEADER} is v1,<base64 HMAC-SHA256 of "<${ID_HEADER}>.<${TIMESTAMP_HEADER}>.<body>">`,
        response: { 200: WebhookSecretSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const user = await users.getUser(callerOf(request).userId);
      if (!user) throw notFound('The calling user');
      return sendSecret(reply, user);
    },
  );

  server.post<{ Body: RotateBody }>(
    '/api/users/me/webhook-secret/rotate',
    {
      schema: {
        tags: ['webhooks'],
        summary:
          'A new webhook secret, answered here; the replaced one keeps signing deliveries beside it for overlap_seconds',
        body: RotateBody,
        response: { 200: WebhookSecretSchema, 409: errorResponses[400], ...errorResponses },
      },
    },
    async (request, reply) => {
      const overlap = checkOverlapSeconds(request.body?.overlap_seconds ?? DEFAULT_OVERLAP_SECONDS);
      const user = await users.rotateWebhookSecret(callerOf(request).userId, overlap);
      return sendSecret(reply, user);
    },
  );
}
