/**
 * Only values the service can represent pass validation: finite numbers, and text that is valid
 * Unicode. Ajv coerces the query text `Infinity` or `1e309` to a number and then skips `minimum`/
 * `maximum` for any number that is not finite (JSON bodies parse `1e309` to Infinity as well), so
 * `limit=Infinity` used to slip past every range check. And JSON's `"\ud800"` is a string holding a
 * lone surrogate, which no database stores as text (PostgreSQL refuses it in JSON: a 500).
 *
 * Every validator the server compiles is wrapped by `refuseUnrepresentableValues`: after the schema
 * passes, the (coerced) request part is walked and its first non-finite number or ill-formed string
 * is reported as a validation error naming the field, in Ajv's own error format, so it answers 400
 * VALIDATION_FAILED like any other.
 */
import type { FastifySchemaValidationError, FastifyValidationResult } from 'fastify/types/schema.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A place in the walked value: its key and its parent's place, so no path is copied per step. */
interface Place {
  value: unknown;
  key: string | number | null;
  parent: Place | null;
}

function pointerOf(place: Place): string {
  const keys: string[] = [];
  for (let p: Place | null = place; p && p.key !== null; p = p.parent) keys.push(String(p.key));
  return keys
    .reverse()
    .map((key) => `/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`)
    .join('');
}

/** The first value in `data` the service cannot represent, with its JSON pointer, or null. */
export function firstUnrepresentable(data: unknown): { at: string; problem: string } | null {
  // Iterative: a validated request part is bounded by its schema, but a walk must never overflow.
  const stack: Place[] = [{ value: data, key: null, parent: null }];
  while (stack.length > 0) {
    const place = stack.pop()!;
    const { value } = place;
    if (typeof value === 'number') {
      if (!Number.isFinite(value))
        return { at: pointerOf(place), problem: 'must be a finite number within its range' };
    } else if (typeof value === 'string') {
      if (LONE_SURROGATE.test(value))
        return { at: pointerOf(place), problem: 'must be valid Unicode text (it holds a lone surrogate)' };
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => stack.push({ value: item, key: index, parent: place }));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        const child = { value: item, key, parent: place };
        if (LONE_SURROGATE.test(key))
          return { at: pointerOf(child), problem: 'must be named in valid Unicode text' };
        stack.push(child);
      }
    }
  }
  return null;
}

/** `validate`, refusing any request part that holds Infinity, -Infinity, NaN or a lone surrogate. */
export function refuseUnrepresentableValues(validate: FastifyValidationResult): FastifyValidationResult {
  const wrapped: FastifyValidationResult = (data: unknown) => {
    const valid = validate(data);
    if (valid !== true) {
      wrapped.errors = validate.errors;
      return valid;
    }
    const found = firstUnrepresentable(data);
    if (found === null) {
      wrapped.errors = null;
      return true;
    }
    const error: FastifySchemaValidationError = {
      instancePath: found.at,
      schemaPath: '#/representable',
      keyword: 'representable',
      params: {},
      message: found.problem,
    };
    wrapped.errors = [error];
    return false;
  };
  return wrapped;
}
