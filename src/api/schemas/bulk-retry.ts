/** Request and response schemas of `POST /api/presentations/jobs/bulk-retry`. */
import { Type, type Static } from '@sinclair/typebox';
import { JobWireSchema } from './job-wire.js';
import { StringEnum } from './json-types.js';

/** Most ids one bulk retry takes: a page of the job list, so that its transaction stays short. */
export const BULK_RETRY_MAX_IDS = 100;

export const BulkRetryBody = Type.Object(
  {
    job_ids: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
      minItems: 1,
      maxItems: BULK_RETRY_MAX_IDS,
    }),
    force_retry: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type BulkRetryBody = Static<typeof BulkRetryBody>;

/** What became of one id: `retried` with the job as queued again, or `refused` with the error. */
export const BulkRetryItem = Type.Object({
  job_id: Type.String(),
  outcome: StringEnum(['retried', 'refused'] as const),
  job: Type.Union([JobWireSchema, Type.Null()]),
  error: Type.Union([
    Type.Object({
      code: Type.String(),
      message: Type.String(),
      details: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
    }),
    Type.Null(),
  ]),
});

export const BulkRetryResult = Type.Object({
  /** Each id of the request once, in the order given. */
  results: Type.Array(BulkRetryItem),
  retried: Type.Integer({ minimum: 0 }),
  refused: Type.Integer({ minimum: 0 }),
});
export type BulkRetryResult = Static<typeof BulkRetryResult>;
