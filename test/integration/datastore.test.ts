// The datastore (st2kv) on DynamoDB Local through the real SDK: the store itself, and its readers
// (orquesta's st2kv(), parameter templates) through the real handlers on the SQS emulator.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureKeyFile, KeyValueStore, LocalCipher } from '../../src/datastore/index.ts';
import type { Execution } from '../../src/model/execution.ts';
import { readOutput } from '../../src/store/output.ts';
import { useFunctions } from '../helpers/functions.ts';
import { useSubstrate } from '../helpers/substrate.ts';

const keyFile = ensureKeyFile(join(mkdtempSync(join(tmpdir(), 'kv-key-')), 'datastore.key'));
// A real python3 action using st2's self.action_service datastore calls.
const packs = mkdtempSync(join(tmpdir(), 'kv-packs-'));
mkdirSync(join(packs, 'kvpy', 'actions'), { recursive: true });
writeFileSync(join(packs, 'kvpy', 'pack.yaml'), 'name: kvpy\nversion: 1.0.0\n');
writeFileSync(
  join(packs, 'kvpy', 'actions', 'roundtrip.yaml'),
  'name: roundtrip\nrunner_type: python-script\nentry_point: roundtrip.py\nparameters:\n  name: { type: string, required: true }\n  value: { type: string, required: true }\n',
);
writeFileSync(
  join(packs, 'kvpy', 'actions', 'roundtrip.py'),
  [
    'from st2common.runners.base_action import Action',
    '',
    'class RoundTrip(Action):',
    '    def run(self, name, value):',
    '        svc = self.action_service',
    '        out = {"before": svc.get_value(name)}',
    '        svc.set_value(name, value)',
    '        svc.set_value("py_secret", "Kp7-py-secret", local=False, encrypt=True, ttl=3600)',
    '        out["after"] = svc.get_value(name)',
    '        out["sealed_is_plain"] = svc.get_value("py_secret", local=False) == "Kp7-py-secret"',
    '        out["decrypted_ok"] = svc.get_value("py_secret", local=False, decrypt=True) == "Kp7-py-secret"',
    '        out["listed"] = [(i.name, i.value) for i in svc.list_values()]',
    '        out["shared"] = svc.get_value("shared", local=False)',
    '        out["mine"] = svc.get_value("mine", local=False, scope="user")',
    '        out["deleted"] = svc.delete_value(name)',
    '        out["gone"] = svc.get_value(name)',
    '        out["deleted_again"] = svc.delete_value(name)',
    '        try:',
    '            svc.set_value("n", 1)',
    '        except ValueError as error:',
    '            out["bad_value"] = str(error)',
    '        try:',
    '            svc.get_value("n", scope="global")',
    '        except ValueError as error:',
    '            out["bad_scope"] = str(error)',
    '        return out',
  ].join('\n'),
);
const substrate = useSubstrate({ env: { ACTIONRUNNER_DATASTORE_KEY_FILE: keyFile, ACTIONRUNNER_HEARTBEAT_MS: '200', ACTIONRUNNER_PACKS_PATH: packs } });
let kv: KeyValueStore;
const functions = useFunctions(substrate);
const run = (action: string, parameters: Record<string, unknown> = {}, user?: string) => functions.run(action, parameters, user ? { context: { user } } : {});

beforeAll(() => {
  kv = new KeyValueStore({ doc: substrate.clients.doc, tableName: substrate.tableNames.keyvalue, cipher: new LocalCipher(keyFile) });
});

describe('KeyValueStore on DynamoDB', () => {
  it('sets, gets, lists by prefix and deletes keys; the user scope is per user', async () => {
    await kv.set({ scope: 'system', name: 'app.host' }, 'db1');
    await kv.set({ scope: 'system', name: 'app.port' }, '5432');
    await kv.set({ scope: 'system', name: 'other' }, 'x');
    await kv.set({ scope: 'user', user: 'ann', name: 'app.host' }, 'ann-db');
    expect((await kv.get({ scope: 'system', name: 'app.host' }))?.value).toBe('db1');
    expect(await kv.get({ scope: 'user', user: 'ann', name: 'app.host' })).toMatchObject({ value: 'ann-db', scope: 'st2kv.user', user: 'ann' });
    expect(await kv.get({ scope: 'user', user: 'bob', name: 'app.host' })).toBeUndefined();
    expect((await kv.list('system', undefined, { prefix: 'app.' })).map((p) => [p.name, p.value])).toEqual([
      ['app.host', 'db1'],
      ['app.port', '5432'],
    ]);
    expect(await kv.delete({ scope: 'system', name: 'other' })).toBe(true);
    expect(await kv.delete({ scope: 'system', name: 'other' })).toBe(false);
    expect(await kv.get({ scope: 'system', name: 'other' })).toBeUndefined();
  });

  it('writes the TTL attribute and treats an expired key as absent before DynamoDB deletes it', async () => {
    const set = await kv.set({ scope: 'system', name: 'short' }, 'v', { ttl: 60 });
    const { Item } = await substrate.clients.doc.send(
      new GetCommand({ TableName: substrate.tableNames.keyvalue, Key: { partition: 'system', name: 'short' } }),
    );
    expect(Item?.expires_at).toBe(Math.floor(Date.parse(set.expire_timestamp!) / 1000));
    const later = new KeyValueStore({ doc: substrate.clients.doc, tableName: substrate.tableNames.keyvalue, now: () => Date.now() + 61_000 });
    expect(await later.get({ scope: 'system', name: 'short' })).toBeUndefined();
    expect((await later.list('system', undefined)).map((p) => p.name)).not.toContain('short');
    expect((await kv.get({ scope: 'system', name: 'short' }))?.value).toBe('v');
    await expect(kv.set({ scope: 'system', name: 'bad' }, 'v', { ttl: 0 })).rejects.toThrow('invalid ttl: expected a positive whole number of seconds, got 0');
  });

  it('stores a secret encrypted (the table never holds the plaintext) and decrypts it on request', async () => {
    const set = await kv.set({ scope: 'system', name: 'db.password' }, 'Kp7-hunter2', { encrypt: true });
    expect(set).toMatchObject({ secret: true, encrypted: true });
    expect(set.value).not.toContain('Kp7-hunter2');
    const { Item } = await substrate.clients.doc.send(
      new GetCommand({ TableName: substrate.tableNames.keyvalue, Key: { partition: 'system', name: 'db.password' } }),
    );
    expect(JSON.stringify(Item)).not.toContain('Kp7-hunter2');
    expect((await kv.get({ scope: 'system', name: 'db.password' }))?.value).toBe(Item?.value);
    expect(await kv.get({ scope: 'system', name: 'db.password' }, { decrypt: true })).toMatchObject({ value: 'Kp7-hunter2', encrypted: false });
    // A ciphertext copied onto another key does not decrypt there.
    await substrate.clients.doc.send(new PutCommand({ TableName: substrate.tableNames.keyvalue, Item: { ...Item, name: 'copied' } }));
    await expect(kv.get({ scope: 'system', name: 'copied' }, { decrypt: true })).rejects.toThrow('cannot decrypt: system/copied - wrong key or altered value');
    await kv.delete({ scope: 'system', name: 'copied' });
  });
});

const output = (execution: Execution) => (execution.result as { output?: Record<string, unknown> }).output;

describe("orquesta's st2kv() (st2's examples)", () => {
  it('orquesta-st2kv reads a system key and decrypts it', async () => {
    await kv.set({ scope: 'system', name: 'wf.secret' }, 'Kp7-wf-secret', { encrypt: true });
    const execution = await run('examples.orquesta-st2kv', { key_name: 'system.wf.secret', decrypt: true });
    expect(execution.status).toBe('succeeded');
    expect(output(execution)).toEqual({ value: 'Kp7-wf-secret' });
  });

  it("reads the user scope of the workflow's user, and returns a stored template literally", async () => {
    await kv.set({ scope: 'user', user: 'ann', name: 'greeting' }, '{{ 7*7 }} <% 1+1 %>');
    const execution = await run('examples.orquesta-st2kv', { key_name: 'user.greeting' }, 'ann');
    expect(output(execution)).toEqual({ value: '{{ 7*7 }} <% 1+1 %>' });
    const stanley = await run('examples.orquesta-st2kv', { key_name: 'greeting' });
    expect(stanley.status).toBe('failed');
  });

  it('orquesta-st2kv fails on a missing key with st2 message', async () => {
    const execution = await run('examples.orquesta-st2kv', { key_name: 'system.matt', decrypt: true });
    expect(execution.status).toBe('failed');
    const errors = (execution.result as { errors: { message: string }[] }).errors;
    expect(errors[0].message).toContain('The key "matt" does not exist in the StackStorm datastore.');
  });

  it('orquesta-st2kv-default returns the default in YAQL and Jinja', async () => {
    const execution = await run('examples.orquesta-st2kv-default', { key_name: 'system.matt', decrypt: true, default: 'stone' });
    expect(execution.status).toBe('succeeded');
    expect(output(execution)).toEqual({ value_from_yaql: 'stone', value_from_jinja: 'stone' });
  });
});

describe('st2kv in parameter templates', () => {
  it('renders keys into a command, the decrypted password masked in result and output', async () => {
    await kv.set({ scope: 'system', name: 'login_user' }, 'ann');
    await kv.set({ scope: 'system', name: 'login_password' }, 'Kp7-login-pw', { encrypt: true });
    const execution = await run('examples.st2kv-login');
    expect(execution.status).toBe('succeeded');
    const result = execution.result as { stdout: string };
    expect(result.stdout).toMatch(/^user=ann password=\*+$/);
    const chunks = await readOutput(substrate.clients.doc, substrate.tableNames.output, execution.id, {});
    expect(JSON.stringify(chunks)).not.toContain('Kp7-login-pw');
    expect(JSON.stringify(await functions.runtime.store.get(execution.id))).not.toContain('Kp7-login-pw');
  });
});

describe('python actions: self.action_service', () => {
  it("gets, sets (local names are pack.Class:name, as st2's), lists, deletes, encrypts, and reads the user scope through the runner", async () => {
    await kv.set({ scope: 'system', name: 'shared' }, 'from the CLI');
    await kv.set({ scope: 'user', user: 'dora', name: 'mine' }, 'dora-value');
    const execution = await run('kvpy.roundtrip', { name: 'counter', value: '{{ 7*7 }}' }, 'dora');
    expect(execution.status, JSON.stringify(execution.result)).toBe('succeeded');
    expect((execution.result as { result: unknown }).result).toEqual({
      before: null,
      after: '{{ 7*7 }}',
      sealed_is_plain: false,
      decrypted_ok: true,
      listed: [['kvpy.RoundTrip:counter', '{{ 7*7 }}']],
      shared: 'from the CLI',
      mine: 'dora-value',
      deleted: true,
      gone: null,
      deleted_again: false,
      bad_value: 'invalid value for "kvpy.RoundTrip:n": expected a string (st2 stores strings; serialize others as JSON), got number',
      bad_scope: 'invalid scope: expected "system" or "user" (or st2kv.system / st2kv.user), got "global"',
    });
    expect(await kv.get({ scope: 'system', name: 'py_secret' }, { decrypt: true })).toMatchObject({ value: 'Kp7-py-secret', secret: true });
    expect((await kv.get({ scope: 'system', name: 'py_secret' }))?.expire_timestamp).toBeDefined();
    // The child got a socket and a token, never AWS credentials or the key file.
    expect(JSON.stringify(execution)).not.toContain(keyFile);
  });
});
