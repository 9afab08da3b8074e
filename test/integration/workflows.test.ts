// Orquesta workflows end to end: functions/workflows.ts and functions/actions.ts fed by event
// source mappings over the SQS emulator, state and children in DynamoDB Local.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type Runtime } from '../../src/dispatch/runtime.ts';
import { createLogger } from '../../src/log/index.ts';
import { EventSourceMapping } from '../../src/local/event-source-mapping.ts';
import { WorkflowEngine } from '../../src/workflow/engine.ts';
import { createLambdaContext } from '../../src/local/lambda-context.ts';
import { toSqsRecord } from '../../src/local/sqs-event.ts';
import { isTerminal } from '../../src/model/status.ts';
import type { Execution } from '../../src/model/execution.ts';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { receive } from '../helpers/lambda.ts';
import { eventually, useSubstrate } from '../helpers/substrate.ts';

const WORKFLOWS_CAP = 4;
const MANY_ITEMS = Number(process.env.MANY_ITEMS ?? 1000);

// Workflows of our own beside the ported st2 examples, given through ACTIONRUNNER_PACKS_PATH.
const packs = mkdtempSync(join(tmpdir(), 'wf-packs-'));
const actions = join(packs, 'wftest', 'actions');
mkdirSync(join(actions, 'workflows'), { recursive: true });
const workflowAction = (name: string, definition: string) => {
  writeFileSync(join(actions, `${name}.yaml`), `name: ${name}\nrunner_type: orquesta\nentry_point: workflows/${name}.yaml\n`);
  writeFileSync(join(actions, 'workflows', `${name}.yaml`), definition);
};
const fanOut = Array.from({ length: 20 }, (_, index) => `t${index}`);
workflowAction(
  'fan_in',
  [
    'version: 1.0',
    'tasks:',
    '  start:',
    '    action: core.noop',
    `    next: [{ when: '<% succeeded() %>', do: '${fanOut.join(', ')}' }]`,
    ...fanOut.flatMap((task) => [
      `  ${task}:`,
      `    action: core.echo message="${task}"`,
      `    next: [{ when: '<% succeeded() %>', publish: 'r_${task}=<% result().stdout %>', do: join_all }]`,
    ]),
    '  join_all:',
    '    join: all',
    '    action: core.noop',
    'output:',
    `  - joined: <% [${fanOut.map((task) => `ctx(r_${task})`).join(', ')}] %>`,
  ].join('\n'),
);
workflowAction(
  'three_steps',
  [
    'version: 1.0',
    'tasks:',
    ...['a', 'b', 'c'].flatMap((task, index, all) => [
      `  ${task}:`,
      `    action: core.local cmd="echo ${task}"`,
      ...(all[index + 1] ? [`    next: [{ do: ${all[index + 1]} }]`] : []),
    ]),
  ].join('\n'),
);
workflowAction(
  'missing_action',
  ['version: 1.0', 'tasks:', '  first:', '    action: core.noop', '    next: [{ do: broken }]', '  broken:', '    action: nope.does_not_exist'].join('\n'),
);
writeFileSync(join(actions, 'bad_metadata.yaml'), 'name: bad_metadata\nrunner_type: bogus\n');
workflowAction('uses_unavailable', ['version: 1.0', 'tasks:', '  first:', '    action: wftest.bad_metadata'].join('\n'));
workflowAction('broken_spec', ['version: 1.0', 'tasks:', '  a:', '    action: core.noop', '    next: [{ do: nowhere }]'].join('\n'));
// 20 items of 20 KB each: their results stay on the children, the state keeps a note; published, they cannot fit.
const bigItems = [
  'version: 1.0',
  'tasks:',
  '  fan:',
  '    with: <% range(20) %>',
  '    action: core.local',
  '    input:',
  `      cmd: python3 -c "print('x' * 20000)"`,
];
workflowAction(
  'big_items',
  [
    ...bigItems,
    "    next: [{ publish: 'n=<% result().len() %>', do: after }]",
    '  after:',
    '    action: core.noop',
    'output:',
    '  - n: <% ctx(n) %>',
    '  - seen: <% task(fan).result %>',
  ].join('\n'),
);
workflowAction('big_vars', ['version: 1.0', 'vars:', '  - big: <% range(100000) %>', 'tasks:', '  a:', '    action: core.noop'].join('\n'));
workflowAction('big_state', [...bigItems, "    next: [{ publish: 'all=<% result() %>' }]"].join('\n'));
// One result over the state's per-result budget: kept on the task's execution, noted in the state.
workflowAction(
  'big_result',
  [
    'version: 1.0',
    'tasks:',
    '  big:',
    '    action: core.local',
    '    input:',
    `      cmd: python3 -c "print('y' * 50000)"`,
    '    next: [{ do: after }]',
    '  after:',
    '    action: core.noop',
    'output:',
    '  - seen: <% task(big).result %>',
  ].join('\n'),
);
// A workflow secret input, and a task's secret that the workflow computes itself: both end up in its output and errors.
writeFileSync(
  join(actions, 'show_token.yaml'),
  [
    'name: show_token',
    'runner_type: local-shell-cmd',
    'parameters:',
    '  token:',
    '    type: string',
    '    secret: true',
    '  cmd:',
    '    default: echo "token {{token}}"',
  ].join('\n'),
);
workflowAction(
  'secret_flow',
  [
    'version: 1.0',
    'input:',
    '  - pw',
    'vars:',
    `  - tok: <% "Kp7" + "-derived-token" %>`,
    'output:',
    '  - direct: <% ctx().pw %>',
    '  - tok: <% ctx().tok %>',
    'tasks:',
    '  use:',
    '    action: wftest.show_token token=<% ctx().tok %>',
    '    next: [{ when: "<% succeeded() %>", do: fail_it }]',
    '  fail_it:',
    '    action: core.local',
    '    input:',
    `      cmd: echo "no good <% ctx().pw %> <% ctx().tok %>" >&2; exit 1`,
  ].join('\n'),
);
writeFileSync(
  join(actions, 'secret_flow.yaml'),
  'name: secret_flow\nrunner_type: orquesta\nentry_point: workflows/secret_flow.yaml\nparameters:\n  pw:\n    type: string\n    secret: true\n',
);
// A loop without an end, beside a long task: the task run limit (ACTIONRUNNER_WORKFLOW_MAX_TASK_RUNS, 30 here) stops it.
workflowAction(
  'self_loop',
  [
    'version: 1.0',
    'tasks:',
    '  start:',
    "    next: [{ do: 'again, slow' }]",
    '  again:',
    '    action: core.noop',
    '    next: [{ do: again }]',
    '  slow:',
    '    action: core.local cmd="sleep 1000" timeout=600',
  ].join('\n'),
);
// Many items: the state keeps one character per item, the outbox a page of children per step, results stay on the children.
workflowAction(
  'many_items',
  [
    'version: 1.0',
    'tasks:',
    '  fan:',
    `    with: <% range(${MANY_ITEMS}) %>`,
    '    action: core.noop',
    "    next: [{ publish: 'n=<% result().where($.succeeded).len() %>' }]",
    'output:',
    '  - n: <% ctx(n) %>',
  ].join('\n'),
);
workflowAction(
  'items_sleep',
  [
    'version: 1.0',
    'tasks:',
    '  fan:',
    '    with: { items: <% range(3) %>, concurrency: 2 }',
    '    action: core.local',
    '    input: { cmd: sleep 1000, timeout: 600 }',
  ].join('\n'),
);
workflowAction(
  'long_sleep',
  [
    'version: 1.0',
    'tasks:',
    '  sleeper:',
    '    action: core.local cmd="sleep 1000" timeout=600',
    '    next: [{ do: after }]',
    '  after:',
    '    action: core.noop',
  ].join('\n'),
);

// The workflows function's own timeout is short (60 s, as deployed); children are judged against the actions function's.
const substrate = useSubstrate({
  env: {
    ACTIONRUNNER_PACKS_PATH: packs,
    ACTIONRUNNER_HEARTBEAT_MS: '200',
    ACTIONRUNNER_KILL_GRACE_MS: '200',
    ACTIONRUNNER_FUNCTION_TIMEOUT: '60',
    ACTIONRUNNER_WORKFLOW_MAX_TASK_RUNS: '30',
  },
});
let runtime: Runtime;
let mappings: EventSourceMapping[];

beforeAll(async () => {
  Object.assign(process.env, substrate.env);
  const log = createLogger({}, 'warn');
  const { handler: actionsHandler } = await import('../../functions/actions.ts');
  const { handler: workflowsHandler } = await import('../../functions/workflows.ts');
  runtime = createRuntime({ config: substrate.config, clients: substrate.clients, log });
  const mapping = (queue: 'actions' | 'workflows', handler: typeof actionsHandler, maxConcurrency: number) =>
    new EventSourceMapping({
      sqs: substrate.clients.sqs,
      queueUrl: substrate.queueUrls[queue],
      functionName: queue,
      handler,
      log,
      maxConcurrency,
      pollWaitSeconds: 1,
      functionTimeoutMs: 120_000,
    });
  mappings = [mapping('workflows', workflowsHandler, WORKFLOWS_CAP), mapping('actions', actionsHandler, 10)];
  mappings.forEach((m) => m.start());
});

afterAll(async () => {
  await Promise.all(mappings.map((m) => m.stop()));
});

async function runWorkflow(action: string, parameters: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<Execution> {
  const { execution } = await runtime.service.request({ action, parameters });
  return waitEnded(execution.id, timeoutMs);
}

function waitEnded(id: string, timeoutMs = 30_000): Promise<Execution> {
  return eventually(
    async () => {
      const current = (await runtime.store.get(id))!;
      expect(isTerminal(current.status), `${id} is ${current.status}`).toBe(true);
      return current;
    },
    { timeoutMs, intervalMs: 100 },
  );
}

const output = (execution: Pick<Execution, 'result'>) => (execution.result as { output?: Record<string, unknown> }).output;

describe('orquesta workflows from st2 examples', () => {
  it('orquesta-basic runs a command and publishes its stdout', async () => {
    const execution = await runWorkflow('examples.orquesta-basic', { cmd: 'echo hello from st2' });
    expect(execution.status).toBe('succeeded');
    expect(output(execution)).toEqual({ stdout: 'hello from st2' });
    const children = await runtime.store.list({ parent: execution.id });
    expect(children.map((child) => [child.context.task, child.action, child.status])).toEqual([['task1', 'core.local', 'succeeded']]);
  });

  it('orquesta-sequential chains tasks through published variables', async () => {
    const execution = await runWorkflow('examples.orquesta-sequential', { name: 'Stanley' });
    expect(execution.status).toBe('succeeded');
    expect(output(execution)).toEqual({ greeting: 'Stanley, All your base are belong to us!' });
  });

  it('orquesta-join waits for all four branches', async () => {
    const execution = await runWorkflow('examples.orquesta-join');
    expect(execution.status).toBe('succeeded');
    expect(output(execution)).toEqual({
      messages: ['Fee fi fo fum', 'I smell the blood of an English man', 'Be alive, or be he dead', "I'll grind his bones to make my bread"],
    });
  });

  it('orquesta-data-flow passes values through input, vars and publish', async () => {
    const execution = await runWorkflow('examples.orquesta-data-flow', { a1: 'fee fi fo fum' });
    expect(execution.status).toBe('succeeded');
    expect(output(execution)).toEqual({ a5: 'fee fi fo fum', b5: 'fee fi fo fum' });
  });

  it('orquesta-with-items runs one child per item and keeps the results in item order', async () => {
    const members = ['Lakshmi', 'Lindsay', 'Tomaz', 'Matt', 'Drew'];
    const execution = await runWorkflow('examples.orquesta-with-items', { members });
    expect(execution.status).toBe('succeeded');
    expect(output(execution)).toEqual({ items: members.map((member) => `${member}, resistance is futile!`) });
    const children = await runtime.store.list({ parent: execution.id });
    expect(children.map((child) => child.context.itemIndex).sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('orquesta-error-handling-continue publishes on failure and continues', async () => {
    const failed = await runWorkflow('examples.orquesta-error-handling-continue', { cmd: 'exit 1' });
    expect(failed.status).toBe('failed');
    expect(output(failed)).toEqual({ message: '$%#&@#$!!!' });
    const fine = await runWorkflow('examples.orquesta-error-handling-continue', { cmd: 'true' });
    expect(fine.status).toBe('succeeded');
    expect(output(fine)).toEqual({ message: 'hooray!!!' });
  });

  it.each(['orquesta-fail-manually', 'orquesta-remediate-then-fail'])('%s runs the log task, then fails the workflow', async (name) => {
    const execution = await runWorkflow(`examples.${name}`);
    expect(execution.status).toBe('failed');
    const errors = (execution.result as { errors: Array<{ task_id: string }> }).errors;
    expect(errors.map((error) => error.task_id)).toEqual(['task1', 'fail']);
    const log = (await runtime.store.list({ parent: execution.id })).find((child) => child.context.task === 'log')!;
    expect(log.status).toBe('succeeded');
    expect(log.result).toMatchObject({ stdout: 'task1 failed with exit code: ' });
  });

  it('orquesta-task-retry retries a failing task (with its delay) until it succeeds', async () => {
    const execution = await runWorkflow('examples.orquesta-task-retry', {}, 60_000);
    expect(execution.status).toBe('succeeded');
    const checks = (await runtime.store.list({ parent: execution.id })).filter((child) => child.context.task === 'check');
    expect(checks.length).toBeGreaterThan(1);
    expect(checks.at(-1)!.status).toBe('succeeded');
    expect(checks.slice(0, -1).every((check) => check.status === 'failed')).toBe(true);
  });

  it('orquesta-delay delays a task through the queue, not in a process', async () => {
    const started = Date.now();
    const execution = await runWorkflow('examples.orquesta-delay', { name: 'Stanley', delay: 2 });
    expect(execution.status).toBe('succeeded');
    expect(output(execution)).toEqual({ greeting: 'Stanley, All your base are belong to us!' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    const listed = (await runtime.store.list({ parent: execution.id })).find((child) => child.context.task === 'task1')!;
    const first = (await runtime.store.get(listed.id))!;
    expect(first.log.map((entry) => entry.status)).toEqual(['delayed', 'running', 'succeeded']);
  });

  it('orquesta-subworkflow runs a workflow as a task and continues when it ends', async () => {
    const execution = await runWorkflow('examples.orquesta-subworkflow');
    expect(execution.status).toBe('succeeded');
    const children = await runtime.store.list({ parent: execution.id });
    expect(children.map((child) => [child.context.task, child.action, child.status])).toEqual([
      ['start', 'core.echo', 'succeeded'],
      ['subworkflow', 'examples.orquesta-sequential', 'succeeded'],
      ['finish', 'core.echo', 'succeeded'],
    ]);
    expect(output(children[1])).toEqual({ greeting: 'Lakshmi, All your base are belong to us!' });
  });

  it("orquesta-st2-ctx reads ctx(st2): the callback st2's integration test expects, and st2's other fields", async () => {
    const execution = await runWorkflow('examples.orquesta-st2-ctx', {}, 30_000);
    expect(execution, JSON.stringify(execution.result)).toMatchObject({ status: 'succeeded' });
    expect(output(execution)).toEqual({
      callback: `http://127.0.0.1:9101/v1/executions/${execution.id}`,
      st2: {
        action_execution_id: execution.id,
        workflow_execution_id: execution.id,
        api_url: 'http://127.0.0.1:9101/v1',
        user: 'stanley',
        pack: 'examples',
        action: 'examples.orquesta-st2-ctx',
        runner: 'orquesta',
      },
    });
  });

  it('orquesta-test-yaql-task-functions evaluates task(), task_status() and friends', async () => {
    const execution = await runWorkflow('examples.orquesta-test-yaql-task-functions', {}, 60_000);
    expect(execution, JSON.stringify(execution.result)).toMatchObject({ status: 'succeeded' });
    expect(output(execution)).toMatchObject({
      this_task_no_arg: 'task1',
      this_task_by_name: 'task1',
      that_task_by_name: 'task1',
      last_task4_result: 'False',
      task9__1__parent: 'task8__1',
      task9__2__parent: 'task8__2',
    });
  });
});

describe('the engine', () => {
  it('never loses an update when 20 parallel branches finish at once, then joins once', async () => {
    const execution = await runWorkflow('wftest.fan_in', {}, 60_000);
    expect(execution, JSON.stringify(execution.result)).toMatchObject({ status: 'succeeded' });
    expect(output(execution)).toEqual({ joined: fanOut });
    const joins = (await runtime.store.list({ parent: execution.id, limit: 100 })).filter((child) => child.context.task === 'join_all');
    expect(joins).toHaveLength(1);
  });

  it(`does not deadlock: 50 workflows of 3 actions each complete with the workflows cap at ${WORKFLOWS_CAP}`, async () => {
    const requested = await Promise.all(Array.from({ length: 50 }, () => runtime.service.request({ action: 'wftest.three_steps' })));
    const ended = await Promise.all(requested.map(({ execution }) => waitEnded(execution.id, 120_000)));
    expect(ended.map((execution) => execution.status)).toEqual(Array(50).fill('succeeded'));
    expect(mappings[0].metrics.peakInFlight).toBeLessThanOrEqual(WORKFLOWS_CAP);
  }, 180_000);

  it('starts a workflow delivered twice at once only one time', async () => {
    const engine = new WorkflowEngine(runtime);
    const { execution } = await runtime.store.create({ action: 'examples.orquesta-join', runner: 'orquesta', parameters: {}, secretParameters: [] });
    await Promise.all([engine.start(execution), engine.start(execution)]);
    const ended = await waitEnded(execution.id);
    expect(ended.status).toBe('succeeded');
    const tasks = (await runtime.store.list({ parent: execution.id, limit: 100 })).map((child) => child.context.task).sort();
    expect(tasks).toEqual(['task1', 'task10', 'task2', 'task3', 'task4', 'task5', 'task6', 'task7', 'task8', 'task9']);
  });

  it('fails a workflow whose definition is invalid at start, with the file and the problem', async () => {
    const execution = await runWorkflow('wftest.broken_spec');
    expect(execution.status).toBe('failed');
    expect(execution.error).toMatch(/^invalid workflow: .*broken_spec\.yaml - .*"nowhere"/);
  });

  it('keeps large task results out of the workflow state, and fails clearly when the state cannot fit', async () => {
    const small = await runWorkflow('wftest.big_result');
    expect(small.status).toBe('succeeded');
    expect(output(small)).toMatchObject({ seen: { result_truncated: true } });
    const [big] = await runtime.store.list({ parent: small.id });
    expect((big.result as { stdout: string }).stdout).toHaveLength(50_000);

    const items = await runWorkflow('wftest.big_items', {}, 60_000);
    expect(items.status).toBe('succeeded');
    expect(output(items)).toMatchObject({ n: 20, seen: { result_truncated: true, items: 20 } });

    const tooBig = await runWorkflow('wftest.big_state', {}, 60_000);
    expect(tooBig.status).toBe('failed');
    expect(tooBig.error).toMatch(/^workflow state too large: \d+ KB exceeds the 300 KB/);

    const tooBigAtStart = await runWorkflow('wftest.big_vars');
    expect(tooBigAtStart).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/^workflow state too large: \d+ KB exceeds the 300 KB an execution item can hold - publish less, or split the workflow$/),
    });
    expect(await runtime.store.list({ parent: tooBigAtStart.id })).toEqual([]);
  });

  it(`runs a with-items task over ${MANY_ITEMS} items to success`, async () => {
    const started = Date.now();
    const execution = await runWorkflow('wftest.many_items', {}, 600_000);
    console.log(`with-items over ${MANY_ITEMS} core.noop items: ${execution.status} in ${Date.now() - started} ms`);
    expect(execution.status, execution.error).toBe('succeeded');
    expect(output(execution)).toEqual({ n: MANY_ITEMS });
  }, 660_000);

  it('passes a plain action that reached the workflows function to the actions queue', async () => {
    const { handler: workflowsHandler } = await import('../../functions/workflows.ts');
    const { execution } = await runtime.store.create({ action: 'core.noop', runner: 'noop', parameters: {}, secretParameters: [] });
    const record = toSqsRecord(
      { MessageId: 'm-misrouted', ReceiptHandle: 'r', Body: JSON.stringify({ executionId: execution.id }) },
      'arn:aws:sqs:us-east-1:000000000000:workflows',
      'us-east-1',
    );
    await workflowsHandler({ Records: [record] }, createLambdaContext({ functionName: 'workflows-direct', timeoutMs: 60_000 }));
    const done = await waitEnded(execution.id);
    expect(done.status).toBe('succeeded');
    const claim = done.log.find((entry) => entry.status === 'running')!;
    expect(claim.reason).not.toContain('workflows-direct');
  });

  it('a step whose read fails fails that step, with no unhandled rejection left behind', async () => {
    const unhandled: unknown[] = [];
    const listener = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', listener);
    try {
      const store = Object.assign(Object.create(runtime.store) as typeof runtime.store, {
        getMany: async () => {
          throw new Error('ProvisionedThroughputExceededException: throttled');
        },
      });
      const engine = new WorkflowEngine({ ...runtime, store });
      const events = ['a', 'b', 'c'].map((executionId) => ({
        version: 1 as const,
        type: 'task-completed' as const,
        workflowId: 'wf-read-fails',
        taskId: 't',
        executionId,
      }));
      await expect(Promise.all(events.map((event) => engine.onTaskCompleted(event)))).rejects.toThrow(/throttled/);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', listener);
    }
  });

  it('tells the parent again when a delivery reaches a sub-workflow that already ended', async () => {
    const sent: unknown[] = [];
    const queue = Object.assign(Object.create(runtime.queue) as typeof runtime.queue, { send: async (...args: unknown[]) => void sent.push(args) });
    const engine = new WorkflowEngine({ ...runtime, queue });
    const { execution } = await runtime.store.create({
      action: 'examples.orquesta-sequential',
      runner: 'orquesta',
      parameters: {},
      secretParameters: [],
      status: 'succeeded',
      context: { parent: 'parent-id', taskId: 'sub' },
    });
    await engine.onTaskCompleted({ version: 1, type: 'task-completed', workflowId: execution.id, taskId: 'task3', executionId: 'whatever' });
    expect(sent).toEqual([['workflows', { type: 'task-completed', workflowId: 'parent-id', taskId: 'sub', executionId: execution.id }]]);
  });

  it('fails the workflow on the last delivery of an event it cannot process', async () => {
    const { handler: workflowsHandler } = await import('../../functions/workflows.ts');
    const { execution } = await runtime.store.create({
      action: 'wftest.vanished',
      runner: 'orquesta',
      parameters: {},
      secretParameters: [],
      status: 'running',
    });
    await runtime.store.updateVersioned(execution.id, 'workflow_version', undefined, {
      workflow_state: { v: 1, executionId: execution.id, status: 'running', contexts: [{}], routes: [[]], runs: [], barriers: [], errors: [] },
    });
    const body = JSON.stringify({ type: 'task-completed', workflowId: execution.id, taskId: 't', executionId: execution.id });
    const record = toSqsRecord(
      { MessageId: 'm-last', ReceiptHandle: 'r', Body: body, Attributes: { ApproximateReceiveCount: '5' } },
      'arn:aws:sqs:us-east-1:000000000000:workflows',
      'us-east-1',
    );
    await expect(workflowsHandler({ Records: [record] }, createLambdaContext({ functionName: 'workflows-direct', timeoutMs: 60_000 }))).rejects.toThrow(
      /unknown workflow: wftest.vanished/,
    );
    const failed = (await runtime.store.get(execution.id))!;
    expect(failed.status).toBe('failed');
    expect(failed.error).toBe('gave up after 5 deliveries: unknown workflow: wftest.vanished');
  });

  it("masks the workflow's secret input and its tasks' secrets in its result and error", async () => {
    const execution = await runWorkflow('wftest.secret_flow', { pw: 'Zq9-wf-password' });
    expect(execution.status).toBe('failed');
    const { parameters, workflow_state: state, ...rest } = execution as Execution & { workflow_state?: unknown };
    expect(parameters).toEqual({ pw: 'Zq9-wf-password' }); // what the run needs, never shown
    expect(JSON.stringify(state)).toContain('Kp7'); // the engine's own state keeps its data
    expect(JSON.stringify(rest)).toContain('no good ******** ********');
    expect(JSON.stringify(rest)).not.toMatch(/Zq9|Kp7/);
  });

  it('sends a task-completed event for an unknown workflow, or for an execution that is not one, to the DLQ at once with the reason', async () => {
    const { execution: plain } = await runtime.store.create({ action: 'core.noop', runner: 'noop', parameters: {}, secretParameters: [] });
    const events = {
      '01UNKNOWNWORKFLOW0000000000': 'unknown workflow: execution 01UNKNOWNWORKFLOW0000000000 - no such record',
      [plain.id]: `not a workflow: execution ${plain.id} - it is a noop execution of core.noop, not an orquesta one`,
    };
    for (const workflowId of Object.keys(events)) {
      await substrate.clients.sqs.send(
        new SendMessageCommand({
          QueueUrl: substrate.queueUrls.workflows,
          MessageBody: JSON.stringify({ version: 1, type: 'task-completed', workflowId, taskId: 't', executionId: 'child' }),
        }),
      );
    }
    const dead: Awaited<ReturnType<typeof receive>> = [];
    await eventually(
      async () => {
        dead.push(...(await receive(substrate, 'workflowsDlq', 10, 1)));
        expect(dead).toHaveLength(2);
      },
      { timeoutMs: 20_000 },
    );
    const reasons = Object.fromEntries(dead.map((m) => [(JSON.parse(m.Body!) as { workflowId: string }).workflowId, m.MessageAttributes?.error?.StringValue]));
    expect(reasons).toEqual(events);
    // Dead-lettered by the handler on the first delivery (the redrive would have taken 5 and added no reason).
    expect(dead.map((m) => m.MessageAttributes?.sourceQueue?.StringValue)).toEqual([
      expect.stringMatching(/-workflows$/),
      expect.stringMatching(/-workflows$/),
    ]);
  });

  it('fails a workflow at start when a task names an action that does not exist', async () => {
    const execution = await runWorkflow('wftest.missing_action');
    expect(execution.status).toBe('failed');
    expect(execution.error).toMatch(
      /^invalid workflow: .*missing_action\.yaml - content error at tasks\.broken\.action: The action "nope\.does_not_exist" is not registered in the database\.$/,
    );
    expect(await runtime.store.list({ parent: execution.id })).toEqual([]);
  });

  it('fails a workflow at start when a task names an action its pack could not load, with the reason', async () => {
    const execution = await runWorkflow('wftest.uses_unavailable');
    expect(execution.status).toBe('failed');
    expect(execution.error).toMatch(
      /^invalid workflow: .* - content error at tasks\.first\.action: The action "wftest\.bad_metadata" is unavailable: invalid action metadata: .*bad_metadata\.yaml - field "runner_type": expected one of/,
    );
  });

  it('fails a workflow that loops without an end once it reaches the task run limit, and cancels its running tasks', async () => {
    const execution = await runWorkflow('wftest.self_loop');
    expect(execution.status).toBe('failed');
    expect(execution.error).toBe(
      `task run limit reached: workflow ${execution.id} - task "again" would be task run 31, the limit is 30 task runs (ACTIONRUNNER_WORKFLOW_MAX_TASK_RUNS)`,
    );
    expect((execution.result as { errors: unknown[] }).errors).toEqual([{ type: 'error', message: execution.error, task_id: 'again', route: 0 }]);
    const children = await runtime.store.list({ parent: execution.id, limit: 100 });
    expect(children.filter((child) => child.context.task === 'again')).toHaveLength(28); // start and slow are runs too
    const slow = children.find((child) => child.context.task === 'slow')!;
    await waitEnded(slow.id);
    expect((await runtime.store.get(slow.id))!.status).toBe('canceled');
  });

  it('cancels a workflow: its running child is killed and nothing new is scheduled', async () => {
    const { execution } = await runtime.service.request({ action: 'wftest.long_sleep' });
    const child = await eventually(async () => {
      const [running] = await runtime.store.list({ parent: execution.id });
      expect(running?.status).toBe('running');
      return running;
    });
    expect((await runtime.service.cancel(execution.id)).status).toBe('canceling');
    const ended = await waitEnded(execution.id);
    expect(ended.status).toBe('canceled');
    expect((await runtime.store.get(child.id))!.status).toBe('canceled');
    const children = await runtime.store.list({ parent: execution.id });
    expect(children.map((c) => c.context.task)).toEqual(['sleeper']);
  });

  it('cancels the running items of a with-items task (found through their workflow, not a map on its item)', async () => {
    const { execution } = await runtime.service.request({ action: 'wftest.items_sleep' });
    const children = await eventually(async () => {
      const running = (await runtime.store.list({ parent: execution.id })).filter((child) => child.status === 'running');
      expect(running).toHaveLength(2);
      return running;
    });
    await runtime.service.cancel(execution.id);
    expect((await waitEnded(execution.id)).status).toBe('canceled');
    for (const child of children) expect((await waitEnded(child.id)).status).toBe('canceled');
    expect((await runtime.store.list({ parent: execution.id })).map((child) => child.context.itemIndex).sort()).toEqual([0, 1]);
  });
});
