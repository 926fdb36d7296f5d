/**
 * PostgreSQL's text form of a timestamptz ('2026-12-04 23:31:57.123456+00'; the offset may be
 * '+05:30' or '-03:30:45' when the session's TimeZone is not UTC), or its JSON form, which has a 'T'
 * between date and time and an offset of at least hours and minutes
 * ('2026-12-04T23:31:57.123456+00:00'), read into a Date by character position. The driver's own
 * parser (postgres-date) runs regular expressions: about 3.5 µs a claimed job, which carries six
 * timestamps, out of some 40 µs of worker time. Anything outside that shape (infinity, BC, years
 * before 100 or after 9999) goes to the driver's parser, which this one matches value for value:
 * fractions of a millisecond are dropped, and ±infinity (which reelqueue never writes) comes back as
 * the driver gives it, a number.
 */
import pg from 'pg';

const driverParser = pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ, 'text');

const ZERO = 48;
const DASH = 45;
const PLUS = 43;
const COLON = 58;
const SPACE = 32;
const LETTER_T = 84;
const DOT = 46;

/** The number written by `count` digits from `start`, or NaN when one is not a digit. */
function digitsAt(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const digit = text.charCodeAt(i) - ZERO;
    if (digit < 0 || digit > 9) return Number.NaN;
    value = value * 10 + digit;
  }
  return value;
}

function isDigitAt(text: string, index: number): boolean {
  const digit = text.charCodeAt(index) - ZERO;
  return digit >= 0 && digit <= 9;
}

/** Seconds east of UTC written from `start` ('+HH', '+HH:MM' or '+HH:MM:SS'), NaN when malformed. */
function offsetSecondsAt(text: string, start: number): number {
  const sign = text.charCodeAt(start);
  if (sign !== PLUS && sign !== DASH) return Number.NaN;
  let seconds = digitsAt(text, start + 1, 2) * 3600;
  let end = start + 3;
  if (text.charCodeAt(end) === COLON) {
    seconds += digitsAt(text, end + 1, 2) * 60;
    end += 3;
    if (text.charCodeAt(end) === COLON) {
      seconds += digitsAt(text, end + 1, 2);
      end += 3;
    }
  }
  if (end !== text.length) return Number.NaN;
  return sign === DASH ? -seconds : seconds;
}

export function parseTimestamptz(text: string): Date {
  if (
    text.length >= 22 &&
    text.charCodeAt(4) === DASH &&
    text.charCodeAt(7) === DASH &&
    (text.charCodeAt(10) === SPACE || text.charCodeAt(10) === LETTER_T) &&
    text.charCodeAt(13) === COLON &&
    text.charCodeAt(16) === COLON
  ) {
    const year = digitsAt(text, 0, 4);
    let end = 19;
    let ms = 0;
    if (text.charCodeAt(end) === DOT) {
      end++;
      for (let scale = 100; isDigitAt(text, end); end++, scale /= 10) {
        if (scale >= 1) ms += (text.charCodeAt(end) - ZERO) * scale;
      }
    }
    const utc = Date.UTC(
      year,
      digitsAt(text, 5, 2) - 1,
      digitsAt(text, 8, 2),
      digitsAt(text, 11, 2),
      digitsAt(text, 14, 2),
      digitsAt(text, 17, 2),
      ms,
    );
    const offset = offsetSecondsAt(text, end);
    // Date.UTC reads years 0–99 as 1900–1999; NaN: a field was not digits.
    if (year >= 100 && !Number.isNaN(utc) && !Number.isNaN(offset)) return new Date(utc - offset * 1000);
  }
  // The driver's parser knows only the text form: a space where the JSON form has its one 'T'.
  return driverParser(text.replace('T', ' ')) as Date;
}
