import { SECRET_MASK } from './execution.ts';
import { allVariants, MIN_MASKED_SECRET_LENGTH } from './secret-variants.ts';

export { MIN_MASKED_SECRET_LENGTH, secretVariants } from './secret-variants.ts';

/** A copy of `parameters` with every secret's value replaced by `********`. */
export function maskSecrets(parameters: Record<string, unknown>, secretNames: readonly string[]): Record<string, unknown> {
  const masked: Record<string, unknown> = { ...parameters };
  for (const name of secretNames) {
    if (name in masked && masked[name] !== undefined && masked[name] !== null) masked[name] = SECRET_MASK;
  }
  return masked;
}

/**
 * The strings to mask for an execution's secret parameters: a string value itself, a number or
 * boolean as text, every string and number inside an object or array value. Values shorter than
 * `MIN_MASKED_SECRET_LENGTH` are left out (see there why).
 * @example secretValuesOf({ pw: 'hunter2', n: 1 }, ['pw']) // ['hunter2']
 */
export function secretValuesOf(parameters: Record<string, unknown> | undefined, secretNames: readonly string[] | undefined): string[] {
  const found = new Set<string>();
  const visit = (value: unknown, depth: number): void => {
    if (typeof value === 'string') found.add(value);
    else if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') found.add(String(value));
    else if (value !== null && typeof value === 'object' && depth < 20) for (const item of Object.values(value)) visit(item, depth + 1);
  };
  for (const name of secretNames ?? []) visit(parameters?.[name], 0);
  return [...found].filter((value) => value.length >= MIN_MASKED_SECRET_LENGTH);
}

/**
 * A function that masks every form of `secretValues` in a text (one regular expression: an
 * alternation of every form, longest first, so a longer form wins where two start at one place).
 * @example textMasker(['hunter2'])('pw=hunter2') // 'pw=********'
 */
export function textMasker(secretValues: readonly string[]): (text: string) => string {
  const variants = allVariants(secretValues);
  if (variants.length === 0) return (text) => text;
  const matcher = new RegExp(variants.map((variant) => variant.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  return (text) => text.replace(matcher, SECRET_MASK);
}

/**
 * `text` with every occurrence of a secret value replaced by `********`, also where the value is
 * escaped inside a JSON string or a Python/Node repr (see `secretVariants`).
 * Values shorter than `MIN_MASKED_SECRET_LENGTH` are left alone: masking "a" would shred output.
 * @example maskSecretValuesInText('pw=hunter2', ['hunter2']) // 'pw=********'
 */
export function maskSecretValuesInText(text: string, secretValues: readonly string[]): string {
  return textMasker(secretValues)(text);
}

/**
 * A copy of `value` with every secret masked in every string anywhere inside it: nested objects and
 * arrays, object keys, errors (`name`, `message`, `stack`, as a plain object). Non-string leaves are
 * kept. Returns `value` itself when there is nothing to mask.
 * @example maskDeep({ nested: { pw: 'hunter2', 'hunter2': 1 } }, ['hunter2']) // { nested: { pw: '********', '********': 1 } }
 */
export function maskDeep<T>(value: T, secretValues: readonly string[]): T {
  if (allVariants(secretValues).length === 0) return value;
  const mask = textMasker(secretValues);
  const seen = new WeakSet<object>();
  const walk = (item: unknown): unknown => {
    if (typeof item === 'string') return mask(item);
    if (item === null || typeof item !== 'object' || item instanceof Date) return item;
    if (seen.has(item)) return '[Circular]';
    seen.add(item);
    try {
      return Array.isArray(item) ? item.map(walk) : walkObject(item);
    } finally {
      seen.delete(item); // only an ancestor is circular; the same object twice is not
    }
  };
  const walkObject = (item: object): Record<string, unknown> => {
    const source = item instanceof Error ? { name: item.name, message: item.message, ...(item.stack ? { stack: item.stack } : {}) } : item;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(source)) {
      let maskedKey = mask(key);
      // Two keys that mask alike are both kept.
      for (let n = 2; maskedKey in out; n++) maskedKey = `${mask(key)}#${n}`;
      out[maskedKey] = walk(child);
    }
    return out;
  };
  return walk(value) as T;
}
