import type { DatastoreSnapshot } from './snapshot.ts';
import { InvalidKeyValueError } from './errors.ts';

/** The render context's hidden entry holding the snapshot (no parameter can be named so: names with `__st2_` are refused as unknown). */
export const DATASTORE_CONTEXT_KEY = '__st2_datastore';

const NAMED_KEY = /\bst2kv\.(system|user)\.([A-Za-z_][A-Za-z0-9_]*)/g;

/**
 * What `st2kv` is in a parameter template: the snapshot's keys (secrets as ciphertext), and, as
 * in st2, an empty string for a key the template names (`st2kv.system.x`) that does not exist.
 */
export function templateDatastore(snapshot: DatastoreSnapshot, sources: readonly string[]): Record<'system' | 'user', Record<string, string>> {
  const view = snapshot.templateView();
  for (const source of sources) {
    for (const [, scope, name] of source.matchAll(NAMED_KEY)) {
      const scoped = view[scope as 'system' | 'user'];
      if (!Object.hasOwn(scoped, name)) scoped[name] = '';
    }
  }
  return view;
}

/**
 * st2's `decrypt_kv` filter: the plaintext of an encrypted key's value (`{{ st2kv.system.pw | decrypt_kv }}`).
 * Errors never include the value they were given.
 */
export function decryptKv(snapshot: unknown, value: unknown): string {
  if (!snapshot || typeof (snapshot as DatastoreSnapshot).decryptStored !== 'function') {
    throw new InvalidKeyValueError(
      'decrypt_kv: expected the value of a datastore key (st2kv.system.NAME or st2kv.user.NAME), but no datastore is available here',
    );
  }
  if (value === '' || value === undefined || value === null) {
    throw new InvalidKeyValueError("decrypt_kv: the referenced datastore item doesn't exist or it contains an empty string");
  }
  const plain = typeof value === 'string' ? (snapshot as DatastoreSnapshot).decryptStored(value) : undefined;
  if (plain === undefined) {
    throw new InvalidKeyValueError(
      `decrypt_kv: expected the value of an encrypted datastore key, got a ${typeof value} that is not one (was the key set with --encrypt?)`,
    );
  }
  return plain;
}
