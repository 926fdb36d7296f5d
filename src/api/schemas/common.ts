/** Schemas shared by many routes. */
import { Type, type Static } from '@sinclair/typebox';

export const ErrorSchema = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      details: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
    }),
  },
  { $id: 'Error' },
);

export const JobIdParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 100 }) },
  { additionalProperties: false },
);
export type JobIdParams = Static<typeof JobIdParams>;

export const VideoJobIdParams = Type.Object(
  { jobId: Type.String({ minLength: 1, maxLength: 100 }) },
  { additionalProperties: false },
);
export type VideoJobIdParams = Static<typeof VideoJobIdParams>;

/** The usual error answers, referenced by every route's response schema. */
export const errorResponses = {
  400: ErrorSchema,
  401: ErrorSchema,
  403: ErrorSchema,
  404: ErrorSchema,
};
