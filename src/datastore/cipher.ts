import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { DatastoreCryptoError } from './errors.ts';

/**
 * Encrypts and decrypts datastore values. `context` (scope and name of the key) is bound to the
 * ciphertext as associated data: a ciphertext copied onto another key does not decrypt.
 * Implementations: `LocalCipher` (a key file) here; `KmsCipher` (envelope encryption with the stage's KMS key).
 */
export interface Cipher {
  encrypt(plaintext: string, context: string): Promise<string>;
  decrypt(ciphertext: string, context: string): Promise<string>;
}

const PREFIX = 'aes256gcm:';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Reads a 32-byte key file (base64). Never puts the key's content in a message. */
export function readKeyFile(file: string): Buffer {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new DatastoreCryptoError(
      `no datastore key: ${file} - cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'}); the local runtime creates it`,
      {
        cause: error,
      },
    );
  }
  const key = Buffer.from(text, 'base64');
  if (key.length !== KEY_BYTES)
    throw new DatastoreCryptoError(`invalid datastore key: ${file} - expected ${KEY_BYTES} bytes in base64, got ${key.length} bytes`);
  return key;
}

/**
 * Creates the key file (32 random bytes, base64, mode 0600) unless it exists; returns its path.
 * @example ensureKeyFile('.actionrunner/datastore.key')
 */
export function ensureKeyFile(file: string): string {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    chmodSync(file, 0o600);
    readKeyFile(file);
    return file;
  }
  try {
    writeSync(fd, `${randomBytes(KEY_BYTES).toString('base64')}\n`);
  } finally {
    closeSync(fd);
  }
  return file;
}

/** AES-256-GCM with a key file (the local runtime's): `aes256gcm:` + base64(iv | tag | ciphertext). */
export class LocalCipher implements Cipher {
  #key: Buffer | undefined;
  constructor(private readonly keyFile: string) {}

  #load(): Buffer {
    this.#key ??= readKeyFile(this.keyFile);
    return this.#key;
  }

  async encrypt(plaintext: string, context: string): Promise<string> {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#load(), iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  async decrypt(ciphertext: string, context: string): Promise<string> {
    if (!ciphertext.startsWith(PREFIX))
      throw new DatastoreCryptoError(`cannot decrypt: ${context} - expected a value encrypted by this datastore (${PREFIX}...)`);
    const raw = Buffer.from(ciphertext.slice(PREFIX.length), 'base64');
    if (raw.length < IV_BYTES + TAG_BYTES) throw new DatastoreCryptoError(`cannot decrypt: ${context} - the stored value is truncated`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#load(), raw.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch (error) {
      if (error instanceof DatastoreCryptoError) throw error;
      throw new DatastoreCryptoError(`cannot decrypt: ${context} - wrong key or altered value`);
    }
  }
}

const NO_KEY =
  'no datastore key configured - expected ACTIONRUNNER_DATASTORE_KMS_KEY (the KMS key of a deployed stage) or ACTIONRUNNER_DATASTORE_KEY_FILE (a local key file), got neither';

/** No key configured: storing or reading an encrypted value says how to get one. */
export class NoCipher implements Cipher {
  async encrypt(_plaintext: string, context: string): Promise<string> {
    throw new DatastoreCryptoError(`cannot encrypt: ${context} - ${NO_KEY}`);
  }
  async decrypt(_ciphertext: string, context: string): Promise<string> {
    throw new DatastoreCryptoError(`cannot decrypt: ${context} - ${NO_KEY}`);
  }
}
