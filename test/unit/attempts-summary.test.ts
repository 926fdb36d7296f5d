import { describe, expect, it } from 'vitest';
import { attemptsSummary } from '../../src/web/app/attempts-summary.js';

describe("the job page's attempts line", () => {
  it('counts retries against the limit while within it', () => {
    expect(attemptsSummary({ attempt: 0, retry_count: 0, max_retries: 2 })).toBe('not started yet');
    expect(attemptsSummary({ attempt: 1, retry_count: 0, max_retries: 2 })).toBe('1 (retries used 0 of 2)');
    expect(attemptsSummary({ attempt: 3, retry_count: 2, max_retries: 2 })).toBe('3 (retries used 2 of 2)');
  });

  it('never reads "3 of 2": retries forced past the limit are told apart', () => {
    expect(attemptsSummary({ attempt: 4, retry_count: 3, max_retries: 2 })).toBe(
      '4 (all 2 retries used, then 1 retry forced past the limit)',
    );
    expect(attemptsSummary({ attempt: 2, retry_count: 2, max_retries: 1 })).toBe(
      '2 (its one retry used, then 1 retry forced past the limit)',
    );
    expect(attemptsSummary({ attempt: 3, retry_count: 2, max_retries: 0 })).toBe(
      '3 (no retries allowed, then 2 retries forced past the limit)',
    );
  });
});
