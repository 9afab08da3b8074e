import { describe, expect, it } from 'vitest';
import { isRequest, parseMessage } from '../../../src/queue/messages.ts';

describe('parseMessage: a message about an existing execution may name its action', () => {
  it('takes `{ executionId, action }` as a message about that execution, not as a request', () => {
    const message = parseMessage('{"executionId":"01J","action":"core.local"}');
    expect(message).toEqual({ version: 1, executionId: '01J', action: 'core.local' });
    expect(isRequest(message)).toBe(false);
    expect(isRequest(parseMessage('{"action":"core.local","parameters":{"cmd":"true"}}'))).toBe(true);
  });

  it('refuses an action beside an executionId that is no action ref, and parameters there, saying what was expected', () => {
    expect(() => parseMessage('{"executionId":"01J","action":"local"}')).toThrow('malformed message: action: expected an action ref "pack.name"');
    expect(() => parseMessage('{"executionId":"01J","action":"core.local","parameters":{}}')).toThrow(/malformed message: .*parameters/);
  });
});
