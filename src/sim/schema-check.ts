// Checking a value against the JSON Schema subset the scenario schema uses, with errors that name the path of
// the offending field ("events[3].settings.minimumMB"). Small on purpose: the keywords below and nothing else.

import { shown } from '../errors.ts';

/** The keywords understood; a schema using others is a mistake in this package, caught by its tests. */
export interface Schema {
  type?: string;
  enum?: readonly unknown[];
  const?: unknown;
  properties?: Readonly<Record<string, Schema>>;
  additionalProperties?: boolean;
  required?: readonly string[];
  items?: Schema;
  prefixItems?: readonly Schema[];
  minItems?: number;
  maxItems?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  multipleOf?: number;
  minLength?: number;
  pattern?: string;
  anyOf?: readonly Schema[];
  $ref?: string;
  description?: string;
}

/** Where a value breaks the schema: the field's path and what is wrong. */
export interface SchemaProblem {
  path: string;
  message: string;
}

const TYPES: Record<string, (v: unknown) => boolean> = {
  object: (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  array: Array.isArray,
  string: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number' && Number.isFinite(v),
  integer: (v) => typeof v === 'number' && Number.isSafeInteger(v),
  boolean: (v) => typeof v === 'boolean',
  null: (v) => v === null,
};

const ARTICLE: Record<string, string> = {
  object: 'an object',
  array: 'an array',
  string: 'a string',
  number: 'a finite number',
  integer: 'a whole number',
  boolean: 'true or false',
  null: 'null',
};

const join = (path: string, key: string | number) =>
  typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;

/** The first problem of `value` against `schema` (resolving `$ref`s in `root`), or undefined if it conforms. */
export function checkSchema(value: unknown, schema: Schema, root: Schema, path = ''): SchemaProblem | undefined {
  const problem = (message: string): SchemaProblem => ({ path, message });
  if (schema.$ref !== undefined) {
    const target = resolve(root, schema.$ref);
    return checkSchema(value, target, root, path);
  }
  if (schema.anyOf !== undefined) return checkAnyOf(value, schema, root, path);
  if (schema.const !== undefined && value !== schema.const)
    return problem(`must be ${shown(schema.const)}, not ${shown(value)}.`);
  if (schema.enum !== undefined && !schema.enum.includes(value)) {
    const names = schema.enum.map((v) => (typeof v === 'string' && schema.enum!.length > 2 ? v : shown(v)));
    const list = names.length > 2 ? `one of ${names.join(', ')}` : names.join(' or ');
    return problem(`must be ${list}, not ${shown(value)}.`);
  }
  if (schema.type !== undefined && !TYPES[schema.type]!(value)) {
    return problem(`expected ${ARTICLE[schema.type]}, not ${shown(value)}.`);
  }
  if (typeof value === 'number') return checkNumber(value, schema, path);
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength) return problem('must not be empty.');
    if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value)) {
      return problem(`expected ${schema.description ?? `text matching ${schema.pattern}`}, not ${shown(value)}.`);
    }
  }
  if (Array.isArray(value)) return checkArray(value, schema, root, path);
  if (TYPES.object!(value)) return checkObject(value as Record<string, unknown>, schema, root, path);
  return undefined;
}

function resolve(root: Schema, ref: string): Schema {
  const name = /^#\/\$defs\/(\w+)$/.exec(ref)?.[1];
  const target = name === undefined ? undefined : (root as { $defs?: Record<string, Schema> }).$defs?.[name];
  if (target === undefined) throw new Error(`schema: cannot resolve ${ref}`);
  return target;
}

function checkNumber(value: number, schema: Schema, path: string): SchemaProblem | undefined {
  const problem = (message: string): SchemaProblem => ({ path, message });
  if (schema.minimum !== undefined && value < schema.minimum)
    return problem(`must be ≥ ${schema.minimum}, not ${value}.`);
  if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum)
    return problem(`must be more than ${schema.exclusiveMinimum}, not ${value}.`);
  if (schema.maximum !== undefined && value > schema.maximum)
    return problem(`must be ≤ ${schema.maximum}, not ${value}.`);
  if (schema.multipleOf !== undefined && value % schema.multipleOf !== 0) {
    // the scenario schema's only multiples are memory sizes: Hyper-V's words for them
    return problem(`Memory values must be properly aligned: ${value} MB is not a multiple of ${schema.multipleOf} MB.`);
  }
  return undefined;
}

function checkArray(value: unknown[], schema: Schema, root: Schema, path: string): SchemaProblem | undefined {
  if (schema.minItems !== undefined && value.length < schema.minItems)
    return { path, message: `needs at least ${schema.minItems} item${schema.minItems === 1 ? '' : 's'}.` };
  if (schema.maxItems !== undefined && value.length > schema.maxItems)
    return { path, message: `takes at most ${schema.maxItems} items, not ${value.length}.` };
  for (let i = 0; i < value.length; i++) {
    const itemSchema = schema.prefixItems?.[i] ?? schema.items;
    const found = itemSchema && checkSchema(value[i], itemSchema, root, join(path, i));
    if (found) return found;
  }
  return undefined;
}

function checkObject(
  value: Record<string, unknown>,
  schema: Schema,
  root: Schema,
  path: string,
): SchemaProblem | undefined {
  const properties = schema.properties ?? {};
  for (const key of schema.required ?? []) {
    if (value[key] === undefined) return { path: join(path, key), message: 'is required.' };
  }
  for (const key of Object.keys(value)) {
    const property = Object.hasOwn(properties, key) ? properties[key] : undefined;
    if (property === undefined) {
      if (schema.additionalProperties === false) {
        return {
          path: join(path, key),
          message: `unknown field (known: ${Object.keys(properties).join(', ')}).`,
        };
      }
      continue;
    }
    const found = checkSchema(value[key], property, root, join(path, key));
    if (found) return found;
  }
  return undefined;
}

/**
 * Conforms to one of the alternatives. When the value picks one by a fixed field (an event's `action`), that
 * alternative's problem is the one reported; otherwise the schema's description says what was expected.
 */
function checkAnyOf(value: unknown, schema: Schema, root: Schema, path: string): SchemaProblem | undefined {
  const problems: SchemaProblem[] = [];
  for (const option of schema.anyOf!) {
    const found = checkSchema(value, option, root, path);
    if (!found) return undefined;
    problems.push(found);
  }
  if (TYPES.object!(value)) {
    const chosen = schema.anyOf!.findIndex((option) => picks(value as Record<string, unknown>, option));
    if (chosen >= 0) return problems[chosen];
    const wrongKey = discriminator(value as Record<string, unknown>, schema.anyOf!);
    if (wrongKey) return wrongKey(path);
  }
  return { path, message: `expected ${schema.description ?? 'another form'}, not ${shown(value)}.` };
}

/** When every alternative fixes the same field (an event's `action`) and the value's matches none: the problem
 * is that field, with the values it may take. */
function discriminator(
  value: Record<string, unknown>,
  options: readonly Schema[],
): ((path: string) => SchemaProblem) | undefined {
  const fixed = (option: Schema, key: string) => {
    const p = option.properties?.[key];
    return p?.const !== undefined ? [p.const] : p?.enum;
  };
  const key = Object.keys(options[0]?.properties ?? {}).find((k) => options.every((o) => fixed(o, k)));
  if (key === undefined) return undefined;
  const allowed = options.flatMap((o) => fixed(o, key)!);
  return (path) => ({
    path: join(path, key),
    message: `must be one of ${allowed.join(', ')}, not ${shown(value[key])}.`,
  });
}

/** Whether an object's fixed fields (const or enum in the alternative) all match the alternative. */
function picks(value: Record<string, unknown>, option: Schema): boolean {
  const fixed = Object.entries(option.properties ?? {}).filter(([, p]) => p.const !== undefined || p.enum);
  return (
    fixed.length > 0 &&
    fixed.every(([key, p]) => (p.const !== undefined ? value[key] === p.const : p.enum!.includes(value[key])))
  );
}
