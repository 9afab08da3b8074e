import type { ParameterSpec } from '../actions/types.ts';

/** Python's str() for the few types st2 joins into array arguments. */
function pythonStr(value: unknown): string {
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * One positional value as st2 serialises it: string/number -> text, boolean -> `1`/`0`,
 * array -> comma-joined, object -> compact JSON, null/missing -> empty string.
 * (st2 quirk not copied: an `integer` 0 became ''; here it is '0'.)
 */
export function serializePositional(type: ParameterSpec['type'] | undefined, value: unknown): string {
  if (value === null || value === undefined) return '';
  switch (type) {
    case 'boolean':
      return value ? '1' : '0';
    case 'array':
      return Array.isArray(value) ? value.map(pythonStr).join(',') : String(value);
    case 'object':
      return typeof value === 'object' ? (Object.keys(value).length === 0 ? '' : JSON.stringify(value)) : String(value);
    default:
      if (typeof value === 'boolean') return value ? '1' : '0';
      if (Array.isArray(value)) return value.map(pythonStr).join(',');
      if (typeof value === 'object') return JSON.stringify(value);
      return String(value);
  }
}

/** A named value as text: st2 uses Python's str(); objects and arrays become JSON here (parseable, unlike Python's repr). */
function serializeNamed(value: unknown): string {
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/**
 * The argv of a local-shell-script after the script path: named arguments (`<kwarg_op><name>=<value>`,
 * in parameter order; null/undefined/'' skipped; `true` -> bare `<kwarg_op><name>`, `false` -> nothing)
 * followed by positional arguments (every parameter whose spec has `position`, sorted by it).
 * Each element is one argv entry: no shell parses it, so values need no quoting and cannot inject.
 * @example
 * scriptArguments({ a: { position: 0 }, b: {} }, { a: 'x y', b: 2 }, '--') // ['--b=2', 'x y']
 */
export function scriptArguments(specs: Record<string, ParameterSpec>, values: Record<string, unknown>, kwargOp = '--'): string[] {
  const positional = Object.entries(specs)
    .filter(([, spec]) => typeof spec?.position === 'number')
    .sort(([, a], [, b]) => (a.position as number) - (b.position as number));
  const positionalNames = new Set(positional.map(([name]) => name));
  const named: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    if (positionalNames.has(name) || value === null || value === undefined || value === '') continue;
    if (typeof value === 'boolean') {
      if (value) named.push(`${kwargOp}${name}`);
      continue;
    }
    named.push(`${kwargOp}${name}=${serializeNamed(value)}`);
  }
  return [...named, ...positional.map(([name, spec]) => serializePositional(spec.type, values[name]))];
}
