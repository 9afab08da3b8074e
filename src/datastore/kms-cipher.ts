import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { KMSClient } from '@aws-sdk/client-kms';
import { LRUCache } from 'lru-cache';
import type { LazyClient } from '../config/clients.ts';
import type { Cipher } from './cipher.ts';
import { DatastoreCryptoError } from './errors.ts';

const PREFIX = 'kms1:';
const LENGTH_BYTES = 2;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface KmsCipherOptions {
  /** The SDK client (endpoint and credentials of the target: the function's role, or the operator's), created on first use. */
  kms: LazyClient<KMSClient>;
  /** The stage's key: its ARN (what serverless.yml gives the functions), id or alias. */
  keyId: string;
  /**
   * How long a decrypted value is kept in this process's memory, so that a warm function reading the same
   * secrets again (every workflow step that calls `st2kv(` reads both scopes) asks KMS once, not every time;
   * 0 keeps none. A key disabled meanwhile stops decrypting after at most this long. @default 300000
   */
  decryptCacheMs?: number;
}

/** Decrypted values kept at most (a few hundred secrets of a stage). */
const DECRYPT_CACHE_ENTRIES = 500;

/** KMS's answer to a refused request as our error: says what to check, never carries a value. */
function kmsError(verb: 'encrypt' | 'decrypt', context: string, keyId: string, error: unknown): DatastoreCryptoError {
  const name = (error as { name?: string }).name ?? 'Error';
  const detail: Record<string, string> = {
    NotFoundException: `KMS key ${keyId} does not exist (ACTIONRUNNER_DATASTORE_KMS_KEY)`,
    AccessDeniedException: `not allowed to use KMS key ${keyId} (its key policy names who may)`,
    DisabledException: `KMS key ${keyId} is disabled`,
    KMSInvalidStateException: `KMS key ${keyId} is not usable (pending deletion or import)`,
    IncorrectKeyException: 'wrong key or altered value (it was encrypted under another KMS key)',
    InvalidCiphertextException: 'wrong key or altered value',
  };
  return new DatastoreCryptoError(`cannot ${verb}: ${context} - ${detail[name] ?? `KMS answered ${name}`}`, { cause: error });
}

/**
 * Envelope encryption with a KMS key of the stage: each value gets its own AES-256 data key from
 * `GenerateDataKey`; the value is sealed with AES-256-GCM under it and stored as `kms1:` + base64(
 * length of the encrypted data key (2 bytes) | encrypted data key | iv | tag | ciphertext). The plaintext
 * data key is zeroed once used. The key's scope and name are KMS's encryption context (`{ key }`) and
 * the GCM associated data, so a value copied onto another key decrypts with neither.
 * @example const cipher = new KmsCipher({ kms: createClients(config).kms, keyId: config.datastoreKmsKey! });
 */
export class KmsCipher implements Cipher {
  readonly #kms: LazyClient<KMSClient>;
  readonly #keyId: string;
  /** Plaintext by stored value and context, for `decryptCacheMs`. */
  readonly #decrypted: LRUCache<string, string> | undefined;

  constructor(options: KmsCipherOptions) {
    this.#kms = options.kms;
    this.#keyId = options.keyId;
    const ttl = options.decryptCacheMs ?? 300_000;
    this.#decrypted = ttl > 0 ? new LRUCache({ max: DECRYPT_CACHE_ENTRIES, ttl }) : undefined;
  }

  async encrypt(plaintext: string, context: string): Promise<string> {
    let answer;
    try {
      const [kms, { GenerateDataKeyCommand }] = await Promise.all([this.#kms.get(), import('@aws-sdk/client-kms')]);
      answer = await kms.send(new GenerateDataKeyCommand({ KeyId: this.#keyId, KeySpec: 'AES_256', EncryptionContext: { key: context } }));
    } catch (error) {
      throw kmsError('encrypt', context, this.#keyId, error);
    }
    const dataKey = Buffer.from(answer.Plaintext ?? []);
    const sealedKey = Buffer.from(answer.CiphertextBlob ?? []);
    try {
      if (dataKey.length !== 32 || sealedKey.length === 0 || sealedKey.length > 0xffff)
        throw new DatastoreCryptoError(`cannot encrypt: ${context} - KMS returned no usable data key`);
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', dataKey, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const length = Buffer.alloc(LENGTH_BYTES);
      length.writeUInt16BE(sealedKey.length);
      return PREFIX + Buffer.concat([length, sealedKey, iv, cipher.getAuthTag(), body]).toString('base64');
    } finally {
      dataKey.fill(0);
      answer.Plaintext?.fill(0);
    }
  }

  async decrypt(ciphertext: string, context: string): Promise<string> {
    const cacheKey = `${context}\n${ciphertext}`;
    const known = this.#decrypted?.get(cacheKey);
    if (known !== undefined) return known;
    const plaintext = await this.#decryptWithKms(ciphertext, context);
    this.#decrypted?.set(cacheKey, plaintext);
    return plaintext;
  }

  async #decryptWithKms(ciphertext: string, context: string): Promise<string> {
    if (!ciphertext.startsWith(PREFIX))
      throw new DatastoreCryptoError(`cannot decrypt: ${context} - expected a value encrypted with the stage's KMS key (${PREFIX}...)`);
    const raw = Buffer.from(ciphertext.slice(PREFIX.length), 'base64');
    const keyLength = raw.length >= LENGTH_BYTES ? raw.readUInt16BE(0) : 0;
    const start = LENGTH_BYTES + keyLength;
    if (keyLength === 0 || raw.length < start + IV_BYTES + TAG_BYTES)
      throw new DatastoreCryptoError(`cannot decrypt: ${context} - the stored value is truncated`);
    let answer;
    try {
      const [kms, { DecryptCommand }] = await Promise.all([this.#kms.get(), import('@aws-sdk/client-kms')]);
      answer = await kms.send(
        new DecryptCommand({ KeyId: this.#keyId, CiphertextBlob: raw.subarray(LENGTH_BYTES, start), EncryptionContext: { key: context } }),
      );
    } catch (error) {
      throw kmsError('decrypt', context, this.#keyId, error);
    }
    const dataKey = Buffer.from(answer.Plaintext ?? []);
    try {
      const decipher = createDecipheriv('aes-256-gcm', dataKey, raw.subarray(start, start + IV_BYTES));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(raw.subarray(start + IV_BYTES, start + IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(raw.subarray(start + IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new DatastoreCryptoError(`cannot decrypt: ${context} - wrong key or altered value`);
    } finally {
      dataKey.fill(0);
      answer.Plaintext?.fill(0);
    }
  }
}
