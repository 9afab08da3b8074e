// End to end: the API that `npm start` (actionrunner local) serves, called as curl would, and the CLI with --api.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
    // st2's example workflows that pause and ask (test/fixtures/packs/st2_control).
    const packs = path.join(import.meta.dirname, '..', 'fixtures', 'packs');
    local = await startLocal(dir, [], cleanEnv({ ACTIONRUNNER_BATCHING_WINDOW: '0', ACTIONRUNNER_HEARTBEAT_MS: '300', ACTIONRUNNER_PACKS_PATH: packs }));
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

  /** GET `path` of the API with the key, as JSON. */
  const get = async (apiPath: string) => (await fetch(`${url}${apiPath}`, { headers: { 'st2-api-key': key } })).json() as Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

  async function until<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const found = await probe();
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  const statusIs = (id: string, status: string) =>
    until(async () => ((await get(`/v1/executions/${id}`)).status === status ? true : undefined), `${id} ${status}`);
  const task = (id: string, name: string, status: string) =>
    until(
      async () => (await get(`/v1/executions?parent=${id}`)).executions.find((e: any) => e.context.task === name && e.status === status), // eslint-disable-line @typescript-eslint/no-explicit-any
      `task ${name} ${status}`,
    );

  it('pauses and resumes a workflow, and lists, shows and answers its inquiry, through the CLI with --api', async () => {
    const env = cleanEnv({ ACTIONRUNNER_API_KEY: key, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' });
    const file = path.join(elsewhere, 'pause-file');
    writeFileSync(file, '');
    const started = await cli(elsewhere, ['--api', url, 'run', 'st2_control.orquesta-test-pause', `tempfile=${file}`, '--async'], env);
    expect(started.code, started.stderr).toBe(0);
    const id = started.stdout.trim();
    await task(id, 'task1', 'running');
    const pause = await cli(elsewhere, ['--api', url, 'execution', 'pause', id], env);
    expect(pause.code, pause.stderr).toBe(0);
    expect(pause.stdout.trim()).toBe(`execution ${id}: pausing`);
    rmSync(file);
    await statusIs(id, 'paused');
    const resume = await cli(elsewhere, ['--api', url, 'execution', 'resume', id, '--json'], env);
    expect(resume.code, resume.stderr).toBe(0);
    expect(JSON.parse(resume.stdout)).toMatchObject({ id, status: 'resuming' });
    await statusIs(id, 'succeeded');
    const ended = await cli(elsewhere, ['--api', url, 'execution', 'pause', id], env);
    expect(ended.code).toBe(1);
    expect(ended.stderr).toMatch(/already ended: execution \w+ - it is succeeded, there is nothing to pause/);

    const asking = (await cli(elsewhere, ['--api', url, 'run', 'st2_control.orquesta-ask-basic', '--async'], env)).stdout.trim();
    await statusIs(asking, 'paused');
    const ask = await task(asking, 'get_approval', 'pending');
    const list = await cli(elsewhere, ['--api', url, 'inquiry', 'list', '--json'], env);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout).map((inquiry: { id: string }) => inquiry.id)).toContain(ask.id);
    const shown = await cli(elsewhere, ['--api', url, 'inquiry', 'get', ask.id], env);
    expect(shown.stdout).toMatch(/status: pending[\s\S]*"approved"/);
    const refused = await cli(elsewhere, ['--api', url, 'inquiry', 'respond', ask.id, '-r', '{"approved": "yes"}'], env);
    expect(refused.code).toBe(2); // bad input, as without --api
    expect(refused.stderr).toContain('/approved: must be boolean');
    const answered = await cli(elsewhere, ['--api', url, 'inquiry', 'respond', ask.id, '-r', '{"approved": true}'], env);
    expect(answered.code, answered.stderr).toBe(0);
    expect(answered.stdout.trim()).toBe(`inquiry ${ask.id}: response accepted (succeeded)`);
    await statusIs(asking, 'succeeded');
    expect((await get(`/v1/executions/${ask.id}`)).log).toContainEqual(expect.objectContaining({ reason: 'response from ann' }));
  });
});
