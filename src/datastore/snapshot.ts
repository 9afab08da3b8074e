import { DatastoreCryptoError, KeyNotFoundError } from './errors.ts';
import { DEFAULT_USER, SCOPES, splitScopedKey, type Scope } from './keys.ts';
import type { KeyValueStore } from './store.ts';

interface Entry {
  /** As stored: the ciphertext of a secret. */
  value: string;
  secret: boolean;
  plaintext?: string;
  /** Why a secret could not be decrypted (raised only when it is asked for). */
  error?: DatastoreCryptoError;
}

/**
 * The keys of the system scope and of one user's scope, read once before synchronous rendering
 * (parameter templates and orquesta expressions are evaluated without awaiting). Values are
 * data: they are returned as strings and never evaluated again. Every plaintext handed out is
 * noted in `revealed`, so that the caller masks it like a secret parameter.
 */
export class DatastoreSnapshot {
  readonly revealed = new Set<string>();
  /** How many times a plaintext was handed out. */
  reveals = 0;
  readonly #scopes: Record<Scope, Map<string, Entry>>;

  constructor(
    readonly user: string,
    scopes: Partial<Record<Scope, Map<string, Entry>>> = {},
  ) {
    this.#scopes = { system: scopes.system ?? new Map(), user: scopes.user ?? new Map() };
  }

  /** Reads both scopes (decrypting the secrets now; a failure is raised only when that key is used). */
  static async load(store: KeyValueStore, user: string = DEFAULT_USER): Promise<DatastoreSnapshot> {
    const scopes: Partial<Record<Scope, Map<string, Entry>>> = {};
    await Promise.all(
      SCOPES.map(async (scope) => {
        const pairs = await store.list(scope, user);
        const entries = new Map<string, Entry>();
        await Promise.all(
          pairs.map(async (pair) => {
            const entry: Entry = { value: pair.value, secret: pair.secret };
            if (pair.secret) {
              try {
                entry.plaintext = await store.reveal(scope, user, pair);
              } catch (error) {
                entry.error = error instanceof DatastoreCryptoError ? error : new DatastoreCryptoError(`cannot decrypt: ${pair.name}`, { cause: error });
              }
            }
            entries.set(pair.name, entry);
          }),
        );
        scopes[scope] = entries;
      }),
    );
    return new DatastoreSnapshot(user, scopes);
  }

  #plaintext(entry: Entry): string {
    if (entry.error) throw entry.error;
    const plain = entry.plaintext ?? '';
    this.reveals += 1;
    if (plain !== '') this.revealed.add(plain);
    return plain;
  }

  /**
   * orquesta's `st2kv(key, decrypt=False, default=...)`: `system.x`, `user.x` or a bare `x` (user scope).
   * A missing key is the default when one is given, else KeyNotFoundError (st2's message).
   */
  lookup(key: string, options: { decrypt?: boolean; hasDefault?: boolean; default?: unknown } = {}): unknown {
    const { scope, name } = splitScopedKey(key);
    const entry = this.#scopes[scope].get(name);
    if (entry === undefined) {
      if (options.hasDefault) return options.default;
      throw new KeyNotFoundError(name);
    }
    return entry.secret && options.decrypt ? this.#plaintext(entry) : entry.value;
  }

  /** `{ system: { name: value }, user: { ... } }` (secrets as ciphertext): what `st2kv` is in a parameter template. */
  templateView(): { system: Record<string, string>; user: Record<string, string> } {
    const view = (scope: Scope) => Object.fromEntries([...this.#scopes[scope]].map(([name, entry]) => [name, entry.value]));
    return { system: view('system'), user: view('user') };
  }

  /** The plaintext of a secret's ciphertext (the `decrypt_kv` filter), or undefined when `value` is no secret of this snapshot. */
  decryptStored(value: string): string | undefined {
    for (const scope of SCOPES) {
      for (const entry of this.#scopes[scope].values()) if (entry.secret && entry.value === value) return this.#plaintext(entry);
    }
    return undefined;
  }
}
