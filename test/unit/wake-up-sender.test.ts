import { describe, expect, it } from 'vitest';
import { WakeUpSender } from '../../src/db/postgres/wake-up-sender.js';
import type { AvailableJobs } from '../../src/jobs/store.js';

const ONE: AvailableJobs = { count: 1, kind: 'presentation' };

/** A send whose calls the test finishes by hand, one at a time. */
function manualSend() {
  const pending: { resolve: () => void; reject: (error: Error) => void }[] = [];
  let calls = 0;
  const sent: AvailableJobs[] = [];
  const send = (jobs: AvailableJobs) =>
    new Promise<void>((resolve, reject) => {
      calls++;
      sent.push(jobs);
      pending.push({ resolve, reject });
    });
  const next = () => {
    const call = pending.shift();
    if (!call) throw new Error('no send is in flight');
    return call;
  };
  /** Lets the sender's promise chain run after a send settles. */
  const drain = () => new Promise<void>((resolve) => setImmediate(resolve));
  return { send, next, drain, sent, calls: () => calls, inFlight: () => pending.length };
}

describe('WakeUpSender', () => {
  it('sends at once when nothing is in flight', () => {
    const manual = manualSend();
    new WakeUpSender(manual.send).announce(ONE);
    expect(manual.calls()).toBe(1);
  });

  it('sends one more, after the one in flight, for any number of announces meanwhile', async () => {
    const manual = manualSend();
    const sender = new WakeUpSender(manual.send);
    sender.announce(ONE);
    sender.announce(ONE);
    sender.announce(ONE);
    sender.announce(ONE);
    expect(manual.calls()).toBe(1);
    manual.next().resolve();
    await manual.drain();
    expect(manual.calls()).toBe(2);
    expect(manual.inFlight()).toBe(1);
    manual.next().resolve();
    await sender.settled();
    expect(manual.calls()).toBe(2);
  });

  it('goes on after a failed send, and a later announce sends again', async () => {
    const manual = manualSend();
    const sender = new WakeUpSender(manual.send);
    sender.announce(ONE);
    sender.announce(ONE);
    manual.next().reject(new Error('connection lost'));
    await manual.drain();
    expect(manual.calls()).toBe(2);
    manual.next().resolve();
    await sender.settled();
    sender.announce(ONE);
    expect(manual.calls()).toBe(3);
    manual.next().resolve();
    await expect(sender.settled()).resolves.toBeUndefined();
  });

  it('counts in its one notification the jobs of every announce it stands for, with their kind if they share one', async () => {
    const manual = manualSend();
    const sender = new WakeUpSender(manual.send);
    sender.announce(ONE);
    sender.announce({ count: 3, kind: 'presentation' });
    sender.announce({ count: 2, kind: 'presentation' });
    manual.next().resolve();
    await manual.drain();
    sender.announce({ count: 1, kind: 'webhook' });
    manual.next().resolve();
    await manual.drain();
    manual.next().resolve();
    await sender.settled();
    expect(manual.sent).toEqual([ONE, { count: 5, kind: 'presentation' }, { count: 1, kind: 'webhook' }]);
    sender.announce(ONE);
    sender.announce({ count: 2, kind: 'webhook' });
    manual.next().resolve();
    await manual.drain();
    manual.next().resolve();
    await sender.settled();
    expect(manual.sent.slice(3)).toEqual([ONE, { count: 2, kind: 'webhook' }]);
  });

  it('is settled at once when nothing was asked for', async () => {
    const manual = manualSend();
    await new WakeUpSender(manual.send).settled();
    expect(manual.calls()).toBe(0);
  });
});
