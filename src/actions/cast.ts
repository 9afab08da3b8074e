import type { ActionDefinition, ParameterSpec } from './types.ts';
import { invalidParameter } from './errors.ts';

const TRUE_WORDS = new Set(['true', '1', 'yes']);
const FALSE_WORDS = new Set(['false', '0', 'no']);

/** `"abc"` for strings, JSON otherwise: how the given value is quoted in error messages (never a secret's). */
export function describeValue(value: unknown, spec?: Pick<ParameterSpec, 'secret'>): string {
  if (value === undefined) return 'nothing';
  if (spec?.secret) return `a secret ${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value} (value not shown)`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function parseJson(name: string, raw: string, expected: string, spec?: ParameterSpec): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    throw invalidParameter(name, `expected ${expected} (JSON), got ${describeValue(raw, spec)}`);
  }
}

function castScalar(name: string, type: string | undefined, raw: string, spec?: ParameterSpec): unknown {
  const text = raw.trim();
  switch (type) {
    case 'integer':
      if (!/^[+-]?\d+$/.test(text)) throw invalidParameter(name, `expected an integer, got ${describeValue(raw, spec)}`);
      return Number(text);
    case 'number': {
      const value = Number(text);
      if (text === '' || !Number.isFinite(value)) throw invalidParameter(name, `expected a number, got ${describeValue(raw, spec)}`);
      return value;
    }
    case 'boolean': {
      const word = text.toLowerCase();
      if (TRUE_WORDS.has(word)) return true;
      if (FALSE_WORDS.has(word)) return false;
      throw invalidParameter(name, `expected a boolean (true/false/1/0/yes/no), got ${describeValue(raw, spec)}`);
    }
    case 'null':
      if (text === '' || text.toLowerCase() === 'null') return null;
      throw invalidParameter(name, `expected null, got ${describeValue(raw, spec)}`);
    default:
      return raw;
  }
}

/**
 * Casts one string to the type of `spec` (st2's casts, used for CLI `key=value` input and for
 * rendered templates): integer, number, boolean (true/false/1/0/yes/no, any case), array (JSON
 * or comma-separated, items cast by `items.type`), object (JSON), null. Non-strings and
 * untyped/string parameters are returned unchanged.
 * @example castValue('count', { type: 'integer' }, '3') // 3
 */
export function castValue(name: string, spec: ParameterSpec | undefined, raw: unknown): unknown {
  if (typeof raw !== 'string' || spec === undefined) return raw;
  const type = spec.type;
  if (type === 'array') {
    const text = raw.trim();
    if (text.startsWith('[')) {
      const value = parseJson(name, text, 'an array', spec);
      if (!Array.isArray(value)) throw invalidParameter(name, `expected an array, got ${describeValue(raw, spec)}`);
      return value;
    }
    if (text === '') return [];
    const itemType = typeof spec.items?.type === 'string' ? (spec.items.type as string) : undefined;
    return text.split(',').map((item, i) => castScalar(`${name}[${i}]`, itemType, item.trim(), spec));
  }
  if (type === 'object') {
    const value = parseJson(name, raw.trim(), 'an object', spec);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw invalidParameter(name, `expected an object, got ${describeValue(raw, spec)}`);
    }
    return value;
  }
  return castScalar(name, type, raw, spec);
}

/**
 * Casts string values (CLI `key=value` pairs) to the types the action declares. Names the
 * action does not know are returned unchanged: `resolveParameters` reports them.
 * @example castParameters(echo, { message: 'hi', timeout: '5' }) // { message: 'hi', timeout: 5 }
 */
export function castParameters(action: Pick<ActionDefinition, 'parameters'>, raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(raw)) {
    const spec = Object.hasOwn(action.parameters, name) ? action.parameters[name] : undefined;
    out[name] = castValue(name, spec, value);
  }
  return out;
}
