import { describe, expect, it } from 'vitest';
import { DatastoreSnapshot, KeyNotFoundError, parseScope, splitScopedKey } from '../../../src/datastore/index.ts';
import { decryptKv, templateDatastore } from '../../../src/datastore/template-filter.ts';

describe('scopes and key names', () => {
  it('accepts st2 scope names, short and long, and says what it expected otherwise', () => {
    expect(parseScope('system')).toBe('system');
    expect(parseScope('st2kv.user')).toBe('user');
    expect(() => parseScope('global')).toThrow('invalid scope: expected "system" or "user" (or st2kv.system / st2kv.user), got "global"');
  });

  it("splits orquesta's keys as st2 does: system., user., else the user scope", () => {
    expect(splitScopedKey('system.a.b')).toEqual({ scope: 'system', name: 'a.b' });
    expect(splitScopedKey('user.a')).toEqual({ scope: 'user', name: 'a' });
    expect(splitScopedKey('a')).toEqual({ scope: 'user', name: 'a' });
  });
});

const entries = (list: [string, string, boolean, string?][]) =>
  new Map(list.map(([name, value, secret, plaintext]) => [name, { value, secret, ...(plaintext !== undefined ? { plaintext } : {}) }]));

describe('DatastoreSnapshot', () => {
  const snapshot = () =>
    new DatastoreSnapshot('bob', {
      system: entries([
        ['host', 'db1', false],
        ['pw', 'aes256gcm:CIPHER', true, 'hunter2'],
        ['tpl', '{{ 7*7 }}', false],
      ]),
      user: entries([['mine', 'bob-value', false]]),
    });

  it('looks keys up as st2kv() does: ciphertext unless decrypt, default when missing, else st2 error', () => {
    const kv = snapshot();
    expect(kv.lookup('system.host')).toBe('db1');
    expect(kv.lookup('system.pw')).toBe('aes256gcm:CIPHER');
    expect(kv.revealed.size).toBe(0);
    expect(kv.lookup('system.pw', { decrypt: true })).toBe('hunter2');
    expect([...kv.revealed]).toEqual(['hunter2']);
    expect(kv.lookup('mine')).toBe('bob-value');
    expect(kv.lookup('user.mine')).toBe('bob-value');
    expect(kv.lookup('system.tpl')).toBe('{{ 7*7 }}');
    expect(kv.lookup('system.nope', { hasDefault: true, default: 'stone' })).toBe('stone');
    expect(kv.lookup('system.nope', { hasDefault: true, default: null })).toBeNull();
    expect(() => kv.lookup('system.matt')).toThrow(new KeyNotFoundError('matt'));
    expect(() => kv.lookup('system.matt')).toThrow('The key "matt" does not exist in the StackStorm datastore.');
  });

  it('gives templates the keys, an empty string for a named missing key, and decrypt_kv only for its own secrets', () => {
    const kv = snapshot();
    expect(templateDatastore(kv, ['{{ st2kv.system.gone }}{{ st2kv.user.mine }}'])).toEqual({
      system: { host: 'db1', pw: 'aes256gcm:CIPHER', tpl: '{{ 7*7 }}', gone: '' },
      user: { mine: 'bob-value' },
    });
    expect(decryptKv(kv, 'aes256gcm:CIPHER')).toBe('hunter2');
    expect(() => decryptKv(kv, '')).toThrow("decrypt_kv: the referenced datastore item doesn't exist or it contains an empty string");
    expect(() => decryptKv(kv, 'db1')).toThrow('decrypt_kv: expected the value of an encrypted datastore key, got a string that is not one');
    expect(() => decryptKv(undefined, 'x')).toThrow('no datastore is available here');
  });
});
