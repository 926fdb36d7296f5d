/**
 * How PostgreSQL's status reads are grouped into statements (`StatusReadBatcher`): the read
 * function here stands for the one statement and answers when the test says, so the grouping can
 * be watched; the statement itself is tested against PostgreSQL by the conformance suite.
 */
import { describe, expect, it } from 'vitest';
import { StatusReadBatcher } from '../../src/db/postgres/status-read-batcher.js';
import type { Job } from '../../src/jobs/model.js';
import { ALL_JOBS, ownedBy, type PositionedJob } from '../../src/jobs/store.js';
import { waitFor } from '../support/wait.js';

/** The two fields the batcher reads of a job; the rest of a Job plays no part here. */
const answerFor = (id: string, userId: string | null): PositionedJob => ({
  job: { id, userId } as unknown as Job,
  queuePosition: 0,
});

/** A statement per call, each answered (or failed) by the test. */
class Statements {
  readonly calls: { ids: readonly string[]; answer: () => void; fail: (error: Error) => void }[] = [];

  readonly readMany = (ids: readonly string[]): Promise<PositionedJob[]> =>
    new Promise((resolve, reject) => {
      this.calls.push({
        ids,
        answer: () =>
          resolve(ids.filter((id) => id !== 'missing').map((id) => answerFor(id, `owner-of-${id}`))),
        fail: reject,
      });
    });
}

describe('StatusReadBatcher', () => {
  it('reads the jobs asked for in one turn with one statement, each job once', async () => {
    const statements = new Statements();
    const batcher = new StatusReadBatcher(statements.readMany);
    const reads = [batcher.read('a', ALL_JOBS), batcher.read('b', ALL_JOBS), batcher.read('a', ALL_JOBS)];
    await waitFor(() => statements.calls.length === 1, { what: 'the statement' });
    expect(statements.calls[0]?.ids).toEqual(['a', 'b']);
    statements.calls[0]?.answer();
    expect((await Promise.all(reads)).map((answer) => answer?.job.id)).toEqual(['a', 'b', 'a']);
  });

  it('holds the reads asked for while a statement is out, and sends them together once it returns', async () => {
    const statements = new Statements();
    const batcher = new StatusReadBatcher(statements.readMany);
    const first = batcher.read('a', ALL_JOBS);
    await waitFor(() => statements.calls.length === 1, { what: 'the first statement' });
    const later = [batcher.read('b', ALL_JOBS)];
    await new Promise((resolve) => setImmediate(resolve));
    later.push(batcher.read('c', ALL_JOBS), batcher.read('b', ALL_JOBS));
    await new Promise((resolve) => setImmediate(resolve));
    expect(statements.calls).toHaveLength(1);

    statements.calls[0]?.answer();
    expect((await first)?.job.id).toBe('a');
    await waitFor(() => statements.calls.length === 2, { what: 'the second statement' });
    expect(statements.calls[1]?.ids).toEqual(['b', 'c']);
    statements.calls[1]?.answer();
    expect((await Promise.all(later)).map((answer) => answer?.job.id)).toEqual(['b', 'c', 'b']);
  });

  it('answers a job outside the reader’s scope, or missing, with null', async () => {
    const statements = new Statements();
    const batcher = new StatusReadBatcher(statements.readMany);
    const reads = [
      batcher.read('a', ownedBy('owner-of-a')),
      batcher.read('a', ownedBy('someone-else')),
      batcher.read('missing', ALL_JOBS),
    ];
    await waitFor(() => statements.calls.length === 1, { what: 'the statement' });
    statements.calls[0]?.answer();
    expect((await Promise.all(reads)).map((answer) => answer?.job.id ?? null)).toEqual(['a', null, null]);
  });

  it('fails the readers of a failed statement only; the reads held meanwhile still go', async () => {
    const statements = new Statements();
    const batcher = new StatusReadBatcher(statements.readMany);
    const failing = batcher.read('a', ALL_JOBS);
    await waitFor(() => statements.calls.length === 1, { what: 'the first statement' });
    const held = batcher.read('b', ALL_JOBS);
    statements.calls[0]?.fail(new Error('connection lost'));
    await expect(failing).rejects.toThrow('connection lost');
    await waitFor(() => statements.calls.length === 2, { what: 'the second statement' });
    statements.calls[1]?.answer();
    expect((await held)?.job.id).toBe('b');
  });
});
