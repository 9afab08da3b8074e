// core.http and action chains through functions/actions.ts: real SQS events from the emulator,
// executions and output read back from DynamoDB Local, a real HTTP server on 127.0.0.1, every
// chain node a real runner (shell nodes real child processes).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type Runtime } from '../../src/dispatch/runtime.ts';
import type { Execution } from '../../src/model/execution.ts';
import { readOutput } from '../../src/store/output.ts';
import { deliver, type Handler } from '../helpers/lambda.ts';
import { eventually, useSubstrate } from '../helpers/substrate.ts';

// A pack with a chain whose nodes call core.http against the test server, then echo what it said.
const extraPacks = mkdtempSync(join(tmpdir(), 'packs-'));
mkdirSync(join(extraPacks, 'webchain', 'actions', 'chains'), { recursive: true });
writeFileSync(
  join(extraPacks, 'webchain', 'actions', 'fetch_and_say.yaml'),
  [
    'name: fetch_and_say',
    'runner_type: action-chain',
    'entry_point: chains/fetch_and_say.yaml',
    'parameters:',
    '  base:',
    '    type: string',
    '    required: true',
  ].join('\n'),
);
writeFileSync(
  join(extraPacks, 'webchain', 'actions', 'chains', 'fetch_and_say.yaml'),
  [
    'chain:',
    '  - name: fetch',
    '    ref: core.http',
    '    parameters:',
    '      url: "{{ base }}/status"',
    '      params: { verbose: 1 }',
    '    publish:',
    '      state: "{{ fetch.body.state | default(\'unknown\') }}"',
    '    on-success: say',
    '    on-failure: complain',
    '  - name: say',
    '    ref: core.echo',
    '    parameters:',
    '      message: "state is {{ state }}"',
    '  - name: complain',
    '    ref: core.echo',
    '    parameters:',
    '      message: "status call failed with {{ fetch.status_code }}"',
  ].join('\n'),
);

writeFileSync(join(extraPacks, 'webchain', 'actions', 'slow.yaml'), ['name: slow', 'runner_type: action-chain', 'entry_point: chains/slow.yaml'].join('\n'));
writeFileSync(
  join(extraPacks, 'webchain', 'actions', 'chains', 'slow.yaml'),
  [
    'chain:',
    '  - name: nap',
    '    ref: core.local',
    '    parameters: { cmd: "echo ready; sleep 1000" }',
    '    on-failure: after',
    '  - name: after',
    '    ref: core.noop',
  ].join('\n'),
);

// An orquesta workflow whose task is the chain above: the chain runs as the task's child execution.
mkdirSync(join(extraPacks, 'webchain', 'actions', 'workflows'), { recursive: true });
writeFileSync(
  join(extraPacks, 'webchain', 'actions', 'wf.yaml'),
  ['name: wf', 'runner_type: orquesta', 'entry_point: workflows/wf.yaml', 'parameters:', '  base:', '    type: string', '    required: true'].join('\n'),
);
writeFileSync(
  join(extraPacks, 'webchain', 'actions', 'workflows', 'wf.yaml'),
  [
    'version: 1.0',
    'input: [base]',
    'tasks:',
    '  check:',
    '    action: webchain.fetch_and_say base=<% ctx().base %>',
    '    next:',
    '      - when: <% succeeded() %>',
    '        publish: [state: <% result().published.state %>]',
    'output: [{ state: <% ctx().state %> }]',
  ].join('\n'),
);

let server: Server;
let base: string;
let broken = false;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url?.startsWith('/status')) {
      if (broken) return res.writeHead(503, { 'content-type': 'text/plain' }).end('down');
      return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ state: 'green', query: req.url }));
    }
    if (req.url === '/private') {
      const ok = req.headers.authorization === `Basic ${Buffer.from('stanley:s3cret-passw0rd').toString('base64')}`;
      return res.writeHead(ok ? 200 : 401).end(ok ? 'in' : 'out');
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const substrate = useSubstrate({ env: { ACTIONRUNNER_HEARTBEAT_MS: '200', ACTIONRUNNER_KILL_GRACE_MS: '300', ACTIONRUNNER_PACKS_PATH: extraPacks } });
let handler: Handler;
let workflowsHandler: Handler;
let runtime: Runtime;
beforeAll(async () => {
  Object.assign(process.env, substrate.env);
  ({ handler } = await import('../../functions/actions.ts'));
  ({ handler: workflowsHandler } = await import('../../functions/workflows.ts'));
  runtime = createRuntime({ config: substrate.config, clients: substrate.clients });
});
afterEach(() => substrate.purgeQueues());

async function run(action: string, parameters: Record<string, unknown>): Promise<Execution> {
  const { execution } = await runtime.service.request({ action, parameters });
  await deliver(substrate, 'actions', handler);
  return (await runtime.store.get(execution.id))!;
}

describe('core.http through the actions handler', () => {
  it('records the response as the result; the basic auth password is nowhere in it', async () => {
    const execution = await run('core.http', { url: `${base}/private`, username: 'stanley', password: 's3cret-passw0rd' });
    expect(execution.status).toBe('succeeded');
    expect(execution.result).toMatchObject({ status_code: 200, body: 'in', parsed: false });
    expect(JSON.stringify(execution.result)).not.toContain('s3cret-passw0rd');
    expect(JSON.stringify(execution.log)).not.toContain('s3cret-passw0rd');
  });

  it('records a 503 as failed, with the response', async () => {
    broken = true;
    try {
      const execution = await run('core.http', { url: `${base}/status` });
      expect(execution.status).toBe('failed');
      expect(execution.result).toMatchObject({ status_code: 503, body: 'down' });
    } finally {
      broken = false;
    }
  });
});

describe('action chains through the actions handler', () => {
  it('runs a chain: core.http node, publish, an echo node; the output of every node is stored', async () => {
    const execution = await run('webchain.fetch_and_say', { base });
    expect(execution.status).toBe('succeeded');
    expect(execution.result).toMatchObject({
      published: { state: 'green' },
      tasks: [
        { name: 'fetch', state: 'succeeded', result: { status_code: 200, body: { state: 'green', query: '/status?verbose=1' } } },
        { name: 'say', state: 'succeeded', result: { stdout: 'state is green' } },
      ],
    });
    const output = await readOutput(substrate.clients.doc, substrate.tableNames.output, execution.id, { type: 'stdout' });
    expect(output.map((r) => r.data).join('')).toBe('state is green\n');
  });

  it('takes the failure branch when the HTTP call fails', async () => {
    broken = true;
    try {
      const execution = await run('webchain.fetch_and_say', { base });
      expect((execution.result as { tasks: { name: string; state: string }[] }).tasks.map((t) => [t.name, t.state])).toEqual([
        ['fetch', 'failed'],
        ['complain', 'succeeded'],
      ]);
    } finally {
      broken = false;
    }
  });

  it('stops at an unknown action with a clear error', async () => {
    const execution = await run('examples.chain-unknown-action', {});
    expect(execution.status).toBe('failed');
    expect(execution.result).toMatchObject({ error: 'Failed to run task "missing". Action with reference "examples.does_not_exist" doesn\'t exist.' });
  });

  it('cancel kills the running node and records the chain canceled, its handler not run', async () => {
    const { execution } = await runtime.service.request({ action: 'webchain.slow', parameters: {} });
    const delivered = deliver(substrate, 'actions', handler);
    await eventually(async () => expect((await runtime.store.get(execution.id))!.status).toBe('running'));
    expect((await runtime.service.cancel(execution.id)).status).toBe('canceling');
    await delivered;
    const done = (await runtime.store.get(execution.id))!;
    expect(done.status).toBe('canceled');
    expect((done.result as { tasks: { name: string; state: string }[] }).tasks.map((t) => [t.name, t.state])).toEqual([['nap', 'canceled']]);
  });

  it('runs as a task of an orquesta workflow: a child execution of the workflow, its result published', async () => {
    const { execution } = await runtime.service.request({ action: 'webchain.wf', parameters: { base } });
    await deliver(substrate, 'workflows', workflowsHandler); // start: the chain is scheduled as a child
    await deliver(substrate, 'actions', handler); // the chain runs
    await deliver(substrate, 'workflows', workflowsHandler); // its completion ends the workflow
    const done = (await runtime.store.get(execution.id))!;
    expect(done.status).toBe('succeeded');
    expect(done.result).toMatchObject({ output: { state: 'green' } });
    const children = await runtime.store.list({ parent: execution.id });
    expect(children.map((child) => [child.action, child.status])).toEqual([['webchain.fetch_and_say', 'succeeded']]);
  });
});
