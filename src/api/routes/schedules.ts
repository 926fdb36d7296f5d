/**
 * Recurring jobs' schedules: admin only. A schedule's jobs belong to no user (they are the
 * operator's, like cron on a server): no points are charged and no user sees them; an admin does.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { JsonObject } from '../../jobs/model.js';
import type { ScheduleChanges } from '../../schedules/model.js';
import { requireAdmin } from '../caller.js';
import type { ApiContext } from '../context.js';
import { errorResponses } from '../schemas/common.js';
import { scheduleToWire } from '../schemas/schedule-wire.js';
import {
  CreateScheduleBody,
  DeletedScheduleSchema,
  ScheduleListSchema,
  ScheduleNameParams,
  ScheduleSchema,
  UpdateScheduleBody,
} from '../schemas/schedules.js';

const TAG = ['schedules'];
const adminOnly = async (request: FastifyRequest) => requireAdmin(request);
/** The wire's snake_case fields as the model's changes (only those given). */
function changesFrom(body: UpdateScheduleBody): ScheduleChanges {
  return {
    ...(body.cron !== undefined && { cron: body.cron }),
    ...(body.time_zone !== undefined && { timeZone: body.time_zone }),
    ...(body.kind !== undefined && { kind: body.kind }),
    ...(body.payload !== undefined && { payload: body.payload as JsonObject }),
    ...(body.priority !== undefined && { priority: body.priority }),
    ...(body.enabled !== undefined && { enabled: body.enabled }),
    ...(body.catch_up !== undefined && { catchUp: body.catch_up }),
    ...(body.catch_up_limit !== undefined && { catchUpLimit: body.catch_up_limit }),
  };
}

export function scheduleRoutes(server: FastifyInstance, ctx: ApiContext): void {
  const { schedules } = ctx.app;

  server.get(
    '/api/schedules',
    {
      onRequest: adminOnly,
      schema: {
        tags: TAG,
        summary: 'Every schedule of recurring jobs, by name (admin)',
        response: { 200: ScheduleListSchema, ...errorResponses },
      },
    },
    async () => {
      const all = await schedules.list();
      return { schedules: all.map(scheduleToWire), count: all.length };
    },
  );

  server.post<{ Body: CreateScheduleBody }>(
    '/api/schedules',
    {
      onRequest: adminOnly,
      schema: {
        tags: TAG,
        summary: 'Add a schedule: a job of `kind` queued at each tick of `cron` in `time_zone` (admin)',
        body: CreateScheduleBody,
        response: { 201: ScheduleSchema, 409: errorResponses[400], ...errorResponses },
      },
    },
    async (request, reply) => {
      const { name, cron, kind, ...rest } = request.body;
      const created = await schedules.create({ name, cron, kind, ...changesFrom(rest) });
      return reply.status(201).send(scheduleToWire(created));
    },
  );

  server.get<{ Params: ScheduleNameParams }>(
    '/api/schedules/:name',
    {
      onRequest: adminOnly,
      schema: {
        tags: TAG,
        summary: 'One schedule, with its next and last tick (admin)',
        params: ScheduleNameParams,
        response: { 200: ScheduleSchema, ...errorResponses },
      },
    },
    async (request) => scheduleToWire(await schedules.get(request.params.name)),
  );

  server.patch<{ Params: ScheduleNameParams; Body: UpdateScheduleBody }>(
    '/api/schedules/:name',
    {
      onRequest: adminOnly,
      schema: {
        tags: TAG,
        summary:
          'Change a schedule; a new cron, time zone or enabled state starts its ticks again from now (admin)',
        params: ScheduleNameParams,
        body: UpdateScheduleBody,
        response: { 200: ScheduleSchema, ...errorResponses },
      },
    },
    async (request) => scheduleToWire(await schedules.update(request.params.name, changesFrom(request.body))),
  );

  server.delete<{ Params: ScheduleNameParams }>(
    '/api/schedules/:name',
    {
      onRequest: adminOnly,
      schema: {
        tags: TAG,
        summary: 'Remove a schedule; the jobs it queued stay (admin)',
        params: ScheduleNameParams,
        response: { 200: DeletedScheduleSchema, ...errorResponses },
      },
    },
    async (request) => {
      await schedules.remove(request.params.name);
      return { name: request.params.name, deleted: true as const };
    },
  );
}
