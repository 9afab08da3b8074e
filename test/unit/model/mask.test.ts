import { describe, expect, it } from 'vitest';
import { maskDeep, maskSecretValuesInText, MIN_MASKED_SECRET_LENGTH, SecretStreamMasker, secretValuesOf, secretVariants } from '../../../src/model/index.ts';

const SECRET = `s3cr'e"t\\x`;

describe('maskDeep', () => {
  it('masks strings at any depth, in arrays, in keys, and inside longer strings', () => {
    const value = { a: { b: [1, 'x hunter2 y', { hunter2: 'hunter2' }] }, n: 5, t: true, z: null };
    expect(maskDeep(value, ['hunter2'])).toEqual({ a: { b: [1, 'x ******** y', { '********': '********' }] }, n: 5, t: true, z: null });
    expect(value.a.b[1]).toBe('x hunter2 y'); // a copy
  });

  it('masks a secret escaped in a JSON string, in ASCII-only JSON, in JSON inside JSON, in a Python repr', () => {
    const pyRepr = `{'pw': 's3cr\\'e"t\\\\x'}`; // repr() of a dict holding SECRET
    const texts = [JSON.stringify({ pw: SECRET }), JSON.stringify(JSON.stringify({ pw: SECRET })), pyRepr];
    for (const text of texts) expect(maskDeep(text, [SECRET]), text).not.toMatch(/s3cr/);
    expect(maskSecretValuesInText('{"pw": "p\\u00e4ssw\\u00f6rt"}', ['pässwört'])).toBe('{"pw": "********"}');
  });

  it('takes a secret literally, regular-expression characters included', () => {
    expect(maskDeep('x a.b*c(d)[e]$^|\\ y a-b-c-d', ['a.b*c(d)[e]$^|\\'])).toBe('x ******** y a-b-c-d');
  });

  it('turns an error into name, message, stack, masked', () => {
    const error = new Error('bad pw hunter2');
    const masked = maskDeep<unknown>({ error }, ['hunter2']) as { error: Record<string, string> };
    expect(masked.error.message).toBe('bad pw ********');
    expect(masked.error.stack).toMatch(/^Error: bad pw \*{8}\n/);
  });

  it('keeps both of two keys that mask alike, and survives cycles and shared objects', () => {
    expect(maskDeep({ 'k-hunter2': 1, 'k-hunter3': 2 }, ['hunter2', 'hunter3'])).toEqual({ 'k-********': 1, 'k-********#2': 2 });
    const shared = { v: 'hunter2' };
    const cyclic: Record<string, unknown> = { a: shared, b: shared };
    cyclic.self = cyclic;
    expect(maskDeep(cyclic, ['hunter2'])).toEqual({ a: { v: '********' }, b: { v: '********' }, self: '[Circular]' });
  });

  it(`leaves secrets shorter than ${MIN_MASKED_SECRET_LENGTH} characters alone in text`, () => {
    expect(maskDeep({ s: 'a cat' }, ['a', 'cat'])).toEqual({ s: 'a cat' });
    expect(secretVariants('abc')).toEqual([]);
  });
});

describe('secretValuesOf', () => {
  it('takes strings, numbers and every leaf of object values of the secret parameters only', () => {
    expect(
      secretValuesOf({ pw: 'hunter2', pin: 123456, creds: { user: 'root-user', key: ['k-000111'] }, shown: 'visible', short: 'ab' }, [
        'pw',
        'pin',
        'creds',
        'short',
      ]),
    ).toEqual(['hunter2', '123456', 'root-user', 'k-000111']);
  });
});

describe('SecretStreamMasker', () => {
  it('masks a secret cut across pieces, and holds back only a possible start of one', () => {
    const masker = new SecretStreamMasker(['hunter2']);
    expect(masker.push('line one\npw=hun')).toBe('line one\npw=');
    expect(masker.push('ter2 done\nhu')).toBe('******** done\n');
    expect(masker.push('go\n')).toBe('hugo\n');
    expect(masker.push('last h')).toBe('last ');
    expect(masker.end()).toBe('h');
  });

  it('masks a multi-line secret written in two pieces', () => {
    const key = '-----BEGIN KEY-----\nabc123\n-----END KEY-----';
    const masker = new SecretStreamMasker([key]);
    const out = masker.push(`${key.slice(0, 25)}`) + masker.push(`${key.slice(25)}\n`) + masker.end();
    expect(out).toBe('********\n');
  });

  it('passes text through when there is no secret', () => {
    const masker = new SecretStreamMasker([]);
    expect(masker.push('hu')).toBe('hu');
  });
});
