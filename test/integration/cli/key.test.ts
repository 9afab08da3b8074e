// `actionrunner key set|get|list|delete|load` as a real process against DynamoDB Local.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureKeyFile } from '../../../src/datastore/index.ts';
import { cleanEnv, cli } from '../../e2e/helpers.ts';
import { useSubstrate } from '../../helpers/substrate.ts';

const work = mkdtempSync(path.join(tmpdir(), 'ar-key-'));
const keyFile = ensureKeyFile(path.join(work, 'datastore.key'));
const substrate = useSubstrate({ env: { ACTIONRUNNER_DATASTORE_KEY_FILE: keyFile } });
afterAll(() => rmSync(work, { recursive: true, force: true }));

const run = (args: string[], user = 'ann') => cli(work, args, cleanEnv({ ...substrate.env, ACTIONRUNNER_USER: user, NO_COLOR: '1' }));
const json = async (args: string[], user?: string) => {
  const result = await run([...args, '--json'], user);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
};

describe('actionrunner key', () => {
  it('sets, gets, lists and deletes system keys, with an st2-like table', async () => {
    expect(await json(['key', 'set', 'cli.host', 'db1'])).toMatchObject({ name: 'cli.host', value: 'db1', scope: 'st2kv.system', secret: false });
    const table = await run(['key', 'get', 'cli.host']);
    expect(table.stdout).toMatch(/NAME\s+VALUE\s+SECRET\s+ENCRYPTED\s+SCOPE\s+USER\s+EXPIRE_TIMESTAMP/);
    expect(table.stdout).toMatch(/cli\.host\s+db1\s+false\s+false\s+st2kv\.system/);
    await run(['key', 'set', 'cli.port', '5432']);
    expect((await json(['key', 'list', '--prefix', 'cli.'])).map((p: { name: string }) => p.name)).toEqual(['cli.host', 'cli.port']);
    const deleted = await run(['key', 'delete', 'cli.port']);
    expect(deleted.stdout).toContain('deleted key "cli.port" (system)');
    const missing = await run(['key', 'get', 'cli.port']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('The key "cli.port" does not exist in the StackStorm datastore.');
  });

  it('keeps user-scoped keys per user (ACTIONRUNNER_USER)', async () => {
    await json(['key', 'set', 'pref', 'dark', '--scope', 'user'], 'ann');
    expect(await json(['key', 'get', 'pref', '--scope', 'user'], 'ann')).toMatchObject({ value: 'dark', scope: 'st2kv.user', user: 'ann' });
    expect((await run(['key', 'get', 'pref', '--scope', 'user'], 'bob')).code).toBe(2);
  });

  it('encrypts with --encrypt, shows the plaintext only with --decrypt, and never stores it', async () => {
    const set = await run(['key', 'set', 'cli.pw', 'Kp7-cli-secret', '--encrypt']);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout + set.stderr).not.toContain('Kp7-cli-secret');
    const listed = await run(['key', 'list']);
    expect(listed.stdout).not.toContain('Kp7-cli-secret');
    expect(listed.stdout).toMatch(/cli\.pw\s+aes256gcm:\S+\s+true\s+true/);
    expect(await json(['key', 'get', 'cli.pw', '--decrypt'])).toMatchObject({ value: 'Kp7-cli-secret', secret: true, encrypted: false });
    const { Item } = await substrate.clients.doc.send(
      new GetCommand({ TableName: substrate.tableNames.keyvalue, Key: { partition: 'system', name: 'cli.pw' } }),
    );
    expect(JSON.stringify(Item)).not.toContain('Kp7-cli-secret');
  });

  it('sets a TTL, and refuses a bad one or a bad scope saying what it expected', async () => {
    const set = await json(['key', 'set', 'cli.temp', 'x', '--ttl', '3600']);
    expect(Date.parse(set.expire_timestamp) - Date.now()).toBeGreaterThan(3500_000);
    const badTtl = await run(['key', 'set', 'cli.temp', 'x', '--ttl', 'soon']);
    expect(badTtl.code).toBe(2);
    expect(badTtl.stderr).toContain('invalid --ttl: expected a positive whole number of seconds, got "soon"');
    const badScope = await run(['key', 'list', '--scope', 'global']);
    expect(badScope.code).toBe(2);
    expect(badScope.stderr).toContain('invalid scope: expected "system" or "user" (or st2kv.system / st2kv.user), got "global"');
  });

  it("loads st2's JSON format (what st2 key list -j prints), secrets encrypted, and refuses values it cannot take", async () => {
    const file = path.join(work, 'keys.json');
    writeFileSync(
      file,
      JSON.stringify([
        { name: 'loaded.a', value: 'one', scope: 'st2kv.system' },
        { name: 'loaded.b', value: 'Kp7-loaded-secret', secret: true },
        { name: 'loaded.c', value: 'mine', scope: 'user', user: 'carol' },
        { name: 'loaded.d', value: 'short', ttl: 600 },
      ]),
    );
    const loaded = await json(['key', 'load', file]);
    expect(loaded.map((p: { name: string; secret: boolean }) => [p.name, p.secret])).toEqual([
      ['loaded.a', false],
      ['loaded.b', true],
      ['loaded.c', false],
      ['loaded.d', false],
    ]);
    expect(JSON.stringify(loaded)).not.toContain('Kp7-loaded-secret');
    expect(await json(['key', 'get', 'loaded.c', '--scope', 'user'], 'carol')).toMatchObject({ value: 'mine' });
    writeFileSync(file, JSON.stringify([{ name: 'obj', value: { a: 1 } }]));
    const refused = await run(['key', 'load', file]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('expected a string value, got object (pass --convert to store it as JSON)');
    expect(await json(['key', 'load', file, '--convert'])).toMatchObject([{ name: 'obj', value: '{"a":1}' }]);
    writeFileSync(file, JSON.stringify([{ name: 'sealed', value: 'abc', secret: true, encrypted: true }]));
    expect((await run(['key', 'load', file])).stderr).toContain('holds a value encrypted by another datastore');
  });
});
