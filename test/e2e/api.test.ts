// End to end: the API that `npm start` (actionrunner local) serves, called as curl would, and the CLI with --api.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, cli, startLocal, type LocalProcess } from './helpers.ts';

describe('the API of actionrunner local', () => {
  let dir: string;
  let elsewhere: string;
  let local: LocalProcess;
  let url: string;
  let key: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'ar-e2e-api-'));
    // A folder with no runtime: the CLI there can only reach the system through the API.
    elsewhere = mkdtempSync(path.join(tmpdir(), 'ar-e2e-api-client-'));
    local = await startLocal(dir, [], cleanEnv({ ACTIONRUNNER_BATCHING_WINDOW: '0', ACTIONRUNNER_HEARTBEAT_MS: '300' }));
    url = /api (http:\/\/127\.0\.0\.1:\d+)/.exec(local.readyLine)![1];
    const created = await cli(dir, ['apikey', 'create', '--user', 'ann'], cleanEnv());
    expect(created.code, created.stderr).toBe(0);
    key = created.stdout.trim();
  });

  afterAll(async () => {
    await local?.stop('SIGTERM');
    for (const d of [dir, elsewhere]) rmSync(d, { recursive: true, force: true });
  });

  it('prints the API URL in the ready line and writes it to .actionrunner/local.json', () => {
    expect(JSON.parse(readFileSync(path.join(dir, '.actionrunner', 'local.json'), 'utf8')).apiUrl).toBe(url);
    expect(key).toMatch(/^[0-9A-Z]{26}\.[\w-]{43}$/);
  });

  it('answers curl-like requests: 401 without a key, 201 and the execution with one', async () => {
    const refused = await fetch(`${url}/v1/executions`);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ code: 'unauthorized' });
    const created = await fetch(`${url}/v1/executions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'core.local', parameters: { cmd: 'echo from curl' } }),
    });
    expect(created.status).toBe(201);
    const execution = (await created.json()) as { id: string; context: { user: string } };
    expect(execution.context.user).toBe('ann');
    const tail = await cli(elsewhere, ['--api', url, 'execution', 'tail', execution.id], cleanEnv({ ACTIONRUNNER_API_KEY: key }));
    expect(tail.stdout).toBe('from curl\n');
  });

  it('runs, lists, gets and cancels through the CLI with --api, without the discovery file or AWS credentials', async () => {
    const env = cleanEnv({ ACTIONRUNNER_API_KEY: key, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' });
    const run = await cli(elsewhere, ['--api', url, 'run', 'core.local', 'cmd=echo via api', '--json'], env);
    expect(run.code, run.stderr).toBe(0);
    const done = JSON.parse(run.stdout) as { id: string; status: string; result: { stdout: string } };
    expect(done).toMatchObject({ status: 'succeeded', result: { stdout: 'via api' } });
    // The environment's URL works as --api does.
    const list = await cli(elsewhere, ['execution', 'list', '-n', '1', '--json'], { ...env, ACTIONRUNNER_API_URL: `${url}/v1` });
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout).map((e: { id: string }) => e.id)).toEqual([done.id]);
    const get = await cli(elsewhere, ['--api', url, 'execution', 'get', done.id], env);
    expect(get.stdout).toMatch(new RegExp(`id: ${done.id}[\\s\\S]*status: succeeded`));
    const started = await cli(elsewhere, ['--api', url, 'run', 'core.local', 'cmd=sleep 30', '--async'], env);
    const id = started.stdout.trim();
    const cancel = await cli(elsewhere, ['--api', url, 'execution', 'cancel', id], env);
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(cancel.stdout.trim()).toBe(`execution ${id}: canceled`);
    const again = await cli(elsewhere, ['--api', url, 'execution', 'cancel', id], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already ended: execution \w+ - it is canceled/);
    const wrongKey = await cli(elsewhere, ['--api', url, 'execution', 'list'], { ...env, ACTIONRUNNER_API_KEY: 'nope' });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toMatch(/unauthorized: not a valid API key/);
  });
});
