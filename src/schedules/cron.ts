/**
 * Cron expressions, read by cron-parser: five fields (minute first) or six (second first), in an
 * IANA time zone. Anything it refuses, or an expression that never comes round, is INVALID_CRON;
 * an unknown time zone is INVALID_TIME_ZONE.
 */
import { CronExpressionParser, type CronExpression } from 'cron-parser';
import { ReelqueueError } from '../errors.js';

const MAX_CRON_LENGTH = 200;

/** Whether `timeZone` is an IANA zone this runtime knows (`UTC`, `Europe/Paris`, …). */
export function isTimeZone(timeZone: string): boolean {
  if (timeZone.length === 0 || timeZone.length > 100) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
  }
}

export function checkTimeZone(timeZone: string): void {
  if (!isTimeZone(timeZone)) {
    throw new ReelqueueError(
      'INVALID_TIME_ZONE',
      `Unknown time zone ${JSON.stringify(timeZone)}: use an IANA name such as UTC or Europe/Paris`,
      { field: 'time_zone', value: timeZone },
    );
  }
}

function invalidCron(cron: string, reason: string): ReelqueueError {
  return new ReelqueueError(
    'INVALID_CRON',
    `Invalid cron expression ${JSON.stringify(cron)}: ${reason}. Use five fields (minute hour ` +
      'day-of-month month day-of-week) or six with seconds first, e.g. "*/10 * * * * *"',
    { field: 'cron', value: cron, reason },
  );
}

function expression(cron: string, timeZone: string, from: Date): CronExpression {
  return CronExpressionParser.parse(cron, { tz: timeZone, currentDate: from });
}

/** Checks `cron` in `timeZone` (checked first): it parses and has a next tick. */
export function checkCron(cron: string, timeZone: string): void {
  checkTimeZone(timeZone);
  const fields = cron.trim().split(/\s+/).filter(Boolean).length;
  if (cron.length > MAX_CRON_LENGTH) throw invalidCron(cron, `longer than ${MAX_CRON_LENGTH} characters`);
  if (fields !== 5 && fields !== 6 && !cron.trim().startsWith('@')) {
    throw invalidCron(cron, `it has ${fields} fields`);
  }
  try {
    expression(cron, timeZone, new Date()).next();
  } catch (error) {
    throw invalidCron(cron, error instanceof Error ? error.message : String(error));
  }
}

/** The first tick of `cron` strictly after `after`. */
export function tickAfter(cron: string, timeZone: string, after: Date): Date {
  return expression(cron, timeZone, after).next().toDate();
}

/** The ticks of `cron` in [from, to], oldest first, `limit` at most (the oldest ones). */
export function ticksBetween(cron: string, timeZone: string, from: Date, to: Date, limit: number): Date[] {
  const ticks: Date[] = [];
  const iterator = expression(cron, timeZone, new Date(from.getTime() - 1));
  while (ticks.length < limit) {
    const tick = iterator.next().toDate();
    if (tick > to) break;
    ticks.push(tick);
  }
  return ticks;
}

/** The ticks of `cron` in [from, before), newest first, `limit` at most (the newest ones). */
export function ticksBefore(cron: string, timeZone: string, before: Date, from: Date, limit: number): Date[] {
  const ticks: Date[] = [];
  const iterator = expression(cron, timeZone, before);
  while (ticks.length < limit) {
    const tick = iterator.prev().toDate();
    if (tick < from) break;
    ticks.push(tick);
  }
  return ticks;
}
