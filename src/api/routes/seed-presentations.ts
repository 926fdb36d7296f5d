/**
 * Seed 001's routes, `POST /presentations` and `GET /presentations/{job_id}`, for clients of seeds
 * 000–002: the body is that of `POST /api/presentations/generate`, the answer seed 001's job shape
 * (schemas/seed-job.ts). Authenticated and rate-limited like every /api route.
 */
import type { FastifyInstance } from 'fastify';
import { jobNotFound } from '../../jobs/store-errors.js';
import { scopeOf } from '../caller.js';
import type { ApiContext } from '../context.js';
import { errorResponses } from '../schemas/common.js';
import { GenerateBody } from '../schemas/presentations.js';
import { jobToSeedWire, SeedJobIdParams, SeedJobSchema } from '../schemas/seed-job.js';
import { queuePresentation } from './presentations.js';

const TAG = ['seed compatibility'];
const SHAPE =
  "Answers seed 001's job: job_id, status (queued, processing, completed, failed: cancelled and " +
  'timed-out jobs read as failed, the reason in error), progress as a fraction 0.0–1.0, error, ' +
  'video_url, thumbnail_url, slide_image_path, created_at, completed_at, last_heartbeat, created_files.';

export function seedPresentationRoutes(server: FastifyInstance, ctx: ApiContext): void {
  server.post<{ Body: GenerateBody }>(
    '/presentations',
    {
      schema: {
        tags: TAG,
        summary: 'Queue a presentation video (seed 001; the body of POST /api/presentations/generate)',
        description: SHAPE,
        body: GenerateBody,
        response: { 202: SeedJobSchema, 200: SeedJobSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { job, created } = await queuePresentation(ctx, request, request.body);
      return reply.status(created ? 202 : 200).send(jobToSeedWire(job));
    },
  );

  server.get<{ Params: SeedJobIdParams }>(
    '/presentations/:job_id',
    {
      schema: {
        tags: TAG,
        summary: "One job in seed 001's shape",
        description: SHAPE,
        params: SeedJobIdParams,
        response: { 200: SeedJobSchema, ...errorResponses },
      },
    },
    async (request) => {
      const job = await ctx.app.jobs.get(request.params.job_id, scopeOf(request));
      if (!job) throw jobNotFound(request.params.job_id);
      return jobToSeedWire(job);
    },
  );
}
