// The sweeper: executions nobody would move any more (runner dead, message lost) go back to their
// queue, where the handlers judge them by their usual rules. Real handlers, real emulators.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRuntime, type Runtime } from '../../src/dispatch/runtime.ts';
import { createLogger } from '../../src/log/index.ts';
import { isTerminal } from '../../src/model/status.ts';
import { Sweeper } from '../../src/sweep/index.ts';
import { deliver, receive, type Handler } from '../helpers/lambda.ts';
import { eventually, useSubstrate } from '../helpers/substrate.ts';

const substrate = useSubstrate({ env: { ACTIONRUNNER_HEARTBEAT_MS: '200', ACTIONRUNNER_KILL_GRACE_MS: '200' } });
let runtime: Runtime;
let sweeper: Sweeper;
let actions: Handler;
let workflows: Handler;

beforeAll(async () => {
  Object.assign(process.env, substrate.env);
  runtime = createRuntime({ config: substrate.config, clients: substrate.clients, log: createLogger({}, 'warn') });
  sweeper = new Sweeper(runtime);
  actions = (await import('../../functions/actions.ts')).handler;
  workflows = (await import('../../functions/workflows.ts')).handler;
});

beforeEach(() => substrate.purgeQueues());

const bodies = async (queue: 'actions' | 'workflows') => (await receive(substrate, queue, 10, 1)).map((message) => JSON.parse(message.Body!));

describe('the sweeper', () => {
  it('hands an execution whose runner died (expired lease) back to be judged: abandoned', async () => {
    const { execution } = await runtime.store.create({ action: 'core.local', runner: 'local-shell-cmd', parameters: { cmd: 'true' }, secretParameters: [] });
    await runtime.store.claim(execution.id, 'dead-runner', 1);
    await new Promise((resolve) => setTimeout(resolve, 5));

    const report = await sweeper.sweep({ waitingAfterMs: 60_000 });
    expect(report).toMatchObject({ expired: 1, waiting: 0 });
    await deliver(substrate, 'actions', actions);
    const judged = (await runtime.store.get(execution.id))!;
    expect(judged.status).toBe('abandoned');
    expect(judged.error).toContain('runner dead-runner stopped renewing its lease');
    // Ended: the index no longer lists it, and the next sweep sends nothing.
    expect(await sweeper.sweep({ waitingAfterMs: 0 })).toMatchObject({ open: 0, expired: 0, waiting: 0 });
  });

  it('leaves alone an execution under a live lease', async () => {
    const { execution } = await runtime.store.create({ action: 'core.local', runner: 'local-shell-cmd', parameters: { cmd: 'true' }, secretParameters: [] });
    await runtime.store.claim(execution.id, 'live-runner', 60_000);
    expect(await sweeper.sweep({ waitingAfterMs: 0 })).toMatchObject({ open: 1, expired: 0, waiting: 0 });
    expect(await bodies('actions')).toEqual([]);
    await runtime.store.finish(execution.id, 'live-runner', 'succeeded', {});
  });

  it('sends a waiting execution whose message was lost again, once per waiting period, and it runs', async () => {
    // Created but never sent (as after a crash of the in-memory queue).
    const { execution } = await runtime.store.create({
      action: 'core.local',
      runner: 'local-shell-cmd',
      parameters: { cmd: 'echo found' },
      secretParameters: [],
    });
    expect(await sweeper.sweep({ waitingAfterMs: 60_000 })).toMatchObject({ open: 1, waiting: 0 });
    expect(await sweeper.sweep({ waitingAfterMs: 0 })).toMatchObject({ open: 1, waiting: 1 });
    // Swept a moment ago: not sent again before the waiting period has passed once more.
    expect(await sweeper.sweep({ waitingAfterMs: 60_000 })).toMatchObject({ waiting: 0 });
    await deliver(substrate, 'actions', actions);
    const ran = (await runtime.store.get(execution.id))!;
    expect(ran.status).toBe('succeeded');
    expect(ran.result).toMatchObject({ stdout: 'found' });
  });

  it('wakes a workflow whose task-completed message was lost, and it finishes', async () => {
    const { execution } = await runtime.service.request({ action: 'examples.orquesta-basic', parameters: { cmd: 'echo swept' } });
    await deliver(substrate, 'workflows', workflows); // starts it: its task goes to the actions queue
    await deliver(substrate, 'actions', actions); // the task runs; its task-completed is sent...
    await substrate.purgeQueues(); // ...and lost
    expect((await runtime.store.get(execution.id))!.status).toBe('running');

    expect(await sweeper.sweep({ waitingAfterMs: 0 })).toMatchObject({ workflows: 1 });
    await eventually(
      async () => {
        await deliver(substrate, 'workflows', workflows).catch(() => undefined);
        expect(isTerminal((await runtime.store.get(execution.id))!.status)).toBe(true);
      },
      { timeoutMs: 15_000, intervalMs: 10 },
    );
    const ended = (await runtime.store.get(execution.id))!;
    expect(ended.status).toBe('succeeded');
    expect(ended.result).toMatchObject({ output: { stdout: 'swept' } });
  });
});
