/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers of the API */
// Every route of the API through the real handler behind the real HTTP server, on the emulators, with the
// real functions running what it requests.
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it, vi } from 'vitest';
import { API_ROUTES, openApiDocument } from '../../../src/api/index.ts';
import { MAX_BODY_BYTES } from '../../../src/api/schemas.ts';
import { pathParameters } from '../../../src/api/router.ts';
import { staticFile } from '../../../src/api/static-files.ts';
import { useFunctions } from '../../helpers/functions.ts';
import { eventually, useSubstrate } from '../../helpers/substrate.ts';
import { useApi } from './helpers.ts';
import { ensureKeyFile } from '../../../src/datastore/index.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const keyFile = ensureKeyFile(join(mkdtempSync(join(tmpdir(), 'api-kv-')), 'datastore.key'));
// st2's example workflows that pause, ask and re-run (test/fixtures/packs: st2_control, st2_examples).
const fixturePacks = join(import.meta.dirname, '..', '..', 'fixtures', 'packs');
const substrate = useSubstrate({
  env: { ACTIONRUNNER_HEARTBEAT_MS: '200', ACTIONRUNNER_KILL_GRACE_MS: '200', ACTIONRUNNER_DATASTORE_KEY_FILE: keyFile, ACTIONRUNNER_PACKS_PATH: fixturePacks },
});
const files = mkdtempSync(join(tmpdir(), 'api-files-'));
let fileCount = 0;
/** A file holding `content`, for the fixture workflows that wait on a file or exit with its number. */
function tempFile(content = ''): string {
  const path = join(files, `f${fileCount++}`);
  writeFileSync(path, content);
  return path;
}
const functions = useFunctions(substrate);
const api = useApi(substrate);

const ended = (status: string) => ['succeeded', 'failed', 'timeout', 'canceled', 'abandoned'].includes(status);
/** The execution `id` once it is `status`. */
async function reached(id: string, status: string): Promise<any> {
  return eventually(
    async () => {
      const { json } = await api.call('GET', `/v1/executions/${id}`);
      expect(json.status, `${id} is ${json.status}`).toBe(status);
      return json;
    },
    { timeoutMs: 30_000, intervalMs: 100 },
  );
}

/** Task `name` of workflow `id`, once it is `status`. */
async function taskOf(id: string, name: string, status: string): Promise<any> {
  return eventually(
    async () => {
      const { json } = await api.call('GET', `/v1/executions?parent=${id}`);
      const task = json.executions.find((e: any) => e.context.task === name && e.status === status);
      expect(task, `task ${name} of ${id} ${status}`).toBeDefined();
      return task;
    },
    { timeoutMs: 30_000, intervalMs: 100 },
  );
}

async function finished(id: string): Promise<any> {
  return eventually(
    async () => {
      const { json } = await api.call('GET', `/v1/executions/${id}`);
      expect(ended(json.status), `${id} is ${json.status}`).toBe(true);
      return json;
    },
    { timeoutMs: 30_000, intervalMs: 100 },
  );
}

describe('authentication', () => {
  it('refuses a request without a key, or with a wrong one, with a 401 JSON error, and logs it without the key', async () => {
    const lines: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: any) => (lines.push(String(chunk)), true));
    try {
      const missing = await api.call('GET', '/v1/executions', { key: null });
      expect(missing.status).toBe(401);
      expect(missing.json).toEqual({
        faultstring: expect.stringMatching(/^unauthorized: no API key - send one as the St2-Api-Key header/),
        code: 'unauthorized',
      });
      const wrongKey = `${api.key.slice(0, -4)}AAAA`;
      const wrong = await api.call('GET', '/v1/executions', { key: wrongKey });
      expect(wrong.status).toBe(401);
      expect(wrong.json.faultstring).toMatch(/^unauthorized: not a valid API key/);
      // Unknown routes are not told apart from known ones without a key.
      expect((await api.call('GET', '/v1/nothing-here', { key: null })).status).toBe(401);
      const denied = lines.filter((line) => line.includes('request denied'));
      expect(denied).toHaveLength(3);
      expect(denied.join('')).not.toContain(wrongKey);
      expect(denied.join('')).not.toContain(wrongKey.split('.')[1]);
      expect(JSON.parse(denied[1])).toMatchObject({ level: 'warn', method: 'GET', path: '/v1/executions', reason: 'not a valid API key' });
    } finally {
      spy.mockRestore();
    }
  });

  it('takes the key as St2-Api-Key or as a bearer token, and refuses it once deleted', async () => {
    expect((await api.call('GET', '/v1/actions')).status).toBe(200);
    expect((await api.call('GET', '/v1/actions', { key: null, headers: { authorization: `Bearer ${api.key}` } })).status).toBe(200);
    const { key, apiKey } = await api.apiKeys.create({ user: 'temp' });
    expect((await api.call('GET', '/v1/actions', { key })).status).toBe(200);
    await api.apiKeys.delete(apiKey.id);
    expect((await api.call('GET', '/v1/actions', { key })).status).toBe(401);
  });

  it('stores only the hash of a key', async () => {
    const { key, apiKey } = await api.apiKeys.create({ user: 'hash' });
    const { GetCommand } = await import('@aws-sdk/lib-dynamodb');
    const item = (await substrate.clients.doc.send(new GetCommand({ TableName: substrate.tableNames.apikeys, Key: { partition: 'apikey', id: apiKey.id } })))
      .Item!;
    expect(JSON.stringify(item)).not.toContain(key.split('.')[1]);
    expect(item.key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await api.apiKeys.list()).toContainEqual(apiKey);
  });
});

describe('executions', () => {
  it('runs an action: 201 with the execution, its user from the key, secrets masked in it and in its output', async () => {
    const created = await api.call('POST', '/v1/executions', { body: { action: 'examples.shell_args', parameters: { first: 'one', token: 's3cr3t-value' } } });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ action: 'examples.shell_args', status: 'requested', context: { user: 'ann' }, parameters: { token: '********' } });
    const done = await finished(created.json.id);
    expect(done.status).toBe('succeeded');
    expect(JSON.stringify(done)).not.toContain('s3cr3t-value');
    const output = await api.call('GET', `/v1/executions/${done.id}/output`);
    expect(output.json.done).toBe(true);
    expect(output.json.output.map((chunk: any) => chunk.data).join('')).toContain('one');
    expect(output.text).not.toContain('s3cr3t-value');
  });

  it('returns the first execution (200) for a repeated idempotency key', async () => {
    const body = { action: 'core.local', parameters: { cmd: 'true' }, idempotency_key: `key-${Date.now()}` };
    const first = await api.call('POST', '/v1/executions', { body });
    const second = await api.call('POST', '/v1/executions', { body });
    expect([first.status, second.status]).toEqual([201, 200]);
    expect(second.json.id).toBe(first.json.id);
  });

  it('validates the body, saying what was expected and what was given', async () => {
    const missing = await api.call('POST', '/v1/executions', { body: { parameters: {} } });
    expect(missing.status).toBe(400);
    expect(missing.json).toEqual({ faultstring: expect.stringMatching(/^invalid request body: action: /), code: 'invalid_request' });
    const unknownField = await api.call('POST', '/v1/executions', { body: { action: 'core.local', params: {} } });
    expect(unknownField.json.faultstring).toMatch(/params/);
    const notJson = await api.call('POST', '/v1/executions', { raw: '{"action":' });
    expect(notJson.status).toBe(400);
    expect(notJson.json.code).toBe('invalid_json');
    const unknownAction = await api.call('POST', '/v1/executions', { body: { action: 'nope.nothing' } });
    expect(unknownAction.status).toBe(404);
    expect(unknownAction.json.faultstring).toMatch(/^unknown action: nope.nothing/);
    const badParameter = await api.call('POST', '/v1/executions', { body: { action: 'examples.shell_args', parameters: { second: 'two' } } });
    expect(badParameter.status).toBe(400);
    expect(badParameter.json.faultstring).toMatch(/first|second/);
  });

  it('refuses a body over the limit with 413', async () => {
    const big = await api.call('POST', '/v1/executions', { raw: JSON.stringify({ action: 'core.local', parameters: { cmd: 'x'.repeat(MAX_BODY_BYTES) } }) });
    expect(big.status).toBe(413);
    expect(big.json).toEqual({ faultstring: expect.stringMatching(/^body too large: \d+ bytes - expected at most/), code: 'payload_too_large' });
  });

  it('lists newest first, a page at a time with a cursor, filtered, never more than the page size', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push((await functions.runtime.store.create({ action: 'examples.noop', runner: 'noop', parameters: {}, secretParameters: [] })).execution.id);
    const seen: string[] = [];
    let next: string | null = null;
    do {
      const page: any = await api.call('GET', `/v1/executions?action=examples.noop&limit=2${next ? `&next=${next}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.json.executions.length).toBeLessThanOrEqual(2);
      seen.push(...page.json.executions.map((e: any) => e.id));
      next = page.json.next;
    } while (next);
    expect(seen).toEqual([...ids].reverse());
    const requested = await api.call('GET', '/v1/executions?action=examples.noop&status=requested&limit=100');
    expect(requested.json.executions).toHaveLength(5);
    const none = await api.call('GET', `/v1/executions?action=examples.noop&since=${new Date(Date.now() + 60_000).toISOString()}`);
    expect(none.json).toEqual({ executions: [], next: null });
    const tooMany = await api.call('GET', '/v1/executions?limit=1000');
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.faultstring).toMatch(/^invalid query: limit: /);
    const badStatus = await api.call('GET', '/v1/executions?status=done');
    expect(badStatus.json.faultstring).toMatch(/^invalid query: status: .*requested/);
    const unknownParameter = await api.call('GET', '/v1/executions?colour=red');
    expect(unknownParameter.status).toBe(400);
    expect(unknownParameter.json.faultstring).toMatch(/colour/);
  });

  it("shows a workflow's tasks with show_tasks, and filters the listing by parent", async () => {
    const created = await api.call('POST', '/v1/executions', { body: { action: 'examples.orquesta-basic', parameters: { cmd: 'echo hi' } } });
    const done = await finished(created.json.id);
    expect(done.tasks).toBeUndefined();
    const withTasks = await api.call('GET', `/v1/executions/${done.id}?show_tasks=true`);
    expect(withTasks.json.tasks.length).toBeGreaterThan(0);
    expect(withTasks.json.tasks.every((task: any) => task.context.parent === done.id)).toBe(true);
    const children = await api.call('GET', `/v1/executions?parent=${done.id}`);
    expect(children.json.executions.map((e: any) => e.id).sort()).toEqual(withTasks.json.tasks.map((e: any) => e.id).sort());
    expect((await api.call('GET', '/v1/executions/01ARZ3NDEKTSV4RRFFQ69G5FAV')).json).toMatchObject({ code: 'not_found' });
  });

  it('follows the output of a running execution from an offset, each chunk within a second of being printed', async () => {
    const created = await api.call('POST', '/v1/executions', {
      body: { action: 'core.local', parameters: { cmd: 'echo first; sleep 2; echo second; sleep 1' } },
    });
    let offset = 0;
    const seen: { data: string; status: string; at: number }[] = [];
    for (let done = false; !done;) {
      const page = await api.call('GET', `/v1/executions/${created.json.id}/output?offset=${offset}&wait=5`);
      expect(page.status).toBe(200);
      for (const chunk of page.json.output) seen.push({ data: chunk.data, status: page.json.status, at: Date.now() });
      offset = page.json.next_offset;
      done = page.json.done;
    }
    const text = seen.map((s) => s.data).join('');
    expect(text).toBe('first\nsecond\n');
    // "first" arrived while it ran, about 2 s before "second".
    const first = seen.find((s) => s.data.includes('first'))!;
    const second = seen.find((s) => s.data.includes('second'))!;
    expect(first.status).toBe('running');
    expect(second.at - first.at).toBeGreaterThan(1000);
  });

  it('cancels a running execution, and answers 409 once it has ended', async () => {
    const created = await api.call('POST', '/v1/executions', { body: { action: 'core.local', parameters: { cmd: 'sleep 30' } } });
    await eventually(async () => expect((await api.call('GET', `/v1/executions/${created.json.id}`)).json.status).toBe('running'), { timeoutMs: 15_000 });
    const cancel = await api.call('DELETE', `/v1/executions/${created.json.id}`);
    expect(cancel.status).toBe(200);
    expect(['canceling', 'canceled']).toContain(cancel.json.status);
    expect((await finished(created.json.id)).status).toBe('canceled');
    const again = await api.call('DELETE', `/v1/executions/${created.json.id}`);
    expect(again.status).toBe(409);
    expect(again.json).toEqual({ faultstring: expect.stringMatching(/^already ended: execution \w+ - it is canceled since /), code: 'already_ended' });
  });

  it('re-runs an execution with parameters replaced', async () => {
    const original = await finished((await api.call('POST', '/v1/executions', { body: { action: 'core.local', parameters: { cmd: 'echo a' } } })).json.id);
    const rerun = await api.call('POST', `/v1/executions/${original.id}/re_run`, { body: { parameters: { cmd: 'echo b' } } });
    expect(rerun.status).toBe(201);
    expect(rerun.json).toMatchObject({ action: 'core.local', parameters: { cmd: 'echo b' }, context: { reRunOf: original.id } });
    expect((await finished(rerun.json.id)).result.stdout).toBe('b');
  });
});

describe('workflows: pause, resume, re-run from tasks', () => {
  it('pauses and resumes a workflow with PUT {status}, as st2; refuses, saying why, what cannot', async () => {
    const file = tempFile();
    const created = await api.call('POST', '/v1/executions', { body: { action: 'st2_control.orquesta-test-pause', parameters: { tempfile: file } } });
    const id = created.json.id;
    await taskOf(id, 'task1', 'running');
    expect((await api.call('PUT', `/v1/executions/${id}`, { body: { status: 'pausing' }, key: null })).status).toBe(401);
    const bad = await api.call('PUT', `/v1/executions/${id}`, { body: { status: 'running' } });
    expect(bad.status).toBe(400);
    expect(bad.json).toEqual({
      faultstring: expect.stringMatching(/^invalid request body: status: expected "pausing" .* or "resuming"/),
      code: 'invalid_request',
    });
    const early = await api.call('PUT', `/v1/executions/${id}`, { body: { status: 'resuming' } });
    expect(early.status).toBe(400);
    expect(early.json.faultstring).toMatch(/^cannot resume: execution \w+ - it is running, only a pausing or paused workflow resumes/);
    const pause = await api.call('PUT', `/v1/executions/${id}`, { body: { status: 'pausing' } });
    expect(pause.status).toBe(200);
    expect(pause.json).toMatchObject({ id, status: 'pausing' });
    rmSync(file);
    await reached(id, 'paused');
    expect((await api.call('GET', `/v1/executions/${id}?show_tasks=true`)).json.tasks.map((t: any) => t.context.task)).toEqual(['task1']);
    const resume = await api.call('PUT', `/v1/executions/${id}`, { body: { status: 'resuming' } });
    expect(resume.status).toBe(200);
    expect(resume.json).toMatchObject({ id, status: 'resuming' });
    const done = await finished(id);
    expect(done.status).toBe('succeeded');
    expect(done.log.map((entry: any) => entry.status)).toEqual(['requested', 'running', 'pausing', 'paused', 'resuming', 'running', 'succeeded']);
    const ended = await api.call('PUT', `/v1/executions/${id}`, { body: { status: 'pausing' } });
    expect(ended.status).toBe(409);
    expect(ended.json).toEqual({ faultstring: `already ended: execution ${id} - it is succeeded, there is nothing to pause`, code: 'already_ended' });
    expect((await api.call('PUT', '/v1/executions/01ARZ3NDEKTSV4RRFFQ69G5FAV', { body: { status: 'pausing' } })).json.code).toBe('not_found');
  });

  it('refuses to pause what is no workflow with a 400 that says so', async () => {
    const created = await api.call('POST', '/v1/executions', { body: { action: 'core.local', parameters: { cmd: 'sleep 30' } } });
    await reached(created.json.id, 'running');
    const refused = await api.call('PUT', `/v1/executions/${created.json.id}`, { body: { status: 'pausing' } });
    expect(refused.status).toBe(400);
    expect(refused.json.faultstring).toMatch(
      /^cannot pause: execution \w+ - it is a local-shell-cmd execution of core.local; only workflows \(orquesta\) pause/,
    );
    expect((await api.call('DELETE', `/v1/executions/${created.json.id}`)).status).toBe(200);
  });

  it('re-runs a workflow from a task, keeping the rest of its state; an unknown task is a 400 with the reason', async () => {
    const file = tempFile('1');
    const original = await finished(
      (await api.call('POST', '/v1/executions', { body: { action: 'st2_examples.orquesta-test-rerun', parameters: { tempfile: file } } })).json.id,
    );
    expect(original.status).toBe('failed');
    writeFileSync(file, '0');
    const unknown = await api.call('POST', `/v1/executions/${original.id}/re_run`, { body: { tasks: ['nope'] } });
    expect(unknown.status).toBe(400);
    expect(unknown.json).toEqual({
      faultstring: `cannot re-run tasks: execution ${original.id} - st2_examples.orquesta-test-rerun has no task "nope" (its tasks: prepare, check, finish)`,
      code: 'invalid_request',
    });
    expect((await api.call('POST', `/v1/executions/${original.id}/re_run`, { body: { tasks: ['check'] }, key: null })).status).toBe(401);
    const rerun = await api.call('POST', `/v1/executions/${original.id}/re_run`, { body: { tasks: ['check'] } });
    expect(rerun.status).toBe(201);
    expect(rerun.json.context).toMatchObject({ reRunOf: original.id, 're-run': { ref: original.id, tasks: ['check'], reset: ['check'] } });
    const again = await finished(rerun.json.id);
    expect(again.status).toBe('succeeded');
    expect(again.result).toEqual({ output: { prepared_by: 'prepare' } });
    const tasks = (await api.call('GET', `/v1/executions/${again.id}?show_tasks=true`)).json.tasks.map((t: any) => t.context.task);
    expect(tasks.sort()).toEqual(['check', 'finish']);
  });
});

describe('inquiries', () => {
  it('lists, shows and answers an inquiry; a response its schema refuses is a 400 naming the problems; the workflow resumes', async () => {
    const created = await api.call('POST', '/v1/executions', { body: { action: 'st2_control.orquesta_ask_multiple_parameters' } });
    const id = created.json.id;
    await reached(id, 'paused');
    const ask = await taskOf(id, 'get_approval', 'pending');
    expect((await api.call('GET', '/v1/inquiries', { key: null })).status).toBe(401);
    expect((await api.call('GET', `/v1/inquiries/${ask.id}`, { key: null })).status).toBe(401);
    expect((await api.call('PUT', `/v1/inquiries/${ask.id}`, { body: { response: { approved: true } }, key: null })).status).toBe(401);
    const list = await api.call('GET', '/v1/inquiries');
    expect(list.status).toBe(200);
    expect(list.json.map((inquiry: any) => inquiry.id)).toContain(ask.id);
    expect((await api.call('GET', '/v1/inquiries?limit=0')).status).toBe(400);
    const one = await api.call('GET', `/v1/inquiries/${ask.id}`);
    expect(one.json).toMatchObject({ id: ask.id, status: 'pending', parent: id, ttl: 60, roles: [], users: [] });
    expect(one.json.schema.properties).toHaveProperty('department_id');
    const notOne = await api.call('GET', `/v1/inquiries/${id}`);
    expect(notOne.status).toBe(404);
    expect(notOne.json.faultstring).toMatch(/^unknown inquiry: \w+ - expected the id of a core.ask execution/);

    const refused = await api.call('PUT', `/v1/inquiries/${ask.id}`, { body: { response: { approved: 'yes' } } });
    expect(refused.status).toBe(400);
    expect(refused.json.code).toBe('invalid_request');
    expect(refused.json.faultstring).toMatch(/^invalid response: inquiry \w+ - .*; got \{"approved":"yes"\}, expected a value of the schema \{/);
    expect(refused.json.faultstring).toContain('/approved: must be boolean');
    expect(refused.json.faultstring).toContain('(response): missing required property "department_id"');
    const noResponse = await api.call('PUT', `/v1/inquiries/${ask.id}`, { body: { approved: true } });
    expect(noResponse.status).toBe(400);
    expect(noResponse.json.faultstring).toMatch(/^invalid request body: .*response/);
    expect((await api.call('GET', `/v1/inquiries/${ask.id}`)).json.status).toBe('pending');

    const answered = await api.call('PUT', `/v1/inquiries/${ask.id}`, { body: { response: { approved: true, department_id: 7, extra_output: 'hello' } } });
    expect(answered.status).toBe(200);
    expect(answered.json).toMatchObject({ id: ask.id, status: 'succeeded', response: { approved: true, department_id: 7, extra_output: 'hello' } });
    // Answered as the key's user.
    expect((await api.call('GET', `/v1/executions/${ask.id}`)).json.log).toContainEqual(
      expect.objectContaining({ status: 'succeeded', reason: 'response from ann' }),
    );
    expect((await finished(id)).status).toBe('succeeded');
    const finish = await taskOf(id, 'finish', 'succeeded');
    expect((await api.call('GET', `/v1/executions/${finish.id}`)).json.result.stdout).toBe('Approved by department 7. Automation completed.');
    const again = await api.call('PUT', `/v1/inquiries/${ask.id}`, { body: { response: { approved: true, department_id: 7 } } });
    expect(again.status).toBe(400);
    expect(again.json.faultstring).toBe(`inquiry not pending: ${ask.id} - it is succeeded, only a pending inquiry takes a response`);
    expect((await api.call('GET', '/v1/inquiries')).json.map((inquiry: any) => inquiry.id)).not.toContain(ask.id);
  });
});

describe('actions, keys and dead letters', () => {
  it('lists actions and shows one, secret defaults masked; 404 for an unknown one', async () => {
    const list = await api.call('GET', '/v1/actions?pack=core');
    expect(list.json.map((a: any) => a.ref)).toContain('core.local');
    expect(list.json.every((a: any) => a.pack === 'core')).toBe(true);
    const one = await api.call('GET', '/v1/actions/examples.shell_args');
    expect(one.json).toMatchObject({ ref: 'examples.shell_args', runner_type: 'local-shell-script', parameters: { token: { secret: true } } });
    expect((await api.call('GET', '/v1/actions/core.nope')).status).toBe(404);
  });

  it('sets, reads and deletes keys; a secret stays encrypted unless decrypt is asked for by a key that may', async () => {
    expect((await api.call('PUT', '/v1/keys/db_host', { body: { value: 'db1' } })).json).toMatchObject({ name: 'db_host', value: 'db1', secret: false });
    const secret = await api.call('PUT', '/v1/keys/db_pass', { body: { value: 'hunter2', secret: true } });
    expect(secret.json).toMatchObject({ secret: true, encrypted: true });
    expect(secret.text).not.toContain('hunter2');
    expect((await api.call('GET', '/v1/keys/db_pass')).text).not.toContain('hunter2');
    expect((await api.call('GET', '/v1/keys')).text).not.toContain('hunter2');
    const refused = await api.call('GET', '/v1/keys/db_pass?decrypt=true');
    expect(refused.status).toBe(403);
    expect(refused.json.code).toBe('forbidden');
    expect((await api.call('GET', '/v1/keys/db_pass?decrypt=true', { key: api.adminKey })).json.value).toBe('hunter2');
    // User scope: the key's user's own keys.
    await api.call('PUT', '/v1/keys/mine', { body: { value: 'x', scope: 'user' } });
    expect((await api.call('GET', '/v1/keys/mine?scope=user')).json).toMatchObject({ user: 'ann' });
    expect((await api.call('GET', '/v1/keys/mine?scope=user', { key: api.adminKey })).status).toBe(404);
    expect((await api.call('DELETE', '/v1/keys/db_host')).status).toBe(204);
    expect((await api.call('GET', '/v1/keys/db_host')).json.code).toBe('not_found');
    expect((await api.call('PUT', '/v1/keys/x', { body: { value: 1 } })).json.faultstring).toMatch(/^invalid request body: value: /);
  });

  it('lists the dead letters and redrives them', async () => {
    await substrate.clients.sqs.send(
      new SendMessageCommand({ QueueUrl: substrate.resources.queueUrls['actions-dlq'] ?? (await dlqUrl()), MessageBody: 'not json' }),
    );
    const list = await eventually(async () => {
      const answer = await api.call('GET', '/v1/dlq?queue=actions');
      expect(answer.json).toHaveLength(1);
      return answer.json;
    });
    expect(list[0]).toMatchObject({ queue: 'actions', execution_id: null });
    const redrive = await api.call('POST', '/v1/dlq/redrive', { body: { queue: 'actions', ids: [list[0].message_id] } });
    expect(redrive.status).toBe(200);
    expect(redrive.json).toEqual([expect.objectContaining({ message_id: list[0].message_id, redriven: false, reason: expect.any(String) })]);
    expect((await api.call('GET', '/v1/dlq?queue=nope')).status).toBe(400);
  });
});

async function dlqUrl(): Promise<string> {
  const { GetQueueUrlCommand } = await import('@aws-sdk/client-sqs');
  const name = substrate.resources.definition.queues.find((q) => q.key === 'actions')!.dlq!.name;
  return (await substrate.clients.sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl!;
}

describe('the OpenAPI document and the page', () => {
  it('documents exactly the routes the router serves, with their parameters and bodies', async () => {
    const { json } = await api.call('GET', '/v1/openapi.json');
    expect(json.openapi).toBe('3.1.0');
    const documented = Object.entries(json.paths).flatMap(([path, operations]: [string, any]) =>
      Object.keys(operations).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(API_ROUTES.map((r) => `${r.method} ${r.path}`).sort());
    for (const r of API_ROUTES) {
      const operation = json.paths[r.path][r.method.toLowerCase()];
      const params = operation.parameters.map((p: any) => `${p.in}:${p.name}`);
      for (const name of pathParameters(r.path)) expect(params).toContain(`path:${name}`);
      for (const name of Object.keys((r.query as any)?.shape ?? {})) expect(params).toContain(`query:${name}`);
      expect(Boolean(operation.requestBody)).toBe(Boolean(r.body));
    }
    expect(json).toEqual(JSON.parse(JSON.stringify(openApiDocument(API_ROUTES))));
  });

  it('answers 404 and 405 as JSON errors', async () => {
    expect((await api.call('GET', '/v1/nothing')).json).toMatchObject({ code: 'not_found' });
    expect((await api.call('PUT', '/v1/executions')).json).toMatchObject({ code: 'method_not_allowed' });
  });

  it('serves the page without a key, with its content type and a strict CSP; nothing outside web/', async () => {
    const page = await api.call('GET', '/', { key: null });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'; script-src 'self'/);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const script = await api.call('GET', '/app.js', { key: null });
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    // A page of the app (no extension) is index.html; a missing file is a 404.
    expect((await api.call('GET', '/executions/123', { key: null })).text).toContain('<!doctype html>');
    expect((await api.call('GET', '/missing.js', { key: null })).status).toBe(404);
    expect((await api.call('GET', '/.secret', { key: null })).status).toBe(404);
    // Paths that climb out of web/ (a client that does not normalize them, as fetch does) name no file.
    for (const path of ['/../../etc/passwd', '/..%2f..%2fetc%2fpasswd', '/%2e%2e/package.json'])
      expect(await staticFile(api.webDir, path), path).toBeUndefined();
    expect((await api.call('GET', '/v1/openapi.json', { key: null })).status).toBe(401);
  });
});
