import { Ajv, type ValidateFunction } from 'ajv';
import type { ActionDefinition, ParameterSpec } from './types.ts';
import { describeValue } from './cast.ts';
import { invalidParameter } from './errors.ts';

/** st2's own keywords (and draft-3 boolean `required`): not JSON schema, dropped before ajv sees them. */
const ST2_KEYWORDS = new Set(['required', 'secret', 'immutable', 'position', 'default', 'description', 'enum']);

const ajv = new Ajv({ strict: false, allErrors: false });
const validators = new WeakMap<ActionDefinition, Map<string, ValidateFunction>>();

function schemaOf(spec: ParameterSpec): Record<string, unknown> {
  return draft3Required(Object.fromEntries(Object.entries(spec).filter(([key]) => !ST2_KEYWORDS.has(key)))) as Record<string, unknown>;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
/** Keywords whose value is one subschema, a map of them, or a list of them. */
const SUBSCHEMA = ['items', 'additionalItems', 'additionalProperties', 'not'];
const SUBSCHEMA_MAPS = ['properties', 'patternProperties', 'definitions'];
const SUBSCHEMA_LISTS = ['items', 'anyOf', 'oneOf', 'allOf'];

/**
 * The schema with st2's draft-3 `required: true` written inside `properties` (pagerduty's nested
 * objects) turned into its parent's draft-4 `required: [names]`, as st2's validator (draft 4 with
 * draft 3's `properties`) reads it. A property with a `default` is not required: st2 fills the
 * default in before it validates. A `required` list is kept as written.
 */
export function draft3Required(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(draft3Required);
  if (!isObject(schema)) return schema;
  const out: Record<string, unknown> = { ...schema };
  if (typeof out.required === 'boolean') delete out.required;
  for (const key of SUBSCHEMA) if (isObject(out[key])) out[key] = draft3Required(out[key]);
  for (const key of SUBSCHEMA_LISTS) if (Array.isArray(out[key])) out[key] = (out[key] as unknown[]).map(draft3Required);
  for (const key of SUBSCHEMA_MAPS) {
    if (!isObject(out[key])) continue;
    out[key] = Object.fromEntries(Object.entries(out[key]).map(([name, sub]) => [name, draft3Required(sub)]));
  }
  if (isObject(schema.properties)) {
    const required = Object.entries(schema.properties)
      .filter(([, sub]) => isObject(sub) && sub.required === true && !Object.hasOwn(sub, 'default'))
      .map(([name]) => name);
    const listed = Array.isArray(schema.required) ? (schema.required as unknown[]) : [];
    if (required.length > 0) out.required = [...new Set([...listed, ...required])];
  }
  return out;
}

function validatorFor(action: ActionDefinition, name: string): ValidateFunction {
  let perAction = validators.get(action);
  if (perAction === undefined) {
    perAction = new Map();
    validators.set(action, perAction);
  }
  let validate = perAction.get(name);
  if (validate === undefined) {
    validate = ajv.compile(schemaOf(action.parameters[name]));
    perAction.set(name, validate);
  }
  return validate;
}

const ARTICLE: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean',
  array: 'an array',
  object: 'an object',
  null: 'null',
};

/**
 * Checks final values against their parameter specs: `enum`, then JSON schema (ajv). A `null`
 * value of an optional parameter is accepted whatever its type (st2's `allow_default_none`).
 */
export function validateValues(action: ActionDefinition, values: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(values)) {
    const spec = action.parameters[name];
    if (spec === undefined || value === undefined || (value === null && spec.required !== true)) continue;
    if (Array.isArray(spec.enum) && !spec.enum.some((allowed) => JSON.stringify(allowed) === JSON.stringify(value))) {
      throw invalidParameter(
        name,
        `expected one of ${spec.enum.map((allowed) => describeValue(allowed)).join(', ')}, got ${describeValue(value, spec)}`,
        action.ref,
      );
    }
    const validate = validatorFor(action, name);
    if (!validate(value)) {
      const error = validate.errors?.[0];
      const where = error?.instancePath ? ` at ${error.instancePath}` : '';
      if (error?.keyword === 'type' && !error.instancePath) {
        const expected = String(error.params.type)
          .split(',')
          .map((t) => ARTICLE[t] ?? t)
          .join(' or ');
        throw invalidParameter(name, `expected ${expected}, got ${describeValue(value, spec)}`, action.ref);
      }
      throw invalidParameter(name, `value${where} ${error?.message ?? 'is invalid'}, got ${describeValue(value, spec)}`, action.ref);
    }
  }
}
