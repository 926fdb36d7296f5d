import { describe, expect, it } from 'vitest';
import { WakeUpSender } from '../../src/db/postgres/wake-up-sender.js';

/** A send whose calls the test finishes by hand, one at a time. */
function manualSend() {
  const pending: { resolve: () => void; reject: (error: Error) => void }[] = [];
  let calls = 0;
  const send = () =>
    new Promise<void>((resolve, reject) => {
      calls++;
      pending.push({ resolve, reject });
    });
  const next = () => {
    const call = pending.shift();
    if (!call) throw new Error('no send is in flight');
    return call;
  };
  /** Lets the sender's promise chain run after a send settles. */
  const drain = () => new Promise<void>((resolve) => setImmediate(resolve));
  return { send, next, drain, calls: () => calls, inFlight: () => pending.length };
}

describe('WakeUpSender', () => {
  it('sends at once when nothing is in flight', () => {
    const manual = manualSend();
    new WakeUpSender(manual.send).announce();
    expect(manual.calls()).toBe(1);
  });

  it('sends one more, after the one in flight, for any number of announces meanwhile', async () => {
    const manual = manualSend();
    const sender = new WakeUpSender(manual.send);
    sender.announce();
    sender.announce();
    sender.announce();
    sender.announce();
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
    sender.announce();
    sender.announce();
    manual.next().reject(new Error('connection lost'));
    await manual.drain();
    expect(manual.calls()).toBe(2);
    manual.next().resolve();
    await sender.settled();
    sender.announce();
    expect(manual.calls()).toBe(3);
    manual.next().resolve();
    await expect(sender.settled()).resolves.toBeUndefined();
  });

  it('is settled at once when nothing was asked for', async () => {
    const manual = manualSend();
    await new WakeUpSender(manual.send).settled();
    expect(manual.calls()).toBe(0);
  });
});
