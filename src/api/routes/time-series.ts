/**
 * The queue over time (`GET /api/presentations/jobs/statistics/timeseries`): per minute or hour,
 * jobs created, completed and failed, queue depth and processing-time percentiles, for the
 * dashboard's charts. Scoped as the statistics are: an admin sees every job, a user their own.
 */
import type { FastifyInstance } from 'fastify';
import { BUCKET_SECONDS, type JobTimeSeries } from '../../jobs/time-series.js';
import { scopeOf } from '../caller.js';
import type { ApiContext } from '../context.js';
import { errorResponses } from '../schemas/common.js';
import { TimeSeriesQuery, TimeSeriesSchema } from '../schemas/time-series.js';

const DEFAULT_HOURS = 24;

export function timeSeriesToWire(series: JobTimeSeries) {
  return {
    period_hours: series.periodHours,
    bucket: series.bucket,
    bucket_seconds: BUCKET_SECONDS[series.bucket],
    buckets: series.points.map((point) => ({
      start: point.start.toISOString(),
      created: point.created,
      completed: point.completed,
      failed: point.failed,
      queue_depth: point.queueDepth,
      processing_time_seconds: point.processingTimeSeconds,
    })),
  };
}

export function timeSeriesRoutes(server: FastifyInstance, ctx: ApiContext): void {
  server.get<{ Querystring: TimeSeriesQuery }>(
    '/api/presentations/jobs/statistics/timeseries',
    {
      schema: {
        tags: ['presentations'],
        summary: 'Jobs created, completed and failed, queue depth and processing time, per minute or hour',
        querystring: TimeSeriesQuery,
        response: { 200: TimeSeriesSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { hours = DEFAULT_HOURS, bucket = 'hour' } = request.query;
      return timeSeriesToWire(await ctx.app.jobs.timeSeries(hours, bucket, scopeOf(request)));
    },
  );
}
