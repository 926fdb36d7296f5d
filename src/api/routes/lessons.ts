/**
 * `/api/lessons`: a user stores a lesson (JSON slides, Markdown or a script), reads it back and lists
 * their own; `POST /api/presentations/generate {lesson_id}` renders it. Every query is scoped by
 * owner in SQL: another user's lesson answers 404 like a missing one.
 */
import type { FastifyInstance } from 'fastify';
import type { StoredLesson } from '../../lessons/model.js';
import { lessonNotFound } from '../../lessons/errors.js';
import { resolveNewLesson } from '../../lessons/new-lesson.js';
import { callerOf } from '../caller.js';
import type { ApiContext } from '../context.js';
import { ErrorSchema, errorResponses } from '../schemas/common.js';
import {
  CreateLessonBody,
  LessonIdParams,
  LessonListQuery,
  LessonListSchema,
  LessonWireSchema,
  type LessonWire,
} from '../schemas/lessons.js';

const TAG = ['lessons'];

function slidesOf(lesson: StoredLesson): LessonWire['slides'] {
  return Array.isArray(lesson.body.slides) ? (lesson.body.slides as unknown as LessonWire['slides']) : [];
}

function lessonToWire(lesson: StoredLesson): LessonWire {
  const slides = slidesOf(lesson);
  return {
    id: lesson.id,
    user_id: lesson.userId,
    title: lesson.title,
    slides,
    slide_count: slides.length,
    created_at: lesson.createdAt.toISOString(),
  };
}

export function lessonRoutes(server: FastifyInstance, ctx: ApiContext): void {
  const { lessons } = ctx.app.database;

  server.post<{ Body: CreateLessonBody }>(
    '/api/lessons',
    {
      schema: {
        tags: TAG,
        summary: 'Store a lesson: {title, slides}, {markdown, title?} or {script, title?}',
        body: CreateLessonBody,
        response: { 201: LessonWireSchema, ...errorResponses, 413: ErrorSchema, 422: ErrorSchema },
      },
    },
    async (request, reply) => {
      const lesson = await lessons.create(
        resolveNewLesson(callerOf(request).userId, request.body, ctx.app.config.lessonMaxScriptChars),
      );
      return reply.status(201).send(lessonToWire(lesson));
    },
  );

  server.get<{ Querystring: LessonListQuery }>(
    '/api/lessons',
    {
      schema: {
        tags: TAG,
        summary: "The caller's lessons, newest first, with cursor paging",
        querystring: LessonListQuery,
        response: { 200: LessonListSchema, ...errorResponses },
      },
    },
    async (request) => {
      const page = await lessons.list(callerOf(request).userId, {
        limit: request.query.limit ?? 20,
        cursor: request.query.cursor ?? null,
      });
      return {
        lessons: page.lessons.map((lesson) => ({
          id: lesson.id,
          title: lesson.title,
          slide_count: slidesOf(lesson).length,
          created_at: lesson.createdAt.toISOString(),
        })),
        count: page.lessons.length,
        next_cursor: page.nextCursor,
      };
    },
  );

  server.get<{ Params: LessonIdParams }>(
    '/api/lessons/:id',
    {
      schema: {
        tags: TAG,
        summary: 'One of the caller’s lessons',
        params: LessonIdParams,
        response: { 200: LessonWireSchema, ...errorResponses },
      },
    },
    async (request) => {
      const lesson = await lessons.get(request.params.id, callerOf(request).userId);
      if (!lesson) throw lessonNotFound(request.params.id);
      return lessonToWire(lesson);
    },
  );
}
