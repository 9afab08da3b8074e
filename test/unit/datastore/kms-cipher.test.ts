import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClients } from '../../../src/config/clients.ts';
import { loadConfig } from '../../../src/config/index.ts';
import { DatastoreCryptoError, ensureKeyFile, KmsCipher, LocalCipher, NoCipher } from '../../../src/datastore/index.ts';
import { cipherFor } from '../../../src/datastore/for-config.ts';
import { startKmsStandIn, type KmsStandIn } from '../../helpers/kms-server.ts';

let kms: KmsStandIn;
let clients: ReturnType<typeof createClients>;
let keyArn: string;
/** The plaintext data keys KMS handed out, as the SDK gave them to the cipher. */
const handedOut: Uint8Array[] = [];

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID ??= 'test';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
  kms = await startKmsStandIn();
  keyArn = kms.createKey();
  clients = createClients({ region: 'us-east-1', kmsEndpoint: kms.endpoint });
  clients.kms.use((client) =>
    client.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        const plaintext = (result.output as { Plaintext?: Uint8Array }).Plaintext;
        if (plaintext) handedOut.push(plaintext);
        return result;
      },
      { step: 'initialize', name: 'testPlaintextSpy' },
    ),
  );
});
afterAll(async () => {
  clients.kms.destroy();
  await kms.stop();
});

const cipher = () => new KmsCipher({ kms: clients.kms, keyId: keyArn });

describe('KmsCipher (envelope encryption with the stage KMS key)', () => {
  it('stores kms1: + the encrypted data key + AES-256-GCM ciphertext, a fresh data key per value, never the plaintext', async () => {
    const one = await cipher().encrypt('hunter2', 'system/pw');
    const two = await cipher().encrypt('hunter2', 'system/pw');
    expect(one).toMatch(/^kms1:[A-Za-z0-9+/]+=*$/);
    expect(one).not.toBe(two);
    const raw = Buffer.from(one.slice('kms1:'.length), 'base64');
    const keyLength = raw.readUInt16BE(0);
    // length | encrypted data key | iv (12) | tag (16) | ciphertext (as long as the plaintext)
    expect(raw.length).toBe(2 + keyLength + 12 + 16 + 'hunter2'.length);
    expect(raw.toString('latin1')).not.toContain('hunter2');
    expect(await cipher().decrypt(one, 'system/pw')).toBe('hunter2');
    const generated = kms.requests.filter((r) => r.operation === 'GenerateDataKey');
    expect(generated.at(-1)).toEqual({ operation: 'GenerateDataKey', keyId: keyArn, context: { key: 'system/pw' } });
    expect(kms.requests.filter((r) => r.operation === 'Decrypt').at(-1)).toEqual({ operation: 'Decrypt', keyId: keyArn, context: { key: 'system/pw' } });
  });

  it('zeroes every plaintext data key once it has sealed or opened the value', async () => {
    handedOut.length = 0;
    await cipher().decrypt(await cipher().encrypt('s3cr3t', 'user:ann/token'), 'user:ann/token');
    expect(handedOut).toHaveLength(2);
    for (const key of handedOut) expect([...key].every((byte) => byte === 0)).toBe(true);
  });

  it('asks KMS once per stored value while it is kept (decryptCacheMs), then again; never for another context', async () => {
    const kept = new KmsCipher({ kms: clients.kms, keyId: keyArn, decryptCacheMs: 300 });
    const sealed = await kept.encrypt('hunter2', 'system/pw');
    const decrypts = () => kms.requests.filter((r) => r.operation === 'Decrypt').length;
    const before = decrypts();
    expect(await kept.decrypt(sealed, 'system/pw')).toBe('hunter2');
    expect(await kept.decrypt(sealed, 'system/pw')).toBe('hunter2');
    expect(decrypts() - before).toBe(1);
    // The same bytes under another key's name are not a hit: KMS is asked, and refuses the context.
    await expect(kept.decrypt(sealed, 'system/other')).rejects.toThrow(DatastoreCryptoError);
    expect(decrypts() - before).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(await kept.decrypt(sealed, 'system/pw')).toBe('hunter2');
    expect(decrypts() - before).toBe(3);
    // 0 keeps nothing.
    const none = new KmsCipher({ kms: clients.kms, keyId: keyArn, decryptCacheMs: 0 });
    await none.decrypt(sealed, 'system/pw');
    await none.decrypt(sealed, 'system/pw');
    expect(decrypts() - before).toBe(5);
  });

  it('binds the scope and name: a value copied onto another key does not decrypt (KMS refuses its context)', async () => {
    const sealed = await cipher().encrypt('hunter2', 'system/pw');
    const error = await cipher()
      .decrypt(sealed, 'user:bob/pw')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatastoreCryptoError);
    expect((error as Error).message).toBe('cannot decrypt: user:bob/pw - wrong key or altered value');
    expect(kms.requests.at(-1)).toMatchObject({ operation: 'Decrypt', context: { key: 'user:bob/pw' } });
  });

  it('refuses an altered value or an altered data key, and says so without the value', async () => {
    const sealed = await cipher().encrypt('hunter2', 'system/pw');
    const raw = Buffer.from(sealed.slice(5), 'base64');
    const body = Buffer.from(raw);
    body[body.length - 1] ^= 1;
    await expect(cipher().decrypt(`kms1:${body.toString('base64')}`, 'system/pw')).rejects.toThrow('cannot decrypt: system/pw - wrong key or altered value');
    const dataKey = Buffer.from(raw);
    dataKey[2 + 40] ^= 1;
    await expect(cipher().decrypt(`kms1:${dataKey.toString('base64')}`, 'system/pw')).rejects.toThrow('wrong key or altered value');
    await expect(cipher().decrypt('kms1:AAE=', 'system/pw')).rejects.toThrow('cannot decrypt: system/pw - the stored value is truncated');
    await expect(cipher().decrypt('aes256gcm:abcd', 'system/pw')).rejects.toThrow("expected a value encrypted with the stage's KMS key (kms1:...)");
  });

  it('refuses a value sealed under another KMS key, an unknown key and a disabled key, naming the key', async () => {
    const otherArn = kms.createKey();
    const sealed = await new KmsCipher({ kms: clients.kms, keyId: otherArn }).encrypt('hunter2', 'system/pw');
    await expect(cipher().decrypt(sealed, 'system/pw')).rejects.toThrow(
      /cannot decrypt: system\/pw - wrong key or altered value \(it was encrypted under another KMS key\)/,
    );
    const missing = keyArn.replace(/key\/.*/, 'key/00000000-0000-0000-0000-000000000000');
    await expect(new KmsCipher({ kms: clients.kms, keyId: missing }).encrypt('hunter2', 'system/pw')).rejects.toThrow(
      `cannot encrypt: system/pw - KMS key ${missing} does not exist (ACTIONRUNNER_DATASTORE_KMS_KEY)`,
    );
    kms.disableKey(otherArn);
    const error = await new KmsCipher({ kms: clients.kms, keyId: otherArn }).decrypt(sealed, 'system/pw').catch((e: unknown) => e);
    expect((error as Error).message).toBe(`cannot decrypt: system/pw - KMS key ${otherArn} is disabled`);
    expect(JSON.stringify(error)).not.toContain('hunter2');
  });
});

describe('cipherFor: which cipher a configuration gets', () => {
  const keyFile = ensureKeyFile(join(mkdtempSync(join(tmpdir(), 'kv-cipher-for-')), 'datastore.key'));
  it('the KMS key when ACTIONRUNNER_DATASTORE_KMS_KEY is set (even with a key file), else the key file, else none', async () => {
    const both = loadConfig({ ACTIONRUNNER_DATASTORE_KMS_KEY: 'arn:aws:kms:us-east-1:000000000000:key/x', ACTIONRUNNER_DATASTORE_KEY_FILE: keyFile });
    expect(cipherFor(both, clients)).toBeInstanceOf(KmsCipher);
    expect(cipherFor(loadConfig({ ACTIONRUNNER_DATASTORE_KEY_FILE: keyFile }), clients)).toBeInstanceOf(LocalCipher);
    const none = cipherFor(loadConfig({}), clients);
    expect(none).toBeInstanceOf(NoCipher);
    await expect(none.encrypt('x', 'system/x')).rejects.toThrow(
      'cannot encrypt: system/x - no datastore key configured - expected ACTIONRUNNER_DATASTORE_KMS_KEY (the KMS key of a deployed stage) or ACTIONRUNNER_DATASTORE_KEY_FILE (a local key file), got neither',
    );
  });

  it('points the KMS client at AWS_ENDPOINT_URL_KMS, else AWS_ENDPOINT_URL', () => {
    expect(loadConfig({ AWS_ENDPOINT_URL: 'http://localhost:4566' }).kmsEndpoint).toBe('http://localhost:4566');
    expect(loadConfig({ AWS_ENDPOINT_URL: 'http://localhost:4566', AWS_ENDPOINT_URL_KMS: 'http://127.0.0.1:7' }).kmsEndpoint).toBe('http://127.0.0.1:7');
  });
});
