/** Parsing of one task transition (`next:` entry): `when`, `publish` and `do`. */
import { checkKnownKeys, describe, isGiven, isObject } from './fields.ts';
import { parseInlineParams } from './inline.ts';
import type { NamedValue, TransitionSpec } from './types.ts';

const TRANSITION_KEYS = new Set(['when', 'publish', 'do']);

/** Parses one `next` entry; appends its problems to `errors` and returns undefined when there are any. */
export function parseTransition(raw: unknown, where: string, errors: string[]): TransitionSpec | undefined {
  if (!isGiven(raw)) raw = {};
  if (!isObject(raw)) {
    errors.push(`${where} must be a mapping {when?, publish?, do?}, got ${describe(raw)}`);
    return undefined;
  }
  const before = errors.length;
  checkKnownKeys(raw, TRANSITION_KEYS, `${where}: `, errors);
  const tr: TransitionSpec = { publish: [], do: [] };
  if (isGiven(raw.when)) {
    if (typeof raw.when !== 'string' || !raw.when.trim()) errors.push(`${where}.when must be a non-empty expression`);
    else tr.when = raw.when;
  }
  if (isGiven(raw.publish)) tr.publish = parsePublish(raw.publish, where, errors);
  if (isGiven(raw.do)) tr.do = parseDo(raw.do, where, errors);
  if (tr.do.length === 0) tr.do = ['continue'];
  return errors.length === before ? tr : undefined;
}

/** `publish`: a list of single-key `{name: value}` mappings, or an inline `name=value ...` string. */
function parsePublish(raw: unknown, where: string, errors: string[]): NamedValue[] {
  if (typeof raw === 'string') {
    const params = parseInlineParams(raw);
    if (params.length === 0) errors.push(`${where}.publish: cannot parse ${JSON.stringify(raw)} as name=value pairs`);
    return params.map(([name, value]) => ({ name, value }));
  }
  if (!Array.isArray(raw)) {
    errors.push(`${where}.publish must be a list of {name: value} or a "name=value ..." string, got ${describe(raw)}`);
    return [];
  }
  const publish: NamedValue[] = [];
  const seen = new Set<string>();
  raw.forEach((p, j) => {
    if (!isObject(p) || Object.keys(p).length !== 1) {
      errors.push(`${where}.publish[${j}] must be a single-key {name: value} mapping, got ${describe(p)}`);
      return;
    }
    const name = Object.keys(p)[0];
    if (seen.has(name)) errors.push(`${where}.publish[${j}]: duplicate name "${name}"`);
    seen.add(name);
    publish.push({ name, value: p[name] });
  });
  return publish;
}

/** `do`: a task name, a comma-separated string of them, or a list of names. */
function parseDo(raw: unknown, where: string, errors: string[]): string[] {
  if (typeof raw === 'string')
    return raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  if (Array.isArray(raw) && raw.every((s) => typeof s === 'string' && s.trim() !== '')) {
    const names = (raw as string[]).map((s) => s.trim());
    if (new Set(names).size !== names.length) errors.push(`${where}.do has duplicate entries`);
    return names;
  }
  errors.push(`${where}.do must be a task name, a comma-separated string or a list of names, got ${describe(raw)}`);
  return [];
}
