/** What counts as a database outage: decided by codes alone, never by what a message says. */
import { describe, expect, it } from 'vitest';
import {
  databaseUnavailable,
  isDatabaseUnavailable,
  markConnectionLost,
  outageCode,
} from '../../src/db/outage.js';
import { OutageBackoff } from '../../src/db/outage-backoff.js';
import { ReelqueueError } from '../../src/errors.js';

const withCode = (code: string, message = 'whatever the driver says') =>
  Object.assign(new Error(message), { code });

describe('outageCode', () => {
  it.each([
    'ECONNREFUSED',
    'ECONNRESET',
    '57P01',
    '57P02',
    '57P03',
    '53300',
    '53400',
    '08006',
    '08P01',
    '08001',
    'SQLITE_BUSY',
    'SQLITE_CANTOPEN',
    'SQLITE_IOERR_READ',
  ])('%s is an outage', (code) => {
    expect(outageCode(withCode(code))).toBe(code);
  });

  it.each(['23505', '22021', '42P01', 'SQLITE_CONSTRAINT_UNIQUE', 'ENOENT'])('%s is not', (code) => {
    expect(isDatabaseUnavailable(withCode(code))).toBe(false);
  });

  it('ignores message text', () => {
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(false);
    expect(isDatabaseUnavailable(withCode('23505', 'connect ECONNREFUSED 127.0.0.1:5432'))).toBe(false);
  });

  it('knows an error the driver reported on a lost connection, by where it came from', () => {
    const lost = new Error('Connection terminated unexpectedly');
    markConnectionLost(lost);
    expect(outageCode(lost)).toBe('CONNECTION_LOST');
  });

  it('looks through causes and AggregateErrors', () => {
    expect(outageCode(new Error('wrapped', { cause: withCode('57P03') }))).toBe('57P03');
    expect(outageCode(new AggregateError([new Error('x'), withCode('ECONNREFUSED')]))).toBe('ECONNREFUSED');
  });

  it('counts our busy error (a lock held past the busy timeout), but no other of our errors', () => {
    const busy = new ReelqueueError('DATABASE_BUSY', 'locked', undefined, { cause: withCode('SQLITE_BUSY') });
    expect(outageCode(busy)).toBe('SQLITE_BUSY');
    expect(
      isDatabaseUnavailable(
        new ReelqueueError('JOB_NOT_FOUND', 'no', undefined, { cause: withCode('ECONNRESET') }),
      ),
    ).toBe(false);
  });

  it('becomes DATABASE_UNAVAILABLE with the reason and Retry-After seconds, not the driver message', () => {
    const error = databaseUnavailable(withCode('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.7:5432'));
    expect(error.code).toBe('DATABASE_UNAVAILABLE');
    expect(error.message).not.toContain('10.0.0.7');
    expect(error.details).toMatchObject({ reason: 'ECONNREFUSED', retryAfterSeconds: expect.any(Number) });
  });
});

describe('OutageBackoff', () => {
  it('retries an outage with growing waits until the tolerance has passed, and starts over after a success', () => {
    const backoff = new OutageBackoff(1000, 100, 400);
    const outage = withCode('ECONNREFUSED');
    const first = backoff.next(outage, 0);
    const second = backoff.next(outage, 100);
    expect(first).toBeGreaterThanOrEqual(50);
    expect(first).toBeLessThanOrEqual(100);
    expect(second).toBeGreaterThanOrEqual(100);
    expect(backoff.next(outage, 1001)).toBeNull();
    backoff.reset();
    expect(backoff.next(outage, 5000)).not.toBeNull();
  });

  it('never retries an error that is not an outage', () => {
    expect(new OutageBackoff(1000).next(withCode('23505'))).toBeNull();
  });
});
