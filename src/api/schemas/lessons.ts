/** Request and response schemas of `/api/lessons`. */
import { Type, type Static } from '@sinclair/typebox';
import { Nullable } from './json-types.js';
import { AssetsSchema, LessonInputSchema, SCRIPT_LENGTH } from './presentations.js';

const Slides = LessonInputSchema.properties.slides;

/** One of: `{title, slides}` (JSON), `{markdown, title?}` or `{script, title?}`. */
export const CreateLessonBody = Type.Object(
  {
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    slides: Type.Optional(Slides),
    markdown: Type.Optional(Type.String({ minLength: 1, description: SCRIPT_LENGTH })),
    script: Type.Optional(Type.String({ minLength: 1, description: SCRIPT_LENGTH })),
    assets: Type.Optional(AssetsSchema),
  },
  { additionalProperties: false },
);
export type CreateLessonBody = Static<typeof CreateLessonBody>;

const SlideWire = Type.Object({
  title: Type.String(),
  bullets: Type.Array(Type.String()),
  narration: Type.String(),
  image: Type.Optional(
    Type.Object({
      src: Type.String({ description: 'A data URL or asset:NAME, as stored.' }),
      alt: Type.String(),
    }),
  ),
});

export const LessonWireSchema = Type.Object({
  id: Type.String(),
  user_id: Type.String(),
  title: Type.String(),
  slides: Type.Array(SlideWire),
  slide_count: Type.Integer(),
  created_at: Type.String({ format: 'date-time' }),
});
export type LessonWire = Static<typeof LessonWireSchema>;

export const LessonSummarySchema = Type.Object({
  id: Type.String(),
  title: Type.String(),
  slide_count: Type.Integer(),
  created_at: Type.String({ format: 'date-time' }),
});

export const LessonListSchema = Type.Object({
  lessons: Type.Array(LessonSummarySchema),
  count: Type.Integer(),
  next_cursor: Nullable(Type.String()),
});

export const LessonListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type LessonListQuery = Static<typeof LessonListQuery>;

export const LessonIdParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 100 }) },
  { additionalProperties: false },
);
export type LessonIdParams = Static<typeof LessonIdParams>;
