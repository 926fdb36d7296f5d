/**
 * Stored lessons, stated without driver types. `src/db/sqlite` and `src/db/postgres` each implement
 * this interface. Every read takes the owner and filters by it in SQL: another user's lesson is
 * indistinguishable from a missing one.
 */
import type { ResolvedNewLesson } from './new-lesson.js';
import type { LessonListFilter, LessonPage, StoredLesson } from './model.js';

export interface LessonStore {
  create(lesson: ResolvedNewLesson): Promise<StoredLesson>;
  /** The owner's lesson, or null (missing, malformed id, or someone else's). */
  get(id: string, ownerId: string): Promise<StoredLesson | null>;
  /** The owner's lessons, newest first, with cursor paging. */
  list(ownerId: string, filter: LessonListFilter): Promise<LessonPage>;
}
