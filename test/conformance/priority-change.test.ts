/**
 * Changing a pending job's priority (`changePriority`): it moves the job in the claim order, is
 * recorded as an event, is refused for a job that is running or finished, and races a claim safely.
 */
import { describe, expect, it } from 'vitest';
import { isReelqueueError } from '../../src/errors.js';
import type { Job } from '../../src/jobs/model.js';
import { ALL_JOBS, FROM_THE_START, ownedBy, type ClaimRequest } from '../../src/jobs/store.js';
import { eventTypes, expectRejectsWith, mustGet, useConformanceDatabase } from '../support/conformance.js';

const claimOne = (workerId = 'worker-a'): ClaimRequest => ({
  workerId,
  kinds: ['noop'],
  limit: 1,
  leaseSeconds: 30,
});

describe("changing a pending job's priority", () => {
  const ctx = useConformanceDatabase();

  it('moves the job in the claim order and records the change as an event', async () => {
    const { store, jobs } = ctx();
    const first = await jobs.pending();
    const second = await jobs.pending();
    const last = await jobs.pending({ priority: 'low' });

    const raised = await store.changePriority(last.id, 'urgent', ALL_JOBS);
    expect(raised).toMatchObject({ id: last.id, status: 'pending', priority: 'urgent' });
    expect(await mustGet(store, last.id)).toEqual(raised);
    const lowered = await store.changePriority(first.id, 'low', ALL_JOBS);
    expect(lowered.priority).toBe('low');

    const order: string[] = [];
    for (let i = 0; i < 3; i++) order.push(...(await store.claim(claimOne())).map((job) => job.id));
    expect(order).toEqual([last.id, second.id, first.id]);

    expect(await eventTypes(store, last.id)).toEqual(['created', 'priority_changed', 'started']);
    const [, changed] = await store.listEvents(last.id, FROM_THE_START, 10);
    expect(changed).toMatchObject({
      type: 'priority_changed',
      status: 'pending',
      message: 'Priority changed to urgent',
      data: { priority: 'urgent' },
    });
  });

  it("lets the owner change their job, and answers JOB_NOT_FOUND for another user's or an unknown id", async () => {
    const { store, jobs } = ctx();
    const job = await jobs.pending({ userId: 'alice' });
    expect((await store.changePriority(job.id, 'high', ownedBy('alice'))).priority).toBe('high');
    await expectRejectsWith(store.changePriority(job.id, 'low', ownedBy('bob')), 'JOB_NOT_FOUND');
    await expectRejectsWith(
      store.changePriority('00000000-0000-4000-8000-000000000000', 'low', ALL_JOBS),
      'JOB_NOT_FOUND',
    );
    await expectRejectsWith(store.changePriority('not-a-job', 'low', ALL_JOBS), 'JOB_NOT_FOUND');
    expect((await mustGet(store, job.id)).priority).toBe('high');
  });

  it('refuses a running or finished job with JOB_NOT_PENDING and changes nothing', async () => {
    const { store, jobs } = ctx();
    const { job: running } = await jobs.running();
    const finished = [await jobs.completed(), await jobs.failed(), await jobs.cancelled()];
    for (const job of [running, ...finished]) {
      const before = await mustGet(store, job.id);
      const events = await eventTypes(store, job.id);
      await expectRejectsWith(store.changePriority(job.id, 'urgent', ALL_JOBS), 'JOB_NOT_PENDING');
      expect(await mustGet(store, job.id)).toEqual(before);
      expect(await eventTypes(store, job.id)).toEqual(events);
    }
  });

  it('racing claims from other connections: each job is either changed while pending or claimed unchanged', async () => {
    const { t, store, jobs } = ctx();
    const total = 40;
    const queued = await jobs.pendingMany(total);
    const claimer = (await t.reopen()).jobs;
    const changer = (await t.reopen()).jobs;
    const claimed = new Map<string, Job>();
    const changed = new Set<string>();
    const refused = new Set<string>();
    const claiming = (async () => {
      for (let round = 0; round < 200 && claimed.size < total; round++) {
        for (const job of await claimer.claim({ ...claimOne('racer'), limit: 3 })) {
          expect(claimed.has(job.id), `job ${job.id} claimed twice`).toBe(false);
          claimed.set(job.id, job);
        }
      }
    })();
    const changing = (async () => {
      // From the back of the queue, which the claims reach last: both sides get some jobs.
      for (const job of [...queued].reverse()) {
        try {
          await changer.changePriority(job.id, 'high', ALL_JOBS);
          changed.add(job.id);
        } catch (error) {
          if (!isReelqueueError(error, 'JOB_NOT_PENDING')) throw error;
          refused.add(job.id);
        }
      }
    })();
    await Promise.all([claiming, changing]);
    expect(claimed.size).toBe(total);
    expect(changed.size + refused.size).toBe(total);
    for (const { id } of queued) {
      const job = await mustGet(store, id);
      const types = await eventTypes(store, id);
      expect(job.status).toBe('running');
      if (changed.has(id)) {
        // Changed while pending: the claim came after, so it started with the new priority.
        expect(job.priority).toBe('high');
        expect(types).toEqual(['created', 'priority_changed', 'started']);
      } else {
        expect(job.priority).toBe('normal');
        expect(types).toEqual(['created', 'started']);
      }
    }
  });
});
