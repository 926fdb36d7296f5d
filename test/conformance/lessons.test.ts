/** Stored lessons, on both databases: validated before they are written, read only by their owner. */
import { describe, expect, it } from 'vitest';
import { resolveNewLesson, type ResolvedNewLesson } from '../../src/lessons/new-lesson.js';
import type { NewLesson } from '../../src/lessons/model.js';
import { LESSON_LIMITS } from '../../src/render/lesson/model.js';
import { parsePresentationPayload } from '../../src/render/lesson/payload.js';
import { expectCode, thrownBy, useConformanceDatabase } from '../support/conformance.js';
import type { TestDatabase } from '../support/test-database.js';

const SLIDES = [
  { title: 'Rivers', bullets: ['Start in hills', 'End in the sea'], narration: 'Rivers run downhill.' },
  { title: 'Deltas', narration: 'At the sea a river drops its sand.' },
];

/** A lesson checked against the default LESSON_MAX_SCRIPT_CHARS. */
const newLesson = (userId: string, input: NewLesson): ResolvedNewLesson =>
  resolveNewLesson(userId, input, LESSON_LIMITS.maxScriptChars);

async function lessonRows(t: TestDatabase): Promise<number> {
  const rows = await t.sql<{ n: number | string }>({
    sqlite: 'SELECT count(*) AS n FROM lessons',
    postgres: 'SELECT count(*)::int AS n FROM lessons',
  });
  return Number(rows[0]?.n);
}

describe('lessons', () => {
  const ctx = useConformanceDatabase();

  it('stores a JSON lesson as the presentation kind would render it, and reads it back', async () => {
    const { t } = ctx();
    const owner = await t.db.users.createUser();
    const created = await t.db.lessons.create(newLesson(owner.id, { title: 'Water', slides: SLIDES }));
    expect(created).toMatchObject({ userId: owner.id, title: 'Water' });
    expect(created.body).toEqual({
      title: 'Water',
      slides: [
        { title: 'Rivers', bullets: ['Start in hills', 'End in the sea'], narration: 'Rivers run downhill.' },
        { title: 'Deltas', bullets: [], narration: 'At the sea a river drops its sand.' },
      ],
    });
    expect(await t.db.lessons.get(created.id, owner.id)).toEqual(created);
    // The stored body is a lesson the presentation kind accepts as it is.
    expect(parsePresentationPayload({ lesson: created.body }).lesson).toEqual(created.body);
  });

  it('turns Markdown and plain scripts into slides', async () => {
    const { t } = ctx();
    const owner = await t.db.users.createUser();
    const markdown = await t.db.lessons.create(
      newLesson(owner.id, { markdown: '# Stars\n\n## Light\nStars shine.\n\n## Heat\nThey are hot.' }),
    );
    expect(markdown.title).toBe('Stars');
    expect((markdown.body.slides as unknown[]).length).toBeGreaterThanOrEqual(2);
    const script = await t.db.lessons.create(
      newLesson(owner.id, { script: 'Wind moves air. It carries seeds far away.', title: 'Wind' }),
    );
    expect(script.title).toBe('Wind');
    expect((script.body.slides as unknown[]).length).toBeGreaterThanOrEqual(1);
  });

  it('rejects a lesson that would not render before writing anything', async () => {
    const { t } = ctx();
    const owner = await t.db.users.createUser();
    for (const bad of [
      {},
      { slides: SLIDES },
      { title: 'Two inputs', slides: SLIDES, script: 'And a script.' },
      { script: '   ' },
      { title: 'Empty', slides: [] },
      { title: 'No narration', slides: [{ title: 'x', narration: '' }] },
    ]) {
      expectCode(
        thrownBy(() => newLesson(owner.id, bad)),
        'INVALID_PAYLOAD',
      );
    }
    expect(await lessonRows(t)).toBe(0);
  });

  it("never shows one user's lesson to another: get answers null, lists hold only the owner's", async () => {
    const { t } = ctx();
    const alice = await t.db.users.createUser();
    const bob = await t.db.users.createUser();
    const lesson = await t.db.lessons.create(newLesson(alice.id, { script: 'Alice only.' }));
    await t.db.lessons.create(newLesson(bob.id, { script: 'Bob only.' }));
    expect(await t.db.lessons.get(lesson.id, bob.id)).toBeNull();
    expect(await t.db.lessons.get('not-a-lesson', alice.id)).toBeNull();
    expect(await t.db.lessons.get("' OR 1=1 --", alice.id)).toBeNull();
    const bobs = await t.db.lessons.list(bob.id, { limit: 100 });
    expect(bobs.lessons.map((l) => l.userId)).toEqual([bob.id]);
  });

  it('lists the owner’s lessons newest first, page by page with a cursor', async () => {
    const { t } = ctx();
    const owner = await t.db.users.createUser();
    const created = [];
    for (let i = 1; i <= 5; i++) {
      created.push(await t.db.lessons.create(newLesson(owner.id, { script: `Lesson ${i}.` })));
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await t.db.lessons.list(owner.id, { limit: 2, cursor });
      seen.push(...page.lessons.map((lesson) => lesson.id));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor !== null);
    expect(pages).toBe(3);
    expect(seen).toEqual(created.map((lesson) => lesson.id).reverse());
    expectCode(
      await t.db.lessons.list(owner.id, { limit: 2, cursor: 'bogus' }).catch((error: unknown) => error),
      'VALIDATION_FAILED',
    );
  });
});
