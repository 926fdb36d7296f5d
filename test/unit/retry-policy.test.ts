import { describe, expect, it } from 'vitest';
import { retryDelaySeconds, type RetryPolicy } from '../../src/jobs/retry-policy.js';

const noJitter: RetryPolicy = { delaysSeconds: [0, 5, 15], jitter: 0 };
const middle = () => 0.5;

describe('retry policy', () => {
  it('waits 0, 5 and 15 seconds before the first three retries', () => {
    const delays = [0, 1, 2].map((retryCount) =>
      retryDelaySeconds(noJitter, { retryCount, maxRetries: 10 }, middle),
    );
    expect(delays).toEqual([0, 5, 15]);
  });

  it('repeats the last delay for every later retry', () => {
    expect(retryDelaySeconds(noJitter, { retryCount: 3, maxRetries: 10 }, middle)).toBe(15);
    expect(retryDelaySeconds(noJitter, { retryCount: 9, maxRetries: 10 }, middle)).toBe(15);
  });

  it('returns null once the job has used all its retries', () => {
    expect(retryDelaySeconds(noJitter, { retryCount: 2, maxRetries: 2 }, middle)).toBeNull();
    expect(retryDelaySeconds(noJitter, { retryCount: 5, maxRetries: 2 }, middle)).toBeNull();
    expect(retryDelaySeconds(noJitter, { retryCount: 0, maxRetries: 0 }, middle)).toBeNull();
  });

  it('allows the last retry while one is left', () => {
    expect(retryDelaySeconds(noJitter, { retryCount: 1, maxRetries: 2 }, middle)).toBe(5);
  });

  it('spreads a delay by at most ±jitter, reaching both bounds', () => {
    const policy: RetryPolicy = { delaysSeconds: [10], jitter: 0.2 };
    const job = { retryCount: 0, maxRetries: 3 };
    expect(retryDelaySeconds(policy, job, () => 0)).toBeCloseTo(8, 10);
    expect(retryDelaySeconds(policy, job, () => 0.999_999)).toBeCloseTo(12, 4);
    expect(retryDelaySeconds(policy, job, () => 0.5)).toBeCloseTo(10, 10);
    for (let i = 0; i <= 100; i++) {
      const delay = retryDelaySeconds(policy, job, () => i / 101);
      expect(delay).toBeGreaterThanOrEqual(8);
      expect(delay).toBeLessThan(12);
    }
  });

  it('keeps a zero delay at zero whatever the jitter', () => {
    const policy: RetryPolicy = { delaysSeconds: [0, 5], jitter: 1 };
    expect(retryDelaySeconds(policy, { retryCount: 0, maxRetries: 3 }, () => 0)).toBe(0);
    expect(retryDelaySeconds(policy, { retryCount: 0, maxRetries: 3 }, () => 0.99)).toBe(0);
  });

  it('never returns a negative delay, even with full jitter', () => {
    const policy: RetryPolicy = { delaysSeconds: [5], jitter: 1 };
    expect(retryDelaySeconds(policy, { retryCount: 0, maxRetries: 3 }, () => 0)).toBe(0);
  });
});
