import type { Scope } from './keys.ts';

/** A key as the CLI and the API show it (st2's fields). */
export interface KeyValuePair {
  name: string;
  /** The plaintext, or, for a secret read without decrypt, its ciphertext. */
  value: string;
  /** st2's full scope name. */
  scope: `st2kv.${Scope}`;
  /** The owner of a user-scoped key. */
  user?: string;
  /** Stored encrypted. */
  secret: boolean;
  /** `value` is the ciphertext (a secret read without decrypt). */
  encrypted: boolean;
  /** When the key expires (ISO 8601), for a key set with a TTL. */
  expire_timestamp?: string;
  updated_at: string;
}

/** The stored item. */
export interface KeyValueItem {
  partition: string;
  name: string;
  value: string;
  secret: boolean;
  updated_at: string;
  /** Epoch seconds: DynamoDB's TTL attribute. Deletion lags, so reads also skip expired items. */
  expires_at?: number;
}
