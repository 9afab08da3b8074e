import { describe, expect, it } from 'vitest';
import { parseHosts, RemoteShellRunner } from '../../../src/runners/remote-shell.ts';
import { shellQuote } from '../../../src/runners/ssh-exec.ts';
import { getRunner } from '../../../src/runners/index.ts';
import { action, request } from './helpers.ts';

describe('remote-shell runners', () => {
  it('parses hosts as st2 gives them: comma-separated, host or host:port, [v6]:port; a JSON array too', () => {
    expect(parseHosts('web1, web2:2222,[::1]:2200', 22)).toEqual([
      { host: 'web1', port: 22 },
      { host: 'web2', port: 2222 },
      { host: '::1', port: 2200 },
    ]);
    expect(parseHosts(['a', 'b:23'], 2022)).toEqual([
      { host: 'a', port: 2022 },
      { host: 'b', port: 23 },
    ]);
  });

  it('quotes every byte of a value for the remote shell', () => {
    expect(shellQuote(`it's $(rm -rf /) "x"`)).toBe(`'it'\\''s $(rm -rf /) "x"'`);
  });

  it('refuses bad input before connecting, saying what was expected and what was given', async () => {
    const runner = getRunner('remote-shell-cmd');
    expect(runner).toBeInstanceOf(RemoteShellRunner);
    const def = action('remote-shell-cmd');
    const run = (parameters: Record<string, unknown>) =>
      runner.run(request(def, { username: 'u', private_key: '-----BEGIN KEY-----\nx', cmd: 'true', hosts: 'h', ...parameters }));
    expect(await run({ hosts: ' , ' })).toMatchObject({
      status: 'failed',
      result: { error: 'invalid parameter: hosts - expected a comma-separated list of hosts (e.g. "web1,web2:2222"), got " , "' },
    });
    expect(await run({ hosts: 'a:b:c' })).toMatchObject({ result: { error: 'invalid parameter: hosts - expected host or host:port, got "a:b:c"' } });
    expect(await run({ env: { 'BAD-NAME': 'x' } })).toMatchObject({
      result: { error: 'invalid parameter: env - expected variable names of letters, digits and _, got "BAD-NAME"' },
    });
    expect(await run({ sudo: true })).toMatchObject({
      result: { error: expect.stringMatching(/^sudo is not supported: .*core\.remote_sudo is refused as core\.local_sudo is/) },
    });
    expect(await run({ private_key: '/nonexistent/key' })).toMatchObject({
      result: { error: 'invalid parameter: private_key - expected key material or a readable key file, got a path that cannot be read (ENOENT)' },
    });
  });
});
