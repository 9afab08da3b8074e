import { userInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { cliUser } from '../../../src/cli/user.ts';

describe('cliUser', () => {
  it('is ACTIONRUNNER_USER when set, else the OS user', () => {
    expect(cliUser({ ACTIONRUNNER_USER: 'ann' })).toBe('ann');
    expect(cliUser({})).toBe(userInfo().username);
  });
});
