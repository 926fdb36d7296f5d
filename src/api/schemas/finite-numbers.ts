/**
 * Only finite numbers pass validation. Ajv coerces the query text `Infinity` or `1e309` to a number
 * and then skips `minimum`/`maximum` for any number that is not finite (JSON bodies parse `1e309`
 * to Infinity as well), so `limit=Infinity` used to slip past every range check. Every validator the
 * server compiles is wrapped by `refuseNonFiniteNumbers`: after the schema passes, the (coerced)
 * request part is walked and its first non-finite number is reported as a validation error naming
 * the field, in Ajv's own error format, so it answers 400 VALIDATION_FAILED like any other.
 */

import type { FastifySchemaValidationError, FastifyValidationResult } from 'fastify/types/schema.js';

const pointerOf = (path: readonly (string | number)[]): string =>
  path.map((key) => `/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');

/** The JSON pointer of the first number in `data` that is not finite, or null when all are. */
export function firstNonFiniteNumber(data: unknown): string | null {
  // Iterative: a validated request part is bounded by its schema, but a walk must never overflow.
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value: data, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) return pointerOf(path);
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => stack.push({ value: item, path: [...path, index] }));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) stack.push({ value: item, path: [...path, key] });
    }
  }
  return null;
}

/** `validate`, refusing any request part that holds Infinity, -Infinity or NaN. */
export function refuseNonFiniteNumbers(validate: FastifyValidationResult): FastifyValidationResult {
  const wrapped: FastifyValidationResult = (data: unknown) => {
    const valid = validate(data);
    if (valid !== true) {
      wrapped.errors = validate.errors;
      return valid;
    }
    const at = firstNonFiniteNumber(data);
    if (at === null) {
      wrapped.errors = null;
      return true;
    }
    const error: FastifySchemaValidationError = {
      instancePath: at,
      schemaPath: '#/finite',
      keyword: 'finite',
      params: {},
      message: 'must be a finite number within its range',
    };
    wrapped.errors = [error];
    return false;
  };
  return wrapped;
}
