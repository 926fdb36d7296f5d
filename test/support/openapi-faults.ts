/**
 * Reads the service's own OpenAPI document (generated from the route schemas) and derives, for every
 * operation, requests that break exactly one rule of its schema: a required field left out, a value
 * of the wrong JSON type, an unknown field, a value over (or under) its limit. The validation sweep
 * sends them all; a route added later is swept without touching the tests.
 */
import type { ApiHarness } from './api-server.js';

export interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  nullable?: boolean;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minItems?: number;
  maxItems?: number;
  format?: string;
  pattern?: string;
}

export interface Parameter {
  in: 'path' | 'query' | 'header';
  name: string;
  required?: boolean;
  schema: JsonSchema;
}

export interface Operation {
  method: string;
  /** In the route table's form: `/api/presentations/jobs/:id`. */
  url: string;
  parameters: Parameter[];
  body: JsonSchema | null;
  bodyRequired: boolean;
}

export async function openApiOperations(api: ApiHarness): Promise<Operation[]> {
  const response = await api.call(null, 'GET', '/docs/json');
  const doc = (await response.json()) as {
    paths: Record<
      string,
      Record<
        string,
        {
          parameters?: Parameter[];
          requestBody?: { required?: boolean; content?: Record<string, { schema: JsonSchema }> };
        }
      >
    >;
  };
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      operations.push({
        method: method.toUpperCase(),
        url: path.replace(/\{(\w+)\}/g, ':$1'),
        parameters: op.parameters ?? [],
        body: op.requestBody?.content?.['application/json']?.schema ?? null,
        bodyRequired: op.requestBody?.required ?? false,
      });
    }
  }
  return operations;
}

// ---------------------------------------------------------------------------------------------
// Schemas

type Key = string | number;

export const REMOVE = Symbol('remove');

function branches(schema: JsonSchema): JsonSchema[] {
  return schema.anyOf ?? [schema];
}

function objectBranch(schema: JsonSchema): JsonSchema | undefined {
  return branches(schema).find((s) => s.type === 'object' || s.properties !== undefined);
}

function isEnum(schema: JsonSchema): boolean {
  return branches(schema).every((s) => s.enum !== undefined);
}

export function acceptsNull(schema: JsonSchema): boolean {
  return schema.nullable === true || branches(schema).some((s) => s.type === 'null');
}

function childSchema(schema: JsonSchema, key: Key): JsonSchema {
  const child = typeof key === 'number' ? schema.items : objectBranch(schema)?.properties?.[key];
  return child ?? {};
}

/** The smallest value the schema accepts (required properties only). */
export function minimalValue(schema: JsonSchema): unknown {
  const object = objectBranch(schema);
  if (object) {
    const value: Record<string, unknown> = {};
    for (const name of object.required ?? []) value[name] = minimalValue(object.properties?.[name] ?? {});
    return value;
  }
  const first = branches(schema).find((s) => s.type !== 'null') ?? schema;
  if (first.enum) return first.enum[0];
  switch (first.type) {
    case 'string':
      if (first.format === 'uri') return 'https://example.com/';
      return 'x'.repeat(Math.max(first.minLength ?? 0, 1));
    case 'integer':
    case 'number':
      return first.minimum ?? (first.exclusiveMinimum !== undefined ? first.exclusiveMinimum + 1 : 1);
    case 'boolean':
      return false;
    case 'array':
      return Array.from({ length: first.minItems ?? 0 }, () => minimalValue(first.items ?? {}));
    default:
      return null;
  }
}

/** A copy of `root` with `value` at `path`, building missing containers from the schema. */
export function withValueAt(
  root: unknown,
  schema: JsonSchema,
  path: readonly Key[],
  value: unknown,
): unknown {
  if (path.length === 0) return value;
  const [key, ...rest] = path as [Key, ...Key[]];
  const base = root === undefined || root === null ? minimalValue(schema) : root;
  const copy = (Array.isArray(base) ? [...base] : { ...(base as object) }) as Record<Key, unknown>;
  const child = childSchema(schema, key);
  if (rest.length === 0 && value === REMOVE) delete copy[key];
  else copy[key] = withValueAt(copy[key], child, rest, value);
  return copy;
}

export interface Fault {
  /** What is wrong, e.g. `lesson.slides[0].narration over maxLength 5000`. */
  label: string;
  path: Key[];
  value: unknown;
}

const named = (path: readonly Key[]): string =>
  path.map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? key : `.${key}`)).join('') ||
  'the body';

/** A value of another JSON type that no type coercion turns into one the schema accepts. */
function wrongTypeValue(schema: JsonSchema): unknown {
  const object = objectBranch(schema);
  if (object) return 'not an object';
  const first = branches(schema)[0] ?? {};
  if (first.type === 'integer' || first.type === 'number') return 'not a number';
  if (first.type === 'boolean') return 'not a boolean';
  return { not: 'of this type' };
}

/** Every single-rule break of a body schema, as paths into a valid body. */
export function bodyFaults(schema: JsonSchema, path: Key[] = []): Fault[] {
  const faults: Fault[] = [];
  const object = objectBranch(schema);
  if (object) {
    if (path.length > 0)
      faults.push({ label: `${named(path)} of the wrong type`, path, value: wrongTypeValue(schema) });
    for (const name of object.required ?? [])
      faults.push({
        label: `without required ${named([...path, name])}`,
        path: [...path, name],
        value: REMOVE,
      });
    if (object.additionalProperties === false) {
      const unknown = [...path, 'zz_unknown_field'];
      faults.push({ label: `unknown field ${named(unknown)}`, path: unknown, value: 1 });
    }
    for (const [name, property] of Object.entries(object.properties ?? {}))
      faults.push(...bodyFaults(property, [...path, name]));
    return faults;
  }
  const field = named(path);
  faults.push({ label: `${field} of the wrong type`, path, value: wrongTypeValue(schema) });
  const first = branches(schema)[0] ?? {};
  if (isEnum(schema)) faults.push({ label: `${field} not one of its values`, path, value: 'zz-not-allowed' });
  switch (first.type) {
    case 'string':
      if (first.maxLength !== undefined)
        faults.push({
          label: `${field} over maxLength ${first.maxLength}`,
          path,
          value: 'x'.repeat(first.maxLength + 1),
        });
      if (first.minLength)
        faults.push({
          label: `${field} under minLength ${first.minLength}`,
          path,
          value: 'x'.repeat(first.minLength - 1),
        });
      if (first.format === 'uri' || first.pattern)
        faults.push({ label: `${field} not of its format`, path, value: 'ftp//not a url' });
      break;
    case 'integer':
    case 'number':
      faults.push(...numberFaults(first, field).map((f) => ({ ...f, path })));
      break;
    case 'array': {
      const item = first.items ?? {};
      if (first.maxItems !== undefined)
        faults.push({
          label: `${field} over maxItems ${first.maxItems}`,
          path,
          value: Array.from({ length: first.maxItems + 1 }, () => minimalValue(item)),
        });
      if (first.minItems)
        faults.push({ label: `${field} under minItems ${first.minItems}`, path, value: [] });
      faults.push(...bodyFaults(item, [...path, 0]));
      break;
    }
  }
  return faults;
}

function numberFaults(schema: JsonSchema, field: string): Omit<Fault, 'path'>[] {
  const faults: Omit<Fault, 'path'>[] = [];
  faults.push({
    label: `${field} over its maximum`,
    value: schema.maximum !== undefined ? schema.maximum + 1 : Number.MAX_SAFE_INTEGER * 1024,
  });
  if (schema.minimum !== undefined)
    faults.push({ label: `${field} under its minimum`, value: schema.minimum - 1 });
  if (schema.exclusiveMinimum !== undefined)
    faults.push({ label: `${field} at its exclusive minimum`, value: schema.exclusiveMinimum });
  if (schema.type === 'integer') faults.push({ label: `${field} not whole`, value: 1.5 });
  return faults;
}

/** Every single-rule break of a query or path parameter, as the string sent in the URL. */
export function parameterFaults(parameter: Parameter): { label: string; value: string }[] {
  const schema = parameter.schema;
  const field = `${parameter.in} parameter ${parameter.name}`;
  const faults: { label: string; value: string }[] = [];
  switch (schema.type) {
    case 'string':
      if (schema.maxLength !== undefined)
        faults.push({
          label: `${field} over maxLength ${schema.maxLength}`,
          value: 'x'.repeat(schema.maxLength + 1),
        });
      break;
    case 'integer':
    case 'number':
      faults.push({ label: `${field} of the wrong type`, value: 'not-a-number' });
      for (const fault of numberFaults(schema, field))
        faults.push({ label: fault.label, value: String(fault.value) });
      break;
    case 'boolean':
      faults.push({ label: `${field} of the wrong type`, value: 'not-a-boolean' });
      break;
  }
  return faults;
}

/** Every string-valued place in a body: where the injection strings go. */
export function stringPaths(schema: JsonSchema, path: Key[] = []): Key[][] {
  const object = objectBranch(schema);
  if (object)
    return Object.entries(object.properties ?? {}).flatMap(([name, p]) => stringPaths(p, [...path, name]));
  const first = branches(schema)[0] ?? {};
  if (first.type === 'array') return stringPaths(first.items ?? {}, [...path, 0]);
  if (first.type === 'string' && !isEnum(schema)) return [path];
  return [];
}
