import { SandboxError } from './errors.ts';

/**
 * Plain data: what JSON and YAML hold (null, booleans, numbers, strings, arrays and objects
 * whose prototype is Object.prototype or null). Expression values are checked against it, so
 * that nothing else (functions, class instances, host objects) ever comes out of a template.
 */
export function isPlainData(value: unknown, seen: Set<object> = new Set()): boolean {
  if (value === null || value === undefined) return true;
  switch (typeof value) {
    case 'boolean':
    case 'number':
    case 'string':
      return true;
    case 'object':
      break;
    default:
      return false;
  }
  const object = value as object;
  if (seen.has(object)) return true;
  const proto: unknown = Object.getPrototypeOf(object);
  if (Array.isArray(object) ? proto !== Array.prototype : proto !== Object.prototype && proto !== null) return false;
  seen.add(object);
  for (const key of Reflect.ownKeys(object)) {
    if (typeof key === 'symbol') return false;
    const d = Object.getOwnPropertyDescriptor(object, key) as PropertyDescriptor;
    if (!('value' in d)) return false;
    if (Array.isArray(object) && key === 'length') continue;
    if (!isPlainData(d.value, seen)) return false;
  }
  return true;
}

/** Names what kind of non-data value `value` is, for error messages (never its content). */
function kindOf(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (typeof value !== 'object' || value === null) return `a ${typeof value}`;
  return 'an object that is not plain data';
}

/**
 * Throws SandboxError unless `value` is plain data (see isPlainData).
 * @example assertPlainData([1, { a: 'b' }], 'the result of "x"') // passes
 */
export function assertPlainData(value: unknown, what: string): void {
  if (isPlainData(value)) return;
  const found = Array.isArray(value) || (typeof value === 'object' && value !== null) ? 'something that is not plain data' : kindOf(value);
  throw new SandboxError(what, `expected plain data (null, boolean, number, string, list, dict), got ${found}`);
}

/**
 * The own, enumerable data property `key` of a plain dict or list (an index of a list or a
 * string, negative from the end), else undefined: never an inherited or built-in member such as `constructor`.
 * @example ownMember({ a: 1 }, 'constructor') // undefined
 */
export function ownMember(target: unknown, key: unknown): unknown {
  if (typeof target === 'string' || Array.isArray(target)) {
    if (typeof key !== 'number' || !Number.isInteger(key) || key < -target.length || key >= target.length) return undefined;
    // A negative index counts from the end, as in Python.
    return target[key < 0 ? key + target.length : key];
  }
  if (typeof target !== 'object' || target === null) return undefined;
  const proto: unknown = Object.getPrototypeOf(target);
  if (proto !== Object.prototype && proto !== null) return undefined;
  const name = typeof key === 'number' ? String(key) : key;
  if (typeof name !== 'string') return undefined;
  const d = Object.getOwnPropertyDescriptor(target, name);
  return d && d.enumerable === true && 'value' in d ? d.value : undefined;
}

/** Sets `key` as an own property, even `__proto__` (a plain assignment would change the prototype). */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
