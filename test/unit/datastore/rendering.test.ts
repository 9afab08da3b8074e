import { afterAll, describe, expect, it } from 'vitest';
import { loadActions, resolveParameters } from '../../../src/actions/index.ts';
import { readsDatastore } from '../../../src/actions/resolve.ts';
import { DatastoreSnapshot } from '../../../src/datastore/index.ts';
import { evaluate } from '../../../src/workflow/expressions/index.ts';
import { PacksFixture } from '../actions/pack-fixture.ts';
import { makeContext } from '../workflow/expressions/helpers.ts';

const packs = new PacksFixture();
packs.pack('kv', {
  'actions/reads.yaml': `
name: reads
runner_type: noop
parameters:
  host: { type: string, default: "{{ st2kv.system.host }}" }
  mine: { type: string, default: "user {{ st2kv.user.mine }}" }
  missing: { type: string, default: "[{{ st2kv.system.gone }}]" }
  tpl: { type: string, default: "{{ st2kv.system.tpl }}" }
  sealed: { type: string, default: "{{ st2kv.system.pw }}" }
  password: { type: string, default: "{{ st2kv.system.pw | decrypt_kv }}" }
`,
  'actions/cmd.yaml': `
name: cmd
runner_type: local-shell-cmd
parameters:
  cmd: { type: string, default: "login --password {{ st2kv.system.pw | decrypt_kv }}" }
`,
  'actions/plain.yaml': `
name: plain
runner_type: noop
parameters:
  message: { type: string, default: "{{ 'hi' }}" }
`,
});
const catalog = loadActions({ packsDir: null, packsPaths: [packs.dir] });
afterAll(() => packs.remove());

const entries = (list: [string, string, boolean, string?][]) =>
  new Map(list.map(([name, value, secret, plaintext]) => [name, { value, secret, ...(plaintext !== undefined ? { plaintext } : {}) }]));
const snapshot = () =>
  new DatastoreSnapshot('bob', {
    system: entries([
      ['host', 'db1', false],
      ['pw', 'aes256gcm:CIPHER', true, 'hunter2'],
      ['tpl', '{{ 7*7 }}', false],
    ]),
    user: entries([['mine', 'bob-value', false]]),
  });

describe('st2kv in parameter templates', () => {
  it('knows which actions read the datastore', () => {
    expect(readsDatastore(catalog.get('kv.reads')!)).toBe(true);
    expect(readsDatastore(catalog.get('kv.plain')!)).toBe(false);
  });

  it('renders keys of both scopes as data, missing ones empty, secrets sealed unless decrypt_kv, and marks decrypted parameters secret', () => {
    const datastore = snapshot();
    const resolved = resolveParameters(catalog.get('kv.reads')!, {}, { datastore });
    expect(resolved.values).toEqual({ host: 'db1', mine: 'user bob-value', missing: '[]', tpl: '{{ 7*7 }}', sealed: 'aes256gcm:CIPHER', password: 'hunter2' });
    expect(resolved.secretNames).toEqual(['password']);
    expect(resolved.datastoreSecrets).toEqual(['hunter2']);
  });

  it('passes a decrypted value to a shell command through its environment, and reports it to be masked', () => {
    const resolved = resolveParameters(catalog.get('kv.cmd')!, {}, { datastore: snapshot() });
    expect(resolved.values.cmd).not.toContain('hunter2');
    expect(Object.values(resolved.commandEnv)).toContain('hunter2');
    expect(resolved.datastoreSecrets).toEqual(['hunter2']);
  });

  it('refuses st2kv where no datastore was read', () => {
    expect(() => resolveParameters(catalog.get('kv.reads')!, {})).toThrow('parameter "host" references "st2kv": the datastore is not available here');
  });
});

describe('st2kv() in orquesta expressions', () => {
  const context = () => makeContext({ datastore: snapshot() });
  const y = (expr: string, c = context()) => evaluate(`<% ${expr} %>`, c);
  const j = (expr: string, c = context()) => evaluate(`{{ ${expr} }}`, c);

  it('reads a key in YAQL and Jinja, decrypts on request, returns values as data', () => {
    expect(y("st2kv('system.host')")).toBe('db1');
    expect(j("st2kv('system.host')")).toBe('db1');
    expect(y("st2kv('system.pw')")).toBe('aes256gcm:CIPHER');
    expect(y("st2kv('system.pw', decrypt => true)")).toBe('hunter2');
    expect(j("st2kv('system.pw', decrypt=true)")).toBe('hunter2');
    expect(y("st2kv('mine')")).toBe('bob-value');
    expect(y("st2kv('system.tpl')")).toBe('{{ 7*7 }}');
  });

  it('returns the default for a missing key, and fails as st2 does without one', () => {
    expect(y("st2kv('system.matt', default => 'stone')")).toBe('stone');
    expect(j("st2kv('system.matt', default='stone')")).toBe('stone');
    expect(() => y("st2kv('system.matt')")).toThrow('ExpressionEvaluationException: The key "matt" does not exist in the StackStorm datastore.');
    expect(() => j("st2kv('system.matt')")).toThrow('The key "matt" does not exist in the StackStorm datastore.');
  });

  it('says what it expected for a key or decrypt of the wrong type', () => {
    expect(() => y('st2kv(1)')).toThrow('Given key is not typeof string (st2kv() expects a key such as "system.name", got int).');
    expect(() => y("st2kv('system.host', decrypt => 'yes')")).toThrow('Decrypt parameter is not typeof bool (got str).');
  });
});
