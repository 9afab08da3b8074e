import { describe, expect, it } from 'vitest';
import { inquiryQuestion, validateResponse } from '../../../src/request/inquiries.ts';

// st2's orquesta-ask-multiple-parameters schema: draft-3 `required: True` inside `properties`.
const schema = {
  type: 'object',
  properties: {
    approved: { type: 'boolean', required: true },
    department_id: { type: 'number', required: true },
    extra_output: { type: 'string' },
  },
};

describe('validateResponse: a response against its inquiry schema', () => {
  it('accepts what the schema accepts, optional properties left out', () => {
    expect(() => validateResponse({ id: 'q1', schema }, { approved: true, department_id: 3 })).not.toThrow();
  });

  it("reads st2's draft-3 required: true, and names every problem, what was given and the schema", () => {
    expect(() => validateResponse({ id: 'q1', schema }, { approved: 'yes' })).toThrow(
      'invalid response: inquiry q1 - (response): missing required property "department_id"; /approved: must be boolean; got {"approved":"yes"}, expected a value of the schema {"type":"object"',
    );
  });

  it('refuses what is no JSON object', () => {
    expect(() => validateResponse({ id: 'q1', schema }, [true])).toThrow('invalid response: inquiry q1 - expected a JSON object, got [true]');
  });
});

describe('inquiryQuestion: what core.ask records', () => {
  it("keeps st2's fields and counts the ttl in minutes", () => {
    const before = Date.now();
    const { result, expiresAt } = inquiryQuestion({ schema, ttl: 60, users: ['ann'] });
    expect(result).toEqual({ schema, roles: [], users: ['ann'], route: '', ttl: 60 });
    expect(expiresAt - before).toBeGreaterThanOrEqual(3_600_000);
    expect(expiresAt - Date.now()).toBeLessThanOrEqual(3_600_000);
  });
});
