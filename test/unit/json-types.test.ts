/**
 * Response schemas in the shapes Fastify's serialiser writes without a validator: a nullable scalar
 * as a type array and a fixed set of strings as an enum, never an `anyOf` (which runs an Ajv check
 * per branch for every value written).
 */
import { Type } from '@sinclair/typebox';
import fastJson from 'fast-json-stringify';
import { describe, expect, it } from 'vitest';
import { JobWireSchema } from '../../src/api/schemas/job-wire.js';
import { Nullable, StringEnum } from '../../src/api/schemas/json-types.js';

function combinatorsIn(schema: unknown, at = '#'): string[] {
  if (typeof schema !== 'object' || schema === null) return [];
  const found = 'anyOf' in schema || 'oneOf' in schema ? [at] : [];
  return found.concat(...Object.entries(schema).map(([key, value]) => combinatorsIn(value, `${at}/${key}`)));
}

describe('fast response schemas', () => {
  it('Nullable keeps the type and its options and adds null', () => {
    expect(Nullable(Type.String({ format: 'date-time' }))).toMatchObject({
      type: ['string', 'null'],
      format: 'date-time',
    });
    expect(Nullable(Type.Integer({ minimum: 0 }))).toMatchObject({ type: ['integer', 'null'], minimum: 0 });
  });

  it('StringEnum lists its values', () => {
    expect(StringEnum(['a', 'b'] as const)).toMatchObject({ type: 'string', enum: ['a', 'b'] });
  });

  it('a job on the wire has no anyOf or oneOf anywhere', () => {
    expect(combinatorsIn(JobWireSchema)).toEqual([]);
  });

  it('writes both null and a value of a nullable field', () => {
    const write = fastJson(Type.Object({ at: Nullable(Type.String()), n: Nullable(Type.Integer()) }));
    expect(JSON.parse(write({ at: null, n: null }))).toEqual({ at: null, n: null });
    expect(JSON.parse(write({ at: '2026-12-04T00:00:00.000Z', n: 3 }))).toEqual({
      at: '2026-12-04T00:00:00.000Z',
      n: 3,
    });
  });
});
