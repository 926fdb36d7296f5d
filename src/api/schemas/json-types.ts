/**
 * Schema shapes that serialise fast. Fastify's serialiser (fast-json-stringify) writes an `anyOf`
 * by running an Ajv validator on the value for each branch in turn (a date-time regex for a nullable
 * timestamp, one comparison per status for a union of literals). A type array (`["string", "null"]`)
 * and an `enum` are decided with a `typeof` check and no validator. The OpenAPI document shows the
 * same contract: @fastify/swagger writes a type array as `nullable: true` for OpenAPI 3.0.
 */
import { Type, type Static, type TSchema, type TUnsafe } from '@sinclair/typebox';

type JsonTypeName = 'string' | 'number' | 'integer' | 'boolean';

/** `schema` or null, as a type array. */
export function Nullable<T extends TSchema & { type: JsonTypeName }>(schema: T): TUnsafe<Static<T> | null> {
  return Type.Unsafe<Static<T> | null>({ ...schema, type: [schema.type, 'null'] });
}

/** One of a fixed set of strings, as an `enum`. */
export function StringEnum<T extends string>(values: readonly T[]): TUnsafe<T> {
  return Type.Unsafe<T>({ type: 'string', enum: [...values] });
}
