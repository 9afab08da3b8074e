// End to end: the datastore through `actionrunner local` and the CLI as real processes: the key file
// the runtime creates, encrypted keys, and the CLI's user reaching a workflow's st2kv().
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, cli, startLocal, type LocalProcess } from './helpers.ts';

describe('the datastore through actionrunner local', () => {
  let dir: string;
  let local: LocalProcess;
  const run = (user: string, ...args: string[]) => cli(dir, args, cleanEnv({ ACTIONRUNNER_USER: user, NO_COLOR: '1' }));

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'ar-e2e-kv-'));
    local = await startLocal(dir, [], cleanEnv());
  });

  afterAll(async () => {
    await local?.stop('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates its datastore key file readable by its owner only', () => {
    expect(statSync(path.join(dir, '.actionrunner', 'datastore.key')).mode & 0o777).toBe(0o600);
  });

  it('sets an encrypted key with the CLI and a workflow decrypts it with st2kv(..., decrypt=true)', async () => {
    const set = await run('ann', 'key', 'set', 'e2e_pw', 'Kp7-e2e-secret', '--encrypt');
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).not.toContain('Kp7-e2e-secret');
    const got = await run('ann', 'key', 'get', 'e2e_pw', '--decrypt', '--json');
    expect(JSON.parse(got.stdout)).toMatchObject({ value: 'Kp7-e2e-secret', secret: true });
    const result = await run('ann', 'run', 'examples.orquesta-st2kv', 'key_name=system.e2e_pw', 'decrypt=true', '--json');
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).result.output).toEqual({ value: 'Kp7-e2e-secret' });
  });

  it("runs a workflow as the CLI's user: st2kv('user.x') reads that user's scope", async () => {
    expect((await run('ann', 'key', 'set', 'color', 'teal', '--scope', 'user')).code).toBe(0);
    const ann = await run('ann', 'run', 'examples.orquesta-st2kv', 'key_name=user.color', '--json');
    expect(JSON.parse(ann.stdout).result.output).toEqual({ value: 'teal' });
    const bob = await run('bob', 'run', 'examples.orquesta-st2kv', 'key_name=user.color', '--json');
    expect(bob.code).toBe(1);
    expect(bob.stdout).toContain('The key \\"color\\" does not exist in the StackStorm datastore.');
  });
});
