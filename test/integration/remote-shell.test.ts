// core.remote and remote-shell-script through functions/actions.ts against a real OpenSSH server on 127.0.0.1 and
// 127.0.0.2 (test/helpers/sshd.ts): per-host results as st2 keys them, output streamed per host, a timeout
// that kills the remote command, a host that refuses the connection, and the private key from the datastore
// never shown anywhere.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureKeyFile, KeyValueStore, LocalCipher } from '../../src/datastore/index.ts';
import { readOutput } from '../../src/store/output.ts';
import { useFunctions } from '../helpers/functions.ts';
import { closedPort, useSshd } from '../helpers/sshd.ts';
import { eventually, useSubstrate } from '../helpers/substrate.ts';

const keyFile = ensureKeyFile(join(mkdtempSync(join(tmpdir(), 'ssh-kv-')), 'datastore.key'));
const packs = mkdtempSync(join(tmpdir(), 'ssh-packs-'));
mkdirSync(join(packs, 'ops', 'actions'), { recursive: true });
writeFileSync(
  join(packs, 'ops', 'actions', 'report.yaml'),
  [
    'name: report',
    'runner_type: remote-shell-script',
    'entry_point: report.sh',
    'parameters:',
    '  who: { type: string, position: 0 }',
    '  level: { type: integer }',
  ].join('\n'),
);
// The key comes from the datastore through the pack author's default (a user's values are data, never templates).
writeFileSync(
  join(packs, 'ops', 'actions', 'fleet.yaml'),
  ['name: fleet', 'runner_type: remote-shell-cmd', 'parameters:', '  private_key:', '    default: "{{ st2kv.system.ssh_key | decrypt_kv }}"'].join('\n'),
);
writeFileSync(
  join(packs, 'ops', 'actions', 'report.sh'),
  '#!/bin/sh\necho "hello from $(pwd) as $(id -un)"; for a in "$@"; do echo "arg: $a"; done; echo warn >&2\n',
);

const substrate = useSubstrate({ env: { ACTIONRUNNER_DATASTORE_KEY_FILE: keyFile, ACTIONRUNNER_PACKS_PATH: packs, ACTIONRUNNER_HEARTBEAT_MS: '200' } });
const sshd = useSshd();
const functions = useFunctions(substrate);
const hosts = () => `127.0.0.1:${sshd.port},127.0.0.2:${sshd.port}`;
const login = () => ({ username: sshd.username, private_key: sshd.privateKey });

beforeAll(async () => {
  const kv = new KeyValueStore({ doc: substrate.clients.doc, tableName: substrate.tableNames.keyvalue, cipher: new LocalCipher(keyFile) });
  await kv.set({ scope: 'system', name: 'ssh_key' }, sshd.privateKey, { encrypt: true });
});

// Every line of the key but the armour: none may appear in what a user or an operator can read.
const keyLines = () => sshd.privateKey.split('\n').filter((line) => line && !line.startsWith('-----'));
const leaks = (text: string) => keyLines().filter((line) => text.includes(line));

describe('remote-shell-cmd (core.remote) over SSH', () => {
  it('runs on every host in parallel, with env and cwd, keyed by host as st2; output streamed labelled by host', async () => {
    const ended = await functions.run('core.remote', {
      hosts: hosts(),
      ...login(),
      cmd: 'echo "$GREETING from $(pwd)"; echo oops >&2',
      env: { GREETING: "it's me" },
      cwd: '/tmp',
    });
    expect(ended.status).toBe('succeeded');
    const one = { stdout: "it's me from /tmp", stderr: 'oops', return_code: 0, succeeded: true, failed: false };
    expect(ended.result).toEqual({ [`127.0.0.1:${sshd.port}`]: one, [`127.0.0.2:${sshd.port}`]: one });
    const records = await eventually(async () => {
      const found = await readOutput(substrate.clients.doc, substrate.tableNames.output, ended.id);
      expect(found.filter((r) => r.output_type === 'stdout')).toHaveLength(2);
      return found;
    });
    const stdout = records
      .filter((r) => r.output_type === 'stdout')
      .map((r) => r.data)
      .sort();
    expect(stdout).toEqual([`[127.0.0.1:${sshd.port}] it's me from /tmp\n`, `[127.0.0.2:${sshd.port}] it's me from /tmp\n`]);
    expect(
      records
        .filter((r) => r.output_type === 'stderr')
        .map((r) => r.data)
        .sort(),
    ).toEqual([`[127.0.0.1:${sshd.port}] oops\n`, `[127.0.0.2:${sshd.port}] oops\n`]);
  });

  it('a host that refuses the connection fails alone, with the reason; the others still run', async () => {
    const closed = await closedPort();
    const ended = await functions.run('core.remote', { hosts: `127.0.0.1:${sshd.port},127.0.0.1:${closed}`, ...login(), cmd: 'exit 3' });
    expect(ended.status).toBe('failed');
    expect(ended.result).toEqual({
      [`127.0.0.1:${sshd.port}`]: { stdout: '', stderr: '', return_code: 3, succeeded: false, failed: true },
      [`127.0.0.1:${closed}`]: {
        stdout: '',
        stderr: '',
        return_code: 255,
        succeeded: false,
        failed: true,
        error: expect.stringMatching(new RegExp(`^could not connect: ${sshd.username}@127\\.0\\.0\\.1:${closed} - .*ECONNREFUSED`)),
      },
    });
  });

  it('a timeout kills the remote command (its whole process group) and records timeout with -9', async () => {
    const marker = `sleep 41.${process.pid}`;
    const ended = await functions.run('core.remote', { hosts: `127.0.0.1:${sshd.port}`, ...login(), cmd: `echo started; ${marker}; echo never`, timeout: 5 });
    expect(ended.status).toBe('timeout');
    expect(ended.result).toEqual({
      [`127.0.0.1:${sshd.port}`]: {
        stdout: 'started',
        stderr: '',
        return_code: -9,
        succeeded: false,
        failed: true,
        timeout: true,
        error: 'Action failed to complete in 5 seconds',
      },
    });
    await eventually(() => expect(() => execFileSync('pgrep', ['-f', marker])).toThrow());
  });

  it('takes the private key from the datastore and never shows it: not in the result, the record, the output or an error', async () => {
    const ended = await functions.run('ops.fleet', {
      hosts: `127.0.0.1:${sshd.port}`,
      username: sshd.username,
      // The remote command prints the key itself: masked in the output and the result.
      cmd: `cat ${sshd.privateKeyFile}`,
    });
    expect(ended.status).toBe('succeeded');
    const record = JSON.stringify(await functions.runtime.store.get(ended.id));
    expect(record).toContain('********');
    expect(leaks(record)).toEqual([]);
    const output = (await readOutput(substrate.clients.doc, substrate.tableNames.output, ended.id)).map((r) => r.data).join('');
    expect(output).toContain('********');
    expect(leaks(output)).toEqual([]);
    // A key the server does not accept: the error says so, without the key.
    const refused = await functions.run('core.remote', {
      hosts: `127.0.0.1:${sshd.port}`,
      username: sshd.username,
      private_key: sshd.strangerKey,
      cmd: 'true',
    });
    expect(refused.status).toBe('failed');
    const error = (refused.result as Record<string, { error: string }>)[`127.0.0.1:${sshd.port}`].error;
    expect(error).toMatch(/^could not connect: .* - All configured authentication methods failed/);
    // `parameters` holds what the user gave, for the run to read (README "Records"); every reader masks it.
    const { parameters, ...shown } = (await functions.runtime.store.get(refused.id))!;
    expect(parameters.private_key).toBe(sshd.strangerKey);
    const text = JSON.stringify(shown);
    expect(text).toContain('could not connect');
    expect(sshd.strangerKey.split('\n').filter((line) => line && !line.startsWith('-----') && text.includes(line))).toEqual([]);
  });

  it('refuses core.remote_sudo as sudo is refused, and says what it needs when username or key is missing', async () => {
    expect(functions.runtime.catalog.unavailable?.('core.remote_sudo')?.reason).toMatch(/^sudo is not supported/);
    const noUser = await functions.run('core.remote', { hosts: '127.0.0.1', private_key: sshd.privateKey, cmd: 'true' });
    expect(noUser).toMatchObject({
      status: 'failed',
      result: { error: expect.stringMatching(/^invalid parameter: username - expected the user to log in as/) },
    });
    const noKey = await functions.run('core.remote', { hosts: '127.0.0.1', username: sshd.username, cmd: 'true' });
    expect(noKey).toMatchObject({
      status: 'failed',
      result: { error: 'invalid parameter: private_key - expected a private key (or password) to log in with, got neither' },
    });
  });
});

describe('remote-shell-script over SSH', () => {
  it("writes the pack's script to a private folder on each host, runs it with the action's arguments, and removes it", async () => {
    const ended = await functions.run('ops.report', { hosts: hosts(), ...login(), who: 'ops team', level: 2, cwd: '/' });
    expect(ended.status).toBe('succeeded');
    const one = { stdout: `hello from / as ${sshd.username}\narg: --level=2\narg: ops team`, stderr: 'warn', return_code: 0, succeeded: true, failed: false };
    expect(ended.result).toEqual({ [`127.0.0.1:${sshd.port}`]: one, [`127.0.0.2:${sshd.port}`]: one });
    expect(execFileSync('sh', ['-c', 'ls -d /tmp/actionrunner.* 2>/dev/null || true']).toString()).toBe('');
  });
});
