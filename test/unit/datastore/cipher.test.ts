import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatastoreCryptoError, ensureKeyFile, LocalCipher, NoCipher } from '../../../src/datastore/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'kv-cipher-'));

describe('LocalCipher (AES-256-GCM with a key file)', () => {
  it('creates a 32-byte key file readable by its owner only, and keeps an existing one', () => {
    const file = ensureKeyFile(join(dir, 'new', 'datastore.key'));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')).toHaveLength(32);
    const before = readFileSync(file, 'utf8');
    ensureKeyFile(file);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('round-trips, with a fresh ciphertext each time that does not contain the plaintext', async () => {
    const cipher = new LocalCipher(ensureKeyFile(join(dir, 'a.key')));
    const one = await cipher.encrypt('hunter2', 'system/pw');
    const two = await cipher.encrypt('hunter2', 'system/pw');
    expect(one).not.toBe(two);
    expect(one).not.toContain('hunter2');
    expect(await cipher.decrypt(one, 'system/pw')).toBe('hunter2');
  });

  it('refuses a ciphertext moved to another key, altered, or made with another key file, without the value in the message', async () => {
    const cipher = new LocalCipher(ensureKeyFile(join(dir, 'b.key')));
    const other = new LocalCipher(ensureKeyFile(join(dir, 'c.key')));
    const sealed = await cipher.encrypt('hunter2', 'system/pw');
    await expect(cipher.decrypt(sealed, 'user:bob/pw')).rejects.toThrow('cannot decrypt: user:bob/pw - wrong key or altered value');
    const altered = sealed.slice(0, -4) + (sealed.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    await expect(cipher.decrypt(altered, 'system/pw')).rejects.toBeInstanceOf(DatastoreCryptoError);
    await expect(other.decrypt(sealed, 'system/pw')).rejects.toThrow(/wrong key/);
    await expect(cipher.decrypt('plain text', 'system/pw')).rejects.toThrow('expected a value encrypted by this datastore');
  });

  it('says what is wrong with a missing or bad key file', async () => {
    await expect(new LocalCipher(join(dir, 'none.key')).encrypt('x', 'system/x')).rejects.toThrow(/no datastore key: .*none\.key - cannot read it \(ENOENT\)/);
    writeFileSync(join(dir, 'short.key'), Buffer.alloc(8).toString('base64'));
    await expect(new LocalCipher(join(dir, 'short.key')).encrypt('x', 'system/x')).rejects.toThrow('expected 32 bytes in base64, got 8 bytes');
    await expect(new NoCipher().encrypt('x', 'system/x')).rejects.toThrow(
      'cannot encrypt: system/x - no datastore key configured - expected ACTIONRUNNER_DATASTORE_KMS_KEY (the KMS key of a deployed stage) or ACTIONRUNNER_DATASTORE_KEY_FILE (a local key file), got neither',
    );
  });
});
