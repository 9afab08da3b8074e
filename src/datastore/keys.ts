import { InvalidKeyValueError } from './errors.ts';

/** st2's two scopes. `st2kv.system` / `st2kv.user` are accepted as their long names. */
export type Scope = 'system' | 'user';
export const SCOPES: readonly Scope[] = ['system', 'user'];

/**
 * The user of user-scoped keys when nobody is named: st2's system user. An execution's user is its
 * `context.user` (the CLI sets it from ACTIONRUNNER_USER, else the OS user); producers that send
 * no user (an SQS message from another service) act as `stanley`, as st2's system triggers do.
 */
export const DEFAULT_USER = 'stanley';

/** Longest key name (DynamoDB's sort key holds 1024 bytes). */
export const MAX_NAME_BYTES = 1024;
/** Largest value: well inside a 400 KB item, encryption overhead included. */
export const MAX_VALUE_BYTES = 256 * 1024;

/** Where a key lives: its scope, its user for the user scope, its name. */
export interface KeyRef {
  scope: Scope;
  /** Required for the user scope; ignored for system. */
  user?: string;
  name: string;
}

/** `system` | `user` (or `st2kv.system` | `st2kv.user`) to a scope; anything else is an error naming what is allowed. */
export function parseScope(value: unknown): Scope {
  const text = typeof value === 'string' ? value.replace(/^st2kv\./, '') : value;
  if (text === 'system' || text === 'user') return text;
  throw new InvalidKeyValueError(`invalid scope: expected "system" or "user" (or st2kv.system / st2kv.user), got ${JSON.stringify(value)}`);
}

export function checkName(name: unknown): string {
  if (typeof name !== 'string' || name === '') throw new InvalidKeyValueError(`invalid key name: expected a non-empty string, got ${JSON.stringify(name)}`);
  if (Buffer.byteLength(name) > MAX_NAME_BYTES)
    throw new InvalidKeyValueError(`invalid key name: expected at most ${MAX_NAME_BYTES} bytes, got ${Buffer.byteLength(name)}`);
  return name;
}

export function checkUser(user: unknown): string {
  if (typeof user !== 'string' || user === '' || user.includes(':')) {
    throw new InvalidKeyValueError(`invalid user: expected a non-empty user name without ":", got ${JSON.stringify(user)}`);
  }
  return user;
}

/** The table's partition of a scope: `system`, or `user:<name>`. */
export function partitionOf(scope: Scope, user?: string): string {
  return scope === 'system' ? 'system' : `user:${checkUser(user)}`;
}

/** What binds a ciphertext to its key (AES-GCM associated data / KMS encryption context). */
export function cryptoContext(ref: KeyRef): string {
  return `${partitionOf(ref.scope, ref.user)}/${ref.name}`;
}

/**
 * st2's orquesta key syntax: `system.name`, `user.name`, or a bare name (the user scope).
 * @example splitScopedKey('system.db_host') // { scope: 'system', name: 'db_host' }
 */
export function splitScopedKey(key: string): { scope: Scope; name: string } {
  if (key.startsWith('system.')) return { scope: 'system', name: key.slice('system.'.length) };
  if (key.startsWith('user.')) return { scope: 'user', name: key.slice('user.'.length) };
  return { scope: 'user', name: key };
}
