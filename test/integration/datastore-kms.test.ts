// The datastore's secrets under a KMS key, as on a deployed stage: the real @aws-sdk/client-kms talks to the KMS
// stand-in (test/helpers/kms-server.ts: KMS's JSON protocol, AES-GCM, encryption context enforced) through
// AWS_ENDPOINT_URL_KMS; the CLI (a real process, as an operator would run it) sets and reads secrets, and the real
// handlers decrypt them for orquesta's st2kv() and for parameter templates.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { readOutput } from '../../src/store/output.ts';
import { cleanEnv, cli } from '../e2e/helpers.ts';
import { useFunctions } from '../helpers/functions.ts';
import { startKmsStandIn } from '../helpers/kms-server.ts';
import { useSubstrate } from '../helpers/substrate.ts';

const kms = await startKmsStandIn();
const keyArn = kms.createKey();
const work = mkdtempSync(path.join(tmpdir(), 'ar-kms-'));
const substrate = useSubstrate({ env: { ACTIONRUNNER_DATASTORE_KMS_KEY: keyArn, AWS_ENDPOINT_URL_KMS: kms.endpoint, ACTIONRUNNER_HEARTBEAT_MS: '200' } });
const functions = useFunctions(substrate);
afterAll(async () => {
  await kms.stop();
  rmSync(work, { recursive: true, force: true });
});

const operator = (args: string[], env: Record<string, string> = {}) =>
  cli(work, args, cleanEnv({ ...substrate.env, ACTIONRUNNER_USER: 'ann', NO_COLOR: '1', ...env }));
const stored = async (name: string) =>
  (await substrate.clients.doc.send(new GetCommand({ TableName: substrate.tableNames.keyvalue, Key: { partition: 'system', name } }))).Item;

describe('the CLI against a stage whose datastore key is in KMS', () => {
  it('key set --encrypt seals the value under a data key from KMS (kms1:), bound to the key name; get --decrypt opens it', async () => {
    const set = await operator(['key', 'set', 'kms.pw', 'Kp7-kms-secret', '--encrypt']);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout + set.stderr).not.toContain('Kp7-kms-secret');
    const item = await stored('kms.pw');
    expect(item).toMatchObject({ secret: true, value: expect.stringMatching(/^kms1:/) });
    expect(JSON.stringify(item)).not.toContain('Kp7-kms-secret');
    expect(kms.requests.at(-1)).toEqual({ operation: 'GenerateDataKey', keyId: keyArn, context: { key: 'system/kms.pw' } });
    const listed = await operator(['key', 'list']);
    expect(listed.stdout).toMatch(/kms\.pw\s+kms1:\S+\s+true\s+true/);
    expect(listed.stdout).not.toContain('Kp7-kms-secret');
    const got = await operator(['key', 'get', 'kms.pw', '--decrypt', '--json']);
    expect(got.code, got.stderr).toBe(0);
    expect(JSON.parse(got.stdout)).toMatchObject({ value: 'Kp7-kms-secret', secret: true, encrypted: false });
    expect(kms.requests.at(-1)).toEqual({ operation: 'Decrypt', keyId: keyArn, context: { key: 'system/kms.pw' } });
  });

  it('a sealed value copied onto another key, a value sealed under another KMS key, and an unknown key are refused without the value', async () => {
    const item = (await stored('kms.pw'))!;
    await substrate.clients.doc.send(new PutCommand({ TableName: substrate.tableNames.keyvalue, Item: { ...item, name: 'kms.copied' } }));
    const copied = await operator(['key', 'get', 'kms.copied', '--decrypt']);
    expect(copied.code).not.toBe(0);
    expect(copied.stderr).toContain('cannot decrypt: system/kms.copied - wrong key or altered value');
    const otherKey = kms.createKey();
    const elsewhere = await operator(['key', 'get', 'kms.pw', '--decrypt'], { ACTIONRUNNER_DATASTORE_KMS_KEY: otherKey });
    expect(elsewhere.stderr).toContain('cannot decrypt: system/kms.pw - wrong key or altered value (it was encrypted under another KMS key)');
    const missing = keyArn.replace(/key\/.*/, 'key/00000000-0000-0000-0000-000000000000');
    const unknown = await operator(['key', 'set', 'kms.other', 'Kp7-kms-other', '--encrypt'], { ACTIONRUNNER_DATASTORE_KMS_KEY: missing });
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain(`cannot encrypt: system/kms.other - KMS key ${missing} does not exist (ACTIONRUNNER_DATASTORE_KMS_KEY)`);
    for (const result of [copied, elsewhere, unknown]) expect(result.stdout + result.stderr).not.toMatch(/Kp7-kms-(secret|other)/);
    expect(await stored('kms.other')).toBeUndefined();
  });

  it('neither a KMS key nor a key file: --encrypt is refused, saying which variables to set', async () => {
    const refused = await operator(['key', 'set', 'kms.none', 'Kp7-none', '--encrypt'], { ACTIONRUNNER_DATASTORE_KMS_KEY: '' });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(
      'expected ACTIONRUNNER_DATASTORE_KMS_KEY (the KMS key of a deployed stage) or ACTIONRUNNER_DATASTORE_KEY_FILE (a local key file), got neither',
    );
    expect(refused.stderr).not.toContain('Kp7-none');
  });
});

describe('the functions decrypt through KMS with their own client', () => {
  it("orquesta-st2kv decrypts a secret the operator sealed (the workflows function's Decrypt)", async () => {
    expect((await operator(['key', 'set', 'wf.kms', 'Kp7-wf-kms', '--encrypt'])).code).toBe(0);
    const execution = await functions.run('examples.orquesta-st2kv', { key_name: 'system.wf.kms', decrypt: true });
    expect(execution.status).toBe('succeeded');
    expect((execution.result as { output: unknown }).output).toEqual({ value: 'Kp7-wf-kms' });
    const sealed = await functions.run('examples.orquesta-st2kv', { key_name: 'system.wf.kms' });
    expect(JSON.stringify(sealed.result)).toMatch(/kms1:/);
    expect(JSON.stringify(sealed.result)).not.toContain('Kp7-wf-kms');
  });

  it('a parameter template decrypts with decrypt_kv (the actions function), the value masked in result, output and record', async () => {
    expect((await operator(['key', 'set', 'login_user', 'ann'])).code).toBe(0);
    expect((await operator(['key', 'set', 'login_password', 'Kp7-login-kms', '--encrypt'])).code).toBe(0);
    const execution = await functions.run('examples.st2kv-login');
    expect(execution.status).toBe('succeeded');
    expect((execution.result as { stdout: string }).stdout).toMatch(/^user=ann password=\*+$/);
    const chunks = await readOutput(substrate.clients.doc, substrate.tableNames.output, execution.id, {});
    expect(JSON.stringify(chunks)).not.toContain('Kp7-login-kms');
    expect(JSON.stringify(await functions.runtime.store.get(execution.id))).not.toContain('Kp7-login-kms');
    expect(kms.requests.some((r) => r.operation === 'Decrypt' && r.context?.key === 'system/login_password')).toBe(true);
  });
});
