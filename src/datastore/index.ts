export { ensureKeyFile, LocalCipher, NoCipher, readKeyFile, type Cipher } from './cipher.ts';
export { KmsCipher, type KmsCipherOptions } from './kms-cipher.ts';
export { DatastoreCryptoError, InvalidKeyValueError, KeyNotFoundError } from './errors.ts';
export { DEFAULT_USER, parseScope, SCOPES, splitScopedKey, type KeyRef, type Scope } from './keys.ts';
export { DatastoreSnapshot } from './snapshot.ts';
export { KeyValueStore, type KeyValueStoreOptions, type ListOptions, type SetOptions } from './store.ts';
export type { KeyValuePair } from './types.ts';
