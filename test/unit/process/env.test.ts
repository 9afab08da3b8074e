import { describe, expect, it } from 'vitest';
import { buildChildEnv, isShellStartupVariable } from '../../../src/process/env.ts';

const parentEnv = {
  PATH: '/usr/bin',
  HOME: '/root',
  LANG: 'C.UTF-8',
  LC_ALL: 'C.UTF-8',
  TZ: 'UTC',
  AWS_REGION: 'eu-west-1',
  AWS_DEFAULT_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'AKIA...',
  AWS_SECRET_ACCESS_KEY: 'secret',
  AWS_SESSION_TOKEN: 'token',
  AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://169.254.170.2/creds',
  AWS_WEB_IDENTITY_TOKEN_FILE: '/var/token',
  AWS_PROFILE: 'prod',
  NODE_OPTIONS: '--inspect',
  DATABASE_PASSWORD: 'hunter2',
  ACTIONRUNNER_EXECUTIONS_TABLE: 't',
};

describe('buildChildEnv', () => {
  it('copies the allow-list only', () => {
    expect(buildChildEnv({ parentEnv })).toEqual({
      PATH: '/usr/bin',
      HOME: '/root',
      LANG: 'C.UTF-8',
      LC_ALL: 'C.UTF-8',
      TZ: 'UTC',
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
    });
  });

  it('adds AWS credentials only when asked', () => {
    const env = buildChildEnv({ parentEnv, inheritAwsCredentials: true });
    expect(env).toMatchObject({
      AWS_ACCESS_KEY_ID: 'AKIA...',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'token',
      AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://169.254.170.2/creds',
      AWS_WEB_IDENTITY_TOKEN_FILE: '/var/token',
      AWS_PROFILE: 'prod',
    });
    expect(env.DATABASE_PASSWORD).toBeUndefined();
    expect(env.NODE_OPTIONS).toBeUndefined();
  });

  it('lets extra variables win and drops undefined ones', () => {
    expect(buildChildEnv({ parentEnv: { PATH: '/a' }, extra: { PATH: '/b', X: '1', Y: undefined } })).toEqual({ PATH: '/b', X: '1' });
  });

  it('drops shell start-up variables from the parent and from extra', () => {
    const env = buildChildEnv({
      parentEnv: { ...parentEnv, ENV: '/p' },
      extra: { BASH_ENV: '/x', 'BASH_FUNC_f%%': '() { :; }', 'g()': 'x', PS4: '$(id)', OK: '1' },
    });
    expect(env.OK).toBe('1');
    for (const name of ['ENV', 'BASH_ENV', 'BASH_FUNC_f%%', 'g()', 'PS4']) expect(env[name], name).toBeUndefined();
    expect(['SHELLOPTS', 'BASHOPTS', 'BASH_FUNC_x'].every(isShellStartupVariable)).toBe(true);
    expect(isShellStartupVariable('BASH_VERSION_X')).toBe(false);
  });
});
