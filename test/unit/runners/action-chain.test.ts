import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadActions } from '../../../src/actions/index.ts';
import type { ActionDefinition } from '../../../src/actions/types.ts';
import { getRunner } from '../../../src/runners/factories.ts';
import type { ChainResult } from '../../../src/runners/action-chain.ts';
import { parseChain } from '../../../src/runners/action-chain-spec.ts';
import { request } from './helpers.ts';

const catalog = loadActions();
const runner = getRunner('action-chain', { catalog });
const work = mkdtempSync(join(tmpdir(), 'action-chain-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const shipped = (ref: string) => catalog.get(ref) as ActionDefinition;
/** A chain action over an inline chain file. */
function chainAction(name: string, chain: string, parameters: ActionDefinition['parameters'] = {}): ActionDefinition {
  const file = join(work, `${name}.yaml`);
  writeFileSync(file, chain);
  return { ...shipped('examples.chain-echo'), ref: `tests.${name}`, name, entryPointPath: file, parameters };
}
const run = (action: ActionDefinition, parameters: Record<string, unknown> = {}, overrides = {}) =>
  runner.run(request(action, { display_published: true, ...parameters }, overrides));
const tasks = (result: unknown) => (result as ChainResult).tasks.map((t) => [t.name, t.state]);

describe('action-chain: st2 example chains', () => {
  it('walks on-success from default; nodes read parameters, vars, earlier results and the parent execution id', async () => {
    const outcome = await run(shipped('examples.chain-echo'), { name: 'Ann' });
    expect(outcome.status).toBe('succeeded');
    expect(tasks(outcome.result)).toEqual([
      ['c1', 'succeeded'],
      ['c2', 'succeeded'],
      ['c3', 'succeeded'],
    ]);
    const [, c2, c3] = (outcome.result as ChainResult).tasks;
    expect(c2.result).toMatchObject({ stdout: 'c2: parent exec is 01JTESTEXECUTION.' });
    expect(c3).toMatchObject({ ref: 'core.echo', execution_id: null, result: { stdout: 'Hello Ann, c1 said c1' } });
  });

  it('takes on-failure when a node fails; the chain ends with its last node status (the handler succeeded)', async () => {
    const outcome = await run(shipped('examples.chain-failure'), { code: 3 });
    expect(tasks(outcome.result)).toEqual([
      ['risky', 'failed'],
      ['cleanup', 'succeeded'],
    ]);
    expect((outcome.result as ChainResult).tasks[1].result).toMatchObject({ stdout: 'risky failed with 3: oops' });
    expect(outcome.status).toBe('succeeded');
  });

  it('takes on-success when the same node succeeds', async () => {
    const outcome = await run(shipped('examples.chain-failure'), { code: 0 });
    expect(tasks(outcome.result)).toEqual([
      ['risky', 'succeeded'],
      ['after', 'succeeded'],
    ]);
  });

  it('fails when a failed node has no on-failure', async () => {
    const action = chainAction(
      'no-handler',
      'chain:\n  - name: a\n    ref: core.local\n    parameters: { cmd: "exit 4" }\n    on-success: b\n  - name: b\n    ref: core.noop\n',
    );
    const outcome = await run(action);
    expect(outcome.status).toBe('failed');
    expect(tasks(outcome.result)).toEqual([['a', 'failed']]);
  });

  it('publishes variables from a result for later nodes, and shows them under published', async () => {
    const outcome = await run(shipped('examples.chain-publish'), { label: 'sum' });
    expect(outcome.status).toBe('succeeded');
    expect((outcome.result as ChainResult).published).toEqual({ total: 42, report: { label: 'sum', seen: 32 } });
    expect((outcome.result as ChainResult).tasks[1].result).toMatchObject({ stdout: 'sum=42' });
  });

  it('hides published variables with display_published false', async () => {
    const outcome = await run(shipped('examples.chain-publish'), { display_published: false });
    expect(outcome.result).not.toHaveProperty('published');
  });

  it('stops at a node naming an unknown action with a clear error (no on-failure, as st2)', async () => {
    const outcome = await run(shipped('examples.chain-unknown-action'));
    expect(outcome.status).toBe('failed');
    expect(tasks(outcome.result)).toEqual([['first', 'succeeded']]);
    expect((outcome.result as ChainResult).error).toBe('Failed to run task "missing". Action with reference "examples.does_not_exist" doesn\'t exist.');
  });
});

describe('action-chain: data stays data', () => {
  it('passes a result holding shell syntax into a later cmd as a value, never run by the shell', async () => {
    const marker = join(work, 'pwned');
    const action = chainAction(
      'injection',
      `chain:\n  - name: a\n    ref: core.local\n    parameters: { cmd: "printf '%s' '$(touch ${marker})'" }\n    on-success: b\n  - name: b\n    ref: core.local\n    parameters: { cmd: 'echo "got {{ a.stdout }}"' }\n`,
    );
    const outcome = await run(action);
    expect(outcome.status).toBe('succeeded');
    expect((outcome.result as ChainResult).tasks[1].result).toMatchObject({ stdout: `got $(touch ${marker})` });
    expect(existsSync(marker)).toBe(false);
  });

  it('does not render Jinja found in a result', async () => {
    const action = chainAction(
      'jinja-in-data',
      'chain:\n  - name: a\n    ref: core.local\n    parameters: { cmd: "echo \'{{ \\"{{ 7*7 }}\\" }}\'" }\n    on-success: b\n  - name: b\n    ref: core.echo\n    parameters: { message: \'{{ a.stdout }}\' }\n',
    );
    const outcome = await run(action);
    expect((outcome.result as ChainResult).tasks[1].result).toMatchObject({ stdout: '{{ 7*7 }}' });
  });

  it('masks a node action secret in its result', async () => {
    const action = chainAction('secret', 'chain:\n  - name: a\n    ref: core.local\n    parameters: { cmd: "echo {{ pw }}", sudo_password: "{{ pw }}" }\n', {
      pw: { type: 'string' },
    });
    const outcome = await run(action, { pw: 'hunter2-secret' });
    expect(JSON.stringify(outcome.result)).not.toContain('hunter2-secret');
  });
});

describe('action-chain: errors, timeout, cancel', () => {
  it('names an undefined variable in a node parameter', async () => {
    const action = chainAction('undefined-var', "chain:\n  - name: a\n    ref: core.echo\n    parameters: { message: '{{ nope }}' }\n");
    const outcome = await run(action);
    expect(outcome.status).toBe('failed');
    expect((outcome.result as ChainResult).error).toMatch(
      /^Failed rendering value for action parameter in task "a": "message" \(template string="\{\{ nope \}\}"\): "nope" is undefined \(known: /,
    );
  });

  it('refuses __results with what to write instead', async () => {
    const action = chainAction(
      'results-key',
      "chain:\n  - name: a\n    ref: core.noop\n    on-success: b\n  - name: b\n    ref: core.echo\n    parameters: { message: '{{ __results.a }}' }\n",
    );
    expect((await run(action)).result).toMatchObject({ error: expect.stringContaining("read a node's result by its name") });
  });

  it('reports a node parameter the action does not have', async () => {
    const action = chainAction('bad-param', 'chain:\n  - name: a\n    ref: core.echo\n    parameters: { message: hi, colour: red }\n');
    expect((await run(action)).result).toMatchObject({ error: expect.stringMatching(/^Failed to run task "a"\. .*colour.*unknown parameter/) });
  });

  it('refuses a node that names an orquesta workflow, saying why', async () => {
    const action = chainAction('orquesta-node', 'chain:\n  - name: wf\n    ref: examples.orquesta-basic\n');
    expect((await run(action)).result).toMatchObject({
      error:
        'Failed to run task "wf". Action "examples.orquesta-basic" is an orquesta workflow: workflows cannot run as a node of an action chain here (call it from an orquesta workflow, or run its steps as chain nodes)',
    });
  });

  it('runs without a catalog only to say it has none', async () => {
    const bare = getRunner('action-chain');
    const outcome = await bare.run(request(shipped('examples.chain-echo'), { name: 'x' }));
    expect(outcome).toMatchObject({ status: 'failed', result: { error: 'Failed to run task "c1". action-chain runs without a pack catalog here' } });
  });

  it('runs a chain as a node, and stops chains that run each other at the nesting limit', async () => {
    const inner = chainAction('inner', "chain:\n  - name: hi\n    ref: core.echo\n    parameters: { message: 'from inner' }\n");
    const outer = chainAction('outer', 'chain:\n  - name: sub\n    ref: tests.inner\n');
    const ping = chainAction('ping', 'chain:\n  - name: next\n    ref: tests.pong\n');
    const pong = chainAction('pong', 'chain:\n  - name: next\n    ref: tests.ping\n');
    const local = {
      list: () => catalog.list(),
      get: (ref: string) => ({ 'tests.inner': inner, 'tests.ping': ping, 'tests.pong': pong })[ref] ?? catalog.get(ref),
    };
    const nesting = getRunner('action-chain', { catalog: local });
    const outcome = await nesting.run(request(outer, { display_published: true }));
    expect(outcome.status).toBe('succeeded');
    expect((outcome.result as ChainResult).tasks[0].result).toMatchObject({ tasks: [{ name: 'hi', result: { stdout: 'from inner' } }] });

    const loop = await nesting.run(request(ping, { display_published: true }));
    expect(loop.status).toBe('failed');
    expect(JSON.stringify(loop.result)).toContain('chains nest at most 10 deep, and tests.pong would be chain number 12');
  });

  it('reports a chain file that is not a chain', async () => {
    const action = chainAction('bad-spec', 'chain:\n  - name: a\n    ref: core.noop\n    on-success: nowhere\n');
    expect(await run(action)).toEqual({
      status: 'failed',
      result: { tasks: [], published: {}, error: `invalid action chain: ${action.entryPointPath} - node "a" on-success names "nowhere", expected one of a` },
    });
  });

  it('ends timeout and kills the running node when the chain runs out of time', async () => {
    const action = chainAction(
      'slow',
      'chain:\n  - name: a\n    ref: core.local\n    parameters: { cmd: "sleep 30" }\n    on-failure: b\n  - name: b\n    ref: core.noop\n',
    );
    const started = Date.now();
    const outcome = await run(action, {}, { timeoutMs: 500 });
    expect(outcome.status).toBe('timeout');
    expect(tasks(outcome.result)).toEqual([['a', 'timeout']]);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('follows on-failure when a node times out on its own timeout; the chain status is the handler', async () => {
    const action = chainAction(
      'node-timeout',
      'chain:\n  - name: a\n    ref: core.local\n    parameters: { cmd: "sleep 30", timeout: 1 }\n    on-failure: b\n  - name: b\n    ref: core.noop\n',
    );
    const outcome = await run(action);
    expect(tasks(outcome.result)).toEqual([
      ['a', 'timeout'],
      ['b', 'succeeded'],
    ]);
  });

  it('cancel kills the running node and ends the chain canceled without running on-failure', async () => {
    const action = chainAction(
      'cancel',
      'chain:\n  - name: a\n    ref: core.local\n    parameters: { cmd: "sleep 30" }\n    on-failure: b\n  - name: b\n    ref: core.noop\n',
    );
    const cancel = new AbortController();
    setTimeout(() => cancel.abort('cancel'), 300);
    const outcome = await run(action, {}, { signal: cancel.signal });
    expect(outcome.status).toBe('canceled');
    expect(tasks(outcome.result)).toEqual([['a', 'canceled']]);
  });
});

describe('parseChain', () => {
  it.each([
    [{ chain: [] }, 'invalid action chain: f.yaml - expected "chain" to be a non-empty list of nodes, got []'],
    [{ chain: [{ name: 'a' }] }, 'invalid action chain: f.yaml - chain[0].ref - expected a non-empty string, got nothing'],
    [
      { chain: [{ name: 'a', ref: 'x', next: 'b' }] },
      'invalid action chain: f.yaml - chain[0] - unknown key "next" (expected name, ref, parameters, params, on-success, on-failure, publish, notify, description)',
    ],
    [
      { chain: [{ name: 'a', ref: 'x', params: { a: 1 }, parameters: { b: 2 } }] },
      'invalid action chain: f.yaml - chain[0] - expected either "params" or "parameters", got both',
    ],
    [
      {
        chain: [
          { name: 'a', ref: 'x' },
          { name: 'a', ref: 'y' },
        ],
      },
      'invalid action chain: f.yaml - node name "a" is used twice',
    ],
    [{ chain: [{ name: 'a', ref: 'x' }], default: 'z' }, 'invalid action chain: f.yaml - "default" names "z", expected one of a'],
  ])('refuses %j', (document, error) => {
    expect(() => parseChain(document, 'f.yaml')).toThrow(error);
  });

  it('starts at the first node nobody names when there is no default (st2)', () => {
    const spec = parseChain(
      {
        chain: [
          { name: 'handler', ref: 'x' },
          { name: 'start', ref: 'x', 'on-failure': 'handler' },
        ],
      },
      'f.yaml',
    );
    expect(spec.start).toBe('start');
    expect(parseChain({ chain: [{ name: 'a', ref: 'x', params: { p: 1 } }] }, 'f.yaml').nodes[0].parameters).toEqual({ p: 1 });
  });
});

describe('action-chain: publish', () => {
  it('publishes after a failed node too (st2), so a failure handler can read what was published', async () => {
    const action = chainAction(
      'publish-on-failure',
      "chain:\n  - name: a\n    ref: core.local\n    parameters: { cmd: 'echo 7; exit 1' }\n    publish: { code: '{{ a.return_code }}' }\n    on-failure: b\n  - name: b\n    ref: core.echo\n    parameters: { message: 'code {{ code }}' }\n",
    );
    const outcome = await run(action);
    expect((outcome.result as ChainResult).tasks[1].result).toMatchObject({ stdout: 'code 1' });
  });

  it('stops the chain with a clear error when a publish value cannot be rendered', async () => {
    const action = chainAction(
      'publish-error',
      "chain:\n  - name: a\n    ref: core.local\n    parameters: { cmd: 'echo text' }\n    publish: { state: '{{ a.stdout.state }}' }\n    on-success: b\n  - name: b\n    ref: core.noop\n",
    );
    const outcome = await run(action);
    expect(outcome.status).toBe('failed');
    expect(tasks(outcome.result)).toEqual([['a', 'succeeded']]);
    expect((outcome.result as ChainResult).error).toBe(
      'Failed rendering value for publish parameter in task "a": "state" (template string="{{ a.stdout.state }}"): an expression has no value',
    );
  });
});

describe('action-chain: config_context', () => {
  it("renders config_context from the chain's pack config in vars, node parameters and publish", async () => {
    const action = chainAction(
      'config-context',
      "vars:\n  where: '{{ config_context.region }}-1'\nchain:\n  - name: a\n    ref: core.echo\n    parameters: { message: '{{ where }} {{ config_context.tier }}' }\n    publish: { region: '{{ config_context.region }}' }\n",
    );
    const outcome = await run(action, {}, { packConfig: { region: 'eu', tier: 'gold' } });
    expect(outcome.status).toBe('succeeded');
    expect((outcome.result as ChainResult).tasks[0].result).toMatchObject({ stdout: 'eu-1 gold' });
    expect((outcome.result as ChainResult).published).toEqual({ region: 'eu' });
  });

  it('is an empty mapping without a config (a missing option fails as any undefined value), and a parameter of that name wins', async () => {
    const action = chainAction('config-missing', "chain:\n  - name: a\n    ref: core.echo\n    parameters: { message: '{{ config_context.region }}' }\n");
    const outcome = await run(action);
    expect(outcome.status).toBe('failed');
    expect((outcome.result as ChainResult).error).toMatch(/"message" \(template string="\{\{ config_context.region \}\}"\)/);
    const shadowed = chainAction('config-shadowed', "chain:\n  - name: a\n    ref: core.echo\n    parameters: { message: '{{ config_context }}' }\n", {
      config_context: { type: 'string' },
    });
    const given = await run(shadowed, { config_context: 'given' }, { packConfig: { region: 'eu' } });
    expect((given.result as ChainResult).tasks[0].result).toMatchObject({ stdout: 'given' });
  });
});
