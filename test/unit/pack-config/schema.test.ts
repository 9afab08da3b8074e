import { describe, expect, it } from 'vitest';
import { applySchema, InvalidPackConfigError, type ConfigSchema } from '../../../src/pack-config/index.ts';

// The shape of st2 Exchange schemas (stackstorm-email's smtp_accounts): st2's `required: true` inside array items.
const accounts: ConfigSchema = {
  smtp_accounts: {
    type: 'array',
    required: true,
    items: {
      type: 'object',
      required: true,
      properties: {
        name: { type: 'string', required: true },
        port: { type: 'integer', default: 465, required: true },
        password: { type: 'string', secret: true },
      },
    },
  },
};

describe('applySchema: st2 keywords at any depth', () => {
  it("takes st2's required: true inside array items, fills their defaults, and names a missing nested field", () => {
    expect(applySchema('email', accounts, { smtp_accounts: [{ name: 'me' }] })).toEqual({ smtp_accounts: [{ name: 'me', port: 465 }] });
    expect(() => applySchema('email', accounts, { smtp_accounts: [{ port: 25 }] })).toThrow(
      "invalid pack config: email - smtp_accounts.0: must have required property 'name' (given: missing)",
    );
    expect(() => applySchema('email', accounts, {})).toThrow('smtp_accounts: must have required property');
  });

  it('keeps JSON schema keywords nested the same way (additionalProperties, anyOf, a required list)', () => {
    const schema: ConfigSchema = {
      hosts: { type: 'object', additionalProperties: { type: 'object', properties: { port: { type: 'integer', required: true } } } },
      mode: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
      creds: { type: 'object', required: ['user'], properties: { user: { type: 'string' } } },
    };
    expect(applySchema('p', schema, { hosts: { a: { port: 1 } }, mode: 2, creds: { user: 'u' } })).toEqual({
      hosts: { a: { port: 1 } },
      mode: 2,
      creds: { user: 'u' },
    });
    expect(() => applySchema('p', schema, { hosts: { a: {} } })).toThrow("hosts.a: must have required property 'port'");
    expect(() => applySchema('p', schema, { creds: {} })).toThrow("creds: must have required property 'user'");
    expect(() => applySchema('p', schema, { mode: true })).toThrow('mode: must match a schema in anyOf');
  });

  it('refuses a schema it cannot compile with InvalidPackConfigError (the run fails at once, it is not retried)', () => {
    const broken: ConfigSchema = { x: { type: 'nonsense' } };
    const error = (() => {
      try {
        applySchema('broken', broken, {});
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidPackConfigError);
    expect((error as Error).message).toMatch(/^invalid config schema: broken - config.schema.yaml: .*type/);
  });
});
