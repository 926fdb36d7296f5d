/** Request and response schemas of seed 003's `/api/presentations/...` family. */
import { Type, type Static } from '@sinclair/typebox';
import { Nullable } from './json-types.js';
import { JOB_PRIORITIES, JOB_STATUSES, ON_PARENT_FAILURE } from '../../jobs/model.js';
import { MAX_PARENTS } from '../../jobs/dependencies.js';
import { JobWireSchema } from './job-wire.js';
import { CAPTION_MODES } from '../../render/lesson/model.js';

const Priority = Type.Union(JOB_PRIORITIES.map((p) => Type.Literal(p)));
const Status = Type.Union(JOB_STATUSES.map((s) => Type.Literal(s)));

const ImageSource = Type.String({
  minLength: 1,
  description:
    'A base64 data URL (data:image/png;base64,…) or asset:NAME, one of the assets sent with the lesson. ' +
    'URLs and file paths are refused (IMAGE_SOURCE_REFUSED). PNG, JPEG, WebP or SVG, read from the bytes.',
});

export const SlideImageSchema = Type.Union([
  Type.Object(
    {
      src: ImageSource,
      alt: Type.Optional(
        Type.String({
          maxLength: 300,
          description: 'What the image shows: kept in the job result (slide_images), not drawn or spoken.',
        }),
      ),
    },
    { additionalProperties: false },
  ),
  ImageSource,
]);

export const AssetsSchema = Type.Array(
  Type.Object(
    {
      name: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' }),
      content_base64: Type.String({ minLength: 1 }),
    },
    { additionalProperties: false },
  ),
  {
    maxItems: 50,
    description:
      'Images sent with the lesson, referred to by slides as asset:NAME (Markdown: ![alt](asset:NAME)). ' +
      'At most 5 MiB an image, 10 MiB together and 16 megapixels; the whole body must fit BODY_LIMIT_BYTES.',
  },
);

/**
 * The length of a script or Markdown is checked with the lesson, against the deployment's setting
 * (a schema is fixed when the server starts; BODY_LIMIT_BYTES bounds the body).
 */
export const SCRIPT_LENGTH =
  "At most LESSON_MAX_SCRIPT_CHARS characters (default 60000; images' data URLs not counted); longer: " +
  "400 INVALID_PAYLOAD, details.reason SCRIPT_TOO_LONG. A lesson's text together has the same limit.";

export const LessonInputSchema = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200 }),
    subtitle: Type.Optional(Type.String({ maxLength: 200 })),
    author: Type.Optional(Type.String({ maxLength: 200 })),
    slides: Type.Array(
      Type.Object(
        {
          title: Type.String({ maxLength: 200 }),
          bullets: Type.Optional(Type.Array(Type.String({ maxLength: 500 }), { maxItems: 20 })),
          narration: Type.String({ maxLength: 5000 }),
          image: Type.Optional(SlideImageSchema),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 100 },
    ),
    assets: Type.Optional(AssetsSchema),
  },
  { additionalProperties: false },
);

export const GenerateBody = Type.Object(
  {
    lesson_id: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    lesson: Type.Optional(LessonInputSchema),
    markdown: Type.Optional(Type.String({ minLength: 1, description: SCRIPT_LENGTH })),
    script: Type.Optional(Type.String({ minLength: 1, description: SCRIPT_LENGTH })),
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    assets: Type.Optional(AssetsSchema),
    style: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
    voice: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
    resolution: Type.Optional(Type.String({ minLength: 3, maxLength: 20 })),
    subtitle: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'Shown and spoken on the title slide.' }),
    ),
    author: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'Shown on the title and closing slides.' }),
    ),
    captions: Type.Optional(
      Type.Union(
        CAPTION_MODES.map((mode) => Type.Literal(mode)),
        {
          description:
            'soft (default): a WebVTT file (GET /api/videos/{jobId}/captions.vtt) and a subtitle track in the MP4; burned: also drawn into the picture; off: neither.',
        },
      ),
    ),
    title_slide: Type.Optional(
      Type.Boolean({ description: "A slide with the lesson's title first (default true)." }),
    ),
    closing_slide: Type.Optional(
      Type.Boolean({ description: 'A silent closing slide last (default true).' }),
    ),
    reveal_bullets: Type.Optional(
      Type.Boolean({
        description:
          "default style: each bullet appears when the narration reaches its sentence (default false: a slide's bullets all show at once).",
      }),
    ),
    priority: Type.Optional(Priority),
    timeout_seconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 7 * 24 * 3600 })),
    max_retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
    use_llm_polish: Type.Optional(
      Type.Boolean({
        description:
          "Tighten each slide's narration with the configured LLM (LLM_BASE_URL) before speech. A slide whose " +
          "request fails keeps its text (event code LLM_POLISH_FAILED); without LLM_BASE_URL a no-op. The result's " +
          'llm_polish says what happened: applied, partial, failed, not configured or off.',
      }),
    ),
    webhook_url: Type.Optional(Type.String({ format: 'uri', maxLength: 2000, pattern: '^https?://' })),
    idempotency_key: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    depends_on: Type.Optional(
      Type.Array(Type.String({ format: 'uuid' }), {
        maxItems: MAX_PARENTS,
        description:
          "Ids of the caller's jobs this one waits for: it is `waiting` until every one completes, then " +
          'pending. 404 PARENT_NOT_FOUND (nothing queued) for an id that is not one of your jobs.',
      }),
    ),
    on_parent_failure: Type.Optional(
      Type.Union(
        ON_PARENT_FAILURE.map((rule) => Type.Literal(rule)),
        {
          description:
            'What a parent that ends failed, timed out or cancelled does to this job while it waits: ' +
            'fail (default; error_code PARENT_FAILED or PARENT_CANCELLED), cancel, or run (it runs once ' +
            'the other parents are settled). A manual retry of the parent puts a job it failed back to waiting.',
        },
      ),
    ),
  },
  { additionalProperties: false },
);
export type GenerateBody = Static<typeof GenerateBody>;

const CommaList = Type.String({ maxLength: 200 });

export const ListQuery = Type.Object(
  {
    status: Type.Optional(
      Type.String({
        maxLength: 200,
        description:
          "Comma-separated statuses. The seeds' names are accepted too: queued = pending, " +
          'processing = running, generating = running (docs/status-names.md).',
      }),
    ),
    priority: Type.Optional(CommaList),
    kind: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'Comma-separated job kinds, e.g. presentation,sleep',
      }),
    ),
    id_prefix: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 36,
        description:
          'Only jobs whose id starts with these hex digits (any case; hyphens may be left out), ' +
          'e.g. 019af3c2',
      }),
    ),
    include_finished: Type.Optional(Type.Boolean()),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type ListQuery = Static<typeof ListQuery>;

export const JobListSchema = Type.Object({
  jobs: Type.Array(JobWireSchema),
  count: Type.Integer(),
  next_cursor: Nullable(Type.String()),
});

export const JobQuery = Type.Object(
  {
    include_payload: Type.Optional(
      Type.Boolean({
        description:
          "Also answer the job's `payload`, the input it runs with (off by default: it can be large)",
      }),
    ),
  },
  { additionalProperties: false },
);
export type JobQuery = Static<typeof JobQuery>;

/** How far a presentation rendered split across workers is (`SPLIT_RENDER_MIN_SLIDES`). */
export const SplitRenderSchema = Type.Union([
  Type.Object(
    {
      segments: Type.Integer({ minimum: 1, description: 'Segments the video is rendered in' }),
      done: Type.Integer({ minimum: 0, description: 'Segments rendered so far' }),
    },
    {
      additionalProperties: false,
      description:
        'For a presentation rendered split across workers: in how many segments, and how many are done (all once it completed); null for any other job, and for one whose segments were removed after it failed, was cancelled or timed out',
    },
  ),
  Type.Null(),
]);

/** One job with, when asked for, its payload. */
export const JobWithPayloadSchema = Type.Object({
  ...JobWireSchema.properties,
  depends_on: Type.Array(Type.String(), { description: 'Ids of the jobs this one waits for (its parents)' }),
  children: Type.Array(Type.String(), { description: 'Ids of the jobs that wait for this one' }),
  on_parent_failure: Type.Union(ON_PARENT_FAILURE.map((rule) => Type.Literal(rule))),
  split_render: SplitRenderSchema,
  payload: Type.Optional(
    Type.Unknown({ description: 'The input the job runs with (with include_payload=true)' }),
  ),
});

export const RetryBody = Type.Object(
  { force_retry: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
export type RetryBody = Static<typeof RetryBody>;
export const RetryBodyOrNull = Type.Union([RetryBody, Type.Null()]);

/** `PATCH /api/presentations/jobs/:id`: the only field a pending job lets change. */
export const ChangeJobBody = Type.Object({ priority: Priority }, { additionalProperties: false });
export type ChangeJobBody = Static<typeof ChangeJobBody>;

export const CancelBody = Type.Union([
  Type.Object({ reason: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false }),
  Type.Null(),
]);

export const BulkCancelQuery = Type.Object(
  { reason: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
);
export const BulkCancelBody = Type.Object(
  { job_ids: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 1000 }) },
  { additionalProperties: false },
);
export type BulkCancelBody = Static<typeof BulkCancelBody>;

export const BulkCancelResult = Type.Object({
  cancelled: Type.Array(Type.String()),
  cancel_requested: Type.Array(Type.String()),
  already_finished: Type.Array(Type.String()),
  not_found: Type.Array(Type.String()),
  reason: Nullable(Type.String()),
});

export const CleanupQuery = Type.Object(
  {
    max_age_hours: Type.Optional(Type.Number({ minimum: 0, maximum: 24 * 365 * 10 })),
    /** Seed 002's form: jobs created more than this many days ago (instead of max_age_hours). */
    days: Type.Optional(Type.Number({ minimum: 0, maximum: 365 * 10 })),
    /** Comma-separated finished statuses (completed, failed, cancelled, timeout); default all. */
    status: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
);
export const HoursQuery = Type.Object(
  { hours: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 24 * 365 })) },
  { additionalProperties: false },
);
export const RecoveryQuery = Type.Object(
  { timeout_minutes: Type.Optional(Type.Number({ minimum: 0, maximum: 60 * 24 * 30 })) },
  { additionalProperties: false },
);

export { Priority, Status };
