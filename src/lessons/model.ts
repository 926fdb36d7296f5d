/**
 * Lessons a user stores and renders later (`POST /api/presentations/generate {lesson_id}`). The body
 * is the validated lesson the `presentation` kind renders: a title and slides with narration.
 */
import type { JsonObject } from '../jobs/model.js';

export interface StoredLesson {
  id: string;
  /** The owner: every lesson query is scoped by it. */
  userId: string;
  title: string;
  /** `{title, slides: [{title, bullets, narration}]}`, as `parsePresentationPayload` returns it. */
  body: JsonObject;
  createdAt: Date;
}

/** A lesson as a client sends it: slides as JSON, or Markdown, or a plain script. */
export interface NewLesson {
  title?: string;
  slides?: unknown;
  markdown?: string;
  script?: string;
  /** Images the slides refer to as `asset:NAME`: `[{name, content_base64}]`. */
  assets?: unknown;
}

export interface LessonPage {
  lessons: StoredLesson[];
  nextCursor: string | null;
}

export interface LessonListFilter {
  limit: number;
  /** Opaque cursor from a previous page. */
  cursor?: string | null;
}
