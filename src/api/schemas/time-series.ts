/** The over-time statistics route's query and answer (`GET /api/presentations/jobs/statistics/timeseries`). */
import { Type, type Static } from '@sinclair/typebox';
import { MAX_SERIES_HOURS, TIME_BUCKETS } from '../../jobs/time-series.js';
import { Nullable, StringEnum } from './json-types.js';

const Count = Type.Integer({ minimum: 0 });
const Seconds = Nullable(Type.Number());

export const TimeSeriesQuery = Type.Object(
  {
    hours: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: MAX_SERIES_HOURS.hour,
        description: `The window, in hours (default 24); at most ${MAX_SERIES_HOURS.minute} with minute buckets`,
      }),
    ),
    bucket: Type.Optional(StringEnum(TIME_BUCKETS)),
  },
  { additionalProperties: false },
);
export type TimeSeriesQuery = Static<typeof TimeSeriesQuery>;

export const TimeSeriesPointSchema = Type.Object({
  start: Type.String({ format: 'date-time', description: 'Start of the bucket (UTC)' }),
  created: Count,
  completed: Count,
  failed: Type.Integer({ minimum: 0, description: 'Jobs that ended failed or timeout in the bucket' }),
  queue_depth: Type.Integer({
    minimum: 0,
    description: "Jobs created and not yet started or finished at the bucket's end (now, for the last one)",
  }),
  processing_time_seconds: Type.Object({ count: Count, p50: Seconds, p95: Seconds, p99: Seconds }),
});

export const TimeSeriesSchema = Type.Object({
  period_hours: Type.Number(),
  bucket: StringEnum(TIME_BUCKETS),
  bucket_seconds: Type.Integer(),
  buckets: Type.Array(TimeSeriesPointSchema, {
    description: "Oldest first: from the window's start, rounded down to the bucket, to now",
  }),
});
