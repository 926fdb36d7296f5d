import { describe, expect, it } from 'vitest';
import { WakeUpLottery } from '../../src/jobs/wake-up-lottery.js';
import { parseWakeUp, availableMessage, dueMessage } from '../../src/jobs/wake-up-message.js';

/** A random source that returns these numbers in turn. */
const numbers = (...values: number[]) => {
  let i = 0;
  return () => values[i++ % values.length] ?? 0;
};

describe('WakeUpLottery', () => {
  it('answers every wake-up while it has not lost one, and every wake-up that does not say how many jobs', () => {
    const lottery = new WakeUpLottery(numbers(0.999));
    expect(lottery.answers(1)).toBe(true);
    for (let i = 0; i < 20; i++) lottery.foundNothing();
    expect(lottery.answers(null)).toBe(true);
  });

  it('halves its chance for each empty answer and doubles it for each one that found jobs', () => {
    const lottery = new WakeUpLottery(numbers(0.3));
    lottery.foundNothing();
    lottery.foundNothing();
    expect(lottery.chance).toBe(0.25);
    expect(lottery.answers(1)).toBe(false);
    expect(lottery.answers(2)).toBe(true);
    lottery.found();
    expect(lottery.chance).toBe(0.5);
    expect(lottery.answers(1)).toBe(true);
    lottery.found();
    lottery.found();
    expect(lottery.chance).toBe(1);
  });

  it('keeps a small chance however many answers came back empty', () => {
    const lottery = new WakeUpLottery(numbers(0));
    for (let i = 0; i < 100; i++) lottery.foundNothing();
    expect(lottery.chance).toBeGreaterThan(0);
    expect(lottery.answers(1)).toBe(true);
  });

  it('settles where a few of a hundred idle workers answer a one-job wake-up', () => {
    // A hundred lotteries, one wake-up for one job at a time: the first who answers gets it.
    const fleet = Array.from({ length: 100 }, () => new WakeUpLottery());
    let claims = 0;
    let unanswered = 0;
    const rounds = 2000;
    for (let round = 0; round < rounds; round++) {
      const answering = fleet.filter((lottery) => lottery.answers(1));
      if (answering.length === 0) unanswered++;
      answering.forEach((lottery, i) => (i === 0 ? lottery.found() : lottery.foundNothing()));
      if (round >= 100) claims += answering.length;
    }
    const perJob = claims / (rounds - 100);
    expect(perJob).toBeGreaterThan(1);
    expect(perJob).toBeLessThan(4);
    expect(unanswered / rounds).toBeLessThan(0.3);
  });
});

describe('wake-up messages', () => {
  it('carry the count and the kind of the jobs, and read back', () => {
    for (const jobs of [{ count: 1, kind: 'presentation' }, { count: 1000, kind: null }, undefined]) {
      expect(parseWakeUp(availableMessage(jobs))).toEqual({ type: 'available', jobs });
    }
    expect(parseWakeUp('c:42')).toEqual({ type: 'cancel', jobId: '42' });
    expect(parseWakeUp('k')).toEqual({ type: 'keys' });
    expect(parseWakeUp('z')).toBeNull();
  });

  it('say when jobs due later fall due, rounded up so that no timer armed from them fires early', () => {
    expect(dueMessage({ count: 3, kind: 'presentation' }, 1499.2)).toBe('t:1500:3:presentation');
    expect(parseWakeUp(dueMessage({ count: 2, kind: null }, 250))).toEqual({
      type: 'available',
      jobs: { count: 2, kind: null, dueInMs: 250 },
    });
    expect(parseWakeUp('t:x:1')).toBeNull();
  });
});
