/**
 * Seed 004's routes: `/api/generate`, `/api/videos/status/{jobId}`, and the video, thumbnail and
 * captions, streamed from the database chunk by chunk with Range support.
 */
import { Readable } from 'node:stream';
import { Type, type Static } from '@sinclair/typebox';
import { Nullable } from '../schemas/json-types.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ArtifactKind } from '../../artifacts/model.js';
import type { Job } from '../../jobs/model.js';
import type { ApiContext } from '../context.js';
import { errorBody, HttpError } from '../http-errors.js';
import { parseRange } from '../http-range.js';
import { errorResponses, VideoJobIdParams } from '../schemas/common.js';
import { SCRIPT_LENGTH } from '../schemas/presentations.js';
import { generatingCaller, readableJob } from '../service-caller.js';
import { LESSON_RETENTION_NOTE } from '../lesson-retention.js';
import { queuePresentation } from './presentations.js';

const TAG = ['videos'];

const GenerateScriptBody = Type.Object(
  {
    script: Type.String({ minLength: 1, description: SCRIPT_LENGTH }),
    walletAddress: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
);
type GenerateScriptBody = Static<typeof GenerateScriptBody>;

const GenerateScriptResponse = Type.Object({
  jobId: Type.String(),
  videoId: Type.String(),
  status: Type.String(),
  message: Type.String(),
});

const VideoStatus = Type.Object({
  jobId: Type.String(),
  status: Type.String(),
  ready: Type.Boolean(),
  error: Nullable(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  videoAvailable: Type.Boolean(),
  progress: Type.Integer(),
  stage: Nullable(Type.String()),
});

/** Seed 004's status names: pending | generating | failed | completed (a waiting job is pending). */
function seed004Status(job: Job): string {
  if (job.status === 'running') return 'generating';
  if (job.status === 'waiting') return 'pending';
  if (job.status === 'pending' || job.status === 'completed') return job.status;
  return 'failed';
}

export function videoRoutes(server: FastifyInstance, ctx: ApiContext): void {
  server.post<{ Body: GenerateScriptBody }>(
    '/api/generate',
    {
      schema: {
        tags: TAG,
        summary: "Queue a scrolling-script video (the legacy video service's route)",
        description:
          "A user key may name only its own walletAddress (403 WALLET_MISMATCH). A service key (role service) must name one and acts for it: the wallet's user is created on first use (role user, no points), and the job is that user's, paid with its points and held to its MAX_ACTIVE_JOBS_PER_USER. A service key may call only this route and /api/videos/... (403 FORBIDDEN elsewhere). " +
          LESSON_RETENTION_NOTE,
        body: GenerateScriptBody,
        response: { 202: GenerateScriptResponse, 200: GenerateScriptResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { walletAddress, script, title } = request.body;
      // A service key's request runs as the wallet's user from here on (points, limits, owner).
      request.caller = await generatingCaller(ctx, request, walletAddress);
      const { job, created } = await queuePresentation(ctx, request, {
        script,
        style: 'scrolling',
        ...(title && { title }),
      });
      return reply.status(created ? 202 : 200).send({
        jobId: job.id,
        videoId: job.id,
        status: seed004Status(job),
        message: 'Video generation queued; follow it at /api/videos/status/' + job.id,
      });
    },
  );

  server.get<{ Params: VideoJobIdParams }>(
    '/api/videos/status/:jobId',
    {
      schema: {
        tags: TAG,
        summary: "Status of a video job (the legacy video service's fields)",
        params: VideoJobIdParams,
        response: { 200: VideoStatus, ...errorResponses },
      },
    },
    async (request) => {
      const job = await readableJob(ctx, request, request.params.jobId);
      if (!job) throw new HttpError('JOB_NOT_FOUND', `No job ${request.params.jobId}`);
      const video = job.status === 'completed' ? await ctx.artifacts.find(job.id, 'video') : null;
      return {
        jobId: job.id,
        status: seed004Status(job),
        ready: video !== null,
        error: job.status === 'completed' ? null : job.errorMessage,
        createdAt: job.createdAt.toISOString(),
        updatedAt: job.updatedAt.toISOString(),
        videoAvailable: video !== null,
        progress: job.progress,
        stage: job.stage,
      };
    },
  );

  const serve =
    (kind: ArtifactKind) =>
    async (request: FastifyRequest<{ Params: VideoJobIdParams }>, reply: FastifyReply) => {
      const job = await readableJob(ctx, request, request.params.jobId);
      if (!job) throw new HttpError('JOB_NOT_FOUND', `No job ${request.params.jobId}`);
      const artifact = await ctx.artifacts.find(job.id, kind);
      if (!artifact && job.result?.video_expired === true) {
        const when =
          typeof job.result.video_expired_at === 'string' ? ` at ${job.result.video_expired_at}` : '';
        throw new HttpError(
          'NOT_FOUND',
          `Job ${job.id}'s ${kind} expired${when} (VIDEO_RETENTION_HOURS) and was deleted; the job is kept`,
        );
      }
      if (!artifact)
        throw new HttpError('NOT_FOUND', `Job ${job.id} has no ${kind} (yet): it is ${job.status}`);
      const etag = `"${artifact.sha256}"`;
      void reply
        .header('Accept-Ranges', 'bytes')
        .header('ETag', etag)
        .header('Content-Type', artifact.contentType)
        .header('Cache-Control', 'private, max-age=3600');
      if (request.headers['if-none-match'] === etag) return reply.status(304).send();
      const ifRange = request.headers['if-range'];
      const range =
        ifRange && ifRange !== etag
          ? { kind: 'whole' as const }
          : parseRange(request.headers.range, artifact.size);
      if (range.kind === 'unsatisfiable') {
        // The error is JSON, not the artifact's type (an object sent as video/mp4 is a 500).
        return reply
          .status(416)
          .header('Content-Range', `bytes */${artifact.size}`)
          .type('application/json; charset=utf-8')
          .send(errorBody('RANGE_NOT_SATISFIABLE', 'The range is outside the file'));
      }
      const [start, end] = range.kind === 'partial' ? [range.start, range.end] : [0, artifact.size - 1];
      const length = artifact.size === 0 ? 0 : end - start + 1;
      void reply.header('Content-Length', String(length));
      if (range.kind === 'partial') {
        void reply.status(206).header('Content-Range', `bytes ${start}-${end}/${artifact.size}`);
      }
      if (request.method === 'HEAD') {
        // Answer the headers alone, with the real Content-Length of what a GET would send.
        reply.hijack();
        reply.raw.writeHead(reply.statusCode, reply.getHeaders() as Record<string, string>);
        reply.raw.end();
        return reply;
      }
      if (length === 0) return reply.send();
      // Byte mode with a 1-byte mark: the next piece is read only once the last one has gone to the
      // socket. (Readable.from's default, object mode, reads 16 pieces ahead of a slow client.)
      const pieces = ctx.artifacts.read(artifact.id, { offset: start, length });
      return reply.send(Readable.from(pieces, { objectMode: false, highWaterMark: 1 }));
    };

  const videoSchema = (summary: string) => ({
    schema: { tags: TAG, summary, params: VideoJobIdParams, response: errorResponses },
    exposeHeadRoute: true,
  });
  server.get('/api/videos/:jobId', videoSchema('The MP4 video, with Range support'), serve('video'));
  server.get('/api/videos/:jobId/thumbnail', videoSchema('The PNG thumbnail'), serve('thumbnail'));
  server.get(
    '/api/videos/:jobId/captions.vtt',
    videoSchema('The captions as WebVTT (none when the job was queued with captions "off")'),
    serve('captions'),
  );
}
