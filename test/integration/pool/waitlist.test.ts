// The actions pool's waitlist, through the real dispatcher of two containers on the emulators: an action that
// finds the pool full waits on the waitlist (its message back only after a long wait), and the container that
// frees the slot wakes it at once, oldest request first.
import { randomBytes } from 'node:crypto';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, type Message } from '@aws-sdk/client-sqs';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRuntime, type Runtime } from '../../../src/dispatch/runtime.ts';
import { WAITING_FOR_SLOT_ATTRIBUTE } from '../../../src/dispatch/record-processor.ts';
import { WOKEN_ATTRIBUTE } from '../../../src/dispatch/waitlist.ts';
import type { Execution } from '../../../src/model/execution.ts';
import { createResources, deleteResources, resourceDefinition } from '../../../src/resources/index.ts';
import { invoke, receive, toEvent, type Handler } from '../../helpers/lambda.ts';
import { eventually, useSubstrate } from '../../helpers/substrate.ts';

const substrate = useSubstrate({ env: { ACTIONRUNNER_ACTIONS_POOL_SIZE: '1', ACTIONRUNNER_PARALLELISM: '4' } });
// Two containers of the actions function: each its own runtime (slot pool, gate, waitlist).
let one: Runtime;
let two: Runtime;
const handlerOf =
  (runtime: Runtime): Handler =>
  (event, context) =>
    runtime.processor.process(event, context);

beforeAll(() => {
  one = createRuntime({ config: substrate.config, clients: substrate.clients });
  two = createRuntime({ config: substrate.config, clients: substrate.clients });
});
// Each scenario starts from empty queues and an empty waitlist.
beforeEach(async () => {
  await substrate.purgeQueues();
  for (const id of await one.store.waitlistHead('actions', 100)) await one.store.leaveWaitlist(id, 'actions');
});

const get = async (id: string) => (await one.store.get(id))!;
const request = async (cmd: string) => (await one.service.request({ action: 'core.local', parameters: { cmd } })).execution;
const attribute = (message: Message, name: string) => message.MessageAttributes?.[name]?.StringValue;

/** Receives the message of execution `id` (other messages are left to come back). */
async function messageOf(id: string): Promise<Message> {
  return eventually(async () => {
    const [message] = (await receive(substrate, 'actions', 10, 1)).filter((m) => JSON.parse(m.Body!).executionId === id);
    expect(message, `a message for ${id}`).toBeDefined();
    return message!;
  });
}

async function delayedMessages(): Promise<number> {
  const { Attributes } = await substrate.clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: substrate.queueUrls.actions, AttributeNames: ['ApproximateNumberOfMessagesDelayed'] }),
  );
  return Number(Attributes!.ApproximateNumberOfMessagesDelayed);
}

describe('the actions pool waitlist', () => {
  it('an action that finds the pool full waits on the waitlist, and the slot freed in another container wakes it at once', async () => {
    const first = await request('sleep 1.5');
    const firstRun = invoke(substrate, 'actions', handlerOf(one), await toEvent(substrate, 'actions', [await messageOf(first.id)]));
    await eventually(async () => expect((await get(first.id)).status).toBe('running'));

    // The pool (1) is full: the second waits, holding no container.
    const second = await request('echo second');
    await invoke(substrate, 'actions', handlerOf(two), await toEvent(substrate, 'actions', [await messageOf(second.id)]));
    const waiting = await get(second.id);
    expect(waiting.status).toBe('delayed');
    expect(waiting.log.at(-1)!.reason).toBe('waiting for a slot: the actions pool is full (1 running)');
    expect(await one.store.waitlistHead('actions', 10)).toEqual([second.id]);
    // Its message waits in the queue for 10 to 20 s: the safety net, should no wake come.
    expect(await delayedMessages()).toBe(1);

    // The first ends in container one, which has nobody waiting: it wakes the second, whose message comes at once.
    await firstRun;
    const ended = Date.now();
    const woken = await messageOf(second.id);
    expect(Date.now() - ended).toBeLessThan(5_000);
    expect(attribute(woken, WOKEN_ATTRIBUTE)).toBe('actions');
    expect(attribute(woken, 'action')).toBe('core.local');
    expect(await one.store.waitlistHead('actions', 10)).toEqual([]);
    await invoke(substrate, 'actions', handlerOf(two), await toEvent(substrate, 'actions', [woken]));
    const done: Execution = await get(second.id);
    expect(done.status).toBe('succeeded');
    expect(done.result).toMatchObject({ stdout: 'second' });
    // Its safety message is still on its way (one per wait, none added by the wake).
    expect(await delayedMessages()).toBe(1);
  });

  it('wakes the waiting actions oldest request first, one per freed slot', async () => {
    const holder = await request('sleep 1');
    const holding = invoke(substrate, 'actions', handlerOf(one), await toEvent(substrate, 'actions', [await messageOf(holder.id)]));
    await eventually(async () => expect((await get(holder.id)).status).toBe('running'));
    const waiters = [];
    for (const cmd of ['echo a', 'echo b', 'echo c']) {
      const execution = await request(cmd);
      await invoke(substrate, 'actions', handlerOf(two), await toEvent(substrate, 'actions', [await messageOf(execution.id)]));
      waiters.push(execution.id);
    }
    expect(await one.store.waitlistHead('actions', 10)).toEqual(waiters);

    await holding;
    // One slot freed: only the oldest is woken; the others stay on the waitlist.
    const woken = await messageOf(waiters[0]!);
    expect(attribute(woken, WOKEN_ATTRIBUTE)).toBe('actions');
    expect(await one.store.waitlistHead('actions', 10)).toEqual(waiters.slice(1));
    await invoke(substrate, 'actions', handlerOf(two), await toEvent(substrate, 'actions', [woken]));
    expect((await get(waiters[0]!)).status).toBe('succeeded');
    // Its end in container two wakes the next.
    expect(attribute(await messageOf(waiters[1]!), WOKEN_ATTRIBUTE)).toBe('actions');
    expect(await one.store.waitlistHead('actions', 10)).toEqual(waiters.slice(2));
  });

  it('a woken action that finds the pool taken again goes back on the waitlist, with a safety message of its own', async () => {
    const holder = await request('sleep 1');
    const holding = invoke(substrate, 'actions', handlerOf(one), await toEvent(substrate, 'actions', [await messageOf(holder.id)]));
    await eventually(async () => expect((await get(holder.id)).status).toBe('running'));
    const late = await request('echo late');
    await invoke(substrate, 'actions', handlerOf(two), await toEvent(substrate, 'actions', [await messageOf(late.id)]));
    const delayed = await delayedMessages();
    await holding;
    const woken = await messageOf(late.id);
    // Someone else took the freed slot first.
    const thief = await request('sleep 1');
    const stealing = invoke(substrate, 'actions', handlerOf(one), await toEvent(substrate, 'actions', [await messageOf(thief.id)]));
    await eventually(async () => expect((await get(thief.id)).status).toBe('running'));
    await invoke(substrate, 'actions', handlerOf(two), await toEvent(substrate, 'actions', [woken]));
    expect((await get(late.id)).status).toBe('delayed');
    expect(await one.store.waitlistHead('actions', 10)).toEqual([late.id]);
    // Every delivery that leaves it waiting sends one: the first may have been dropped meanwhile (next test).
    expect(await delayedMessages()).toBe(delayed + 1);
    await stealing;
    // The thief's end wakes it again.
    expect(attribute(await messageOf(late.id), WOKEN_ATTRIBUTE)).toBe('actions');
  });

  it('keeps a message on its way for an action whose safety message was dropped while a woken delivery held it, then gave it back', async () => {
    // Container one holds the only slot.
    expect(await one.gate!.tryEnter('holder')).toBe(true);
    try {
      const late = await one.service.request({ action: 'core.local', parameters: { cmd: 'echo late', timeout: 5 } });
      await invoke(substrate, 'actions', handlerOf(two), await toEvent(substrate, 'actions', [await messageOf(late.execution.id)]));
      expect((await get(late.execution.id)).status).toBe('delayed');
      // Its safety message is gone for this test; a freed slot wakes it.
      await substrate.purgeQueues();
      one.waitlist!.wake(true);
      await one.waitlist!.settled();
      const woken = await messageOf(late.execution.id);
      // The woken delivery lands in container one, which holds a slot: it reserves the execution and waits there.
      const held = invoke(substrate, 'actions', handlerOf(one), await toEvent(substrate, 'actions', [woken]), 12_000);
      await eventually(async () => expect((await get(late.execution.id)).status).toBe('scheduled'));
      // The safety message comes back meanwhile, finds it held, and is dropped.
      await one.queue.send('actions', { executionId: late.execution.id }, 0, { [WAITING_FOR_SLOT_ATTRIBUTE]: 'actions' });
      const dropped = await invoke(substrate, 'actions', handlerOf(two), await toEvent(substrate, 'actions', [await messageOf(late.execution.id)]));
      expect(dropped.batchItemFailures).toEqual([]);
      expect(await delayedMessages()).toBe(0);
      // The woken delivery gives up its wait (its invocation ends): back on the waitlist, and a message on its way.
      await held;
      expect((await get(late.execution.id)).status).toBe('delayed');
      expect(await one.store.waitlistHead('actions', 10)).toEqual([late.execution.id]);
      expect(await delayedMessages()).toBe(1);
    } finally {
      await one.gate!.leave('holder');
    }
  });

  it('a message of a wait that finds its execution running elsewhere is dropped, not retried', async () => {
    const running = await request('sleep 1');
    const run = invoke(substrate, 'actions', handlerOf(one), await toEvent(substrate, 'actions', [await messageOf(running.id)]));
    await eventually(async () => expect((await get(running.id)).status).toBe('running'));
    // The safety message of its earlier wait comes back while it runs.
    await one.queue.send('actions', { executionId: running.id }, 0, { [WAITING_FOR_SLOT_ATTRIBUTE]: 'actions' });
    const response = await invoke(substrate, 'actions', handlerOf(two), await toEvent(substrate, 'actions', [await messageOf(running.id)]));
    expect(response.batchItemFailures).toEqual([]);
    await run;
    expect((await get(running.id)).status).toBe('succeeded');
  });
});

describe('the waitlist index', () => {
  it('is added to an executions table kept from a release before it (--data-dir), without losing its items', async () => {
    const stage = `w${randomBytes(4).toString('hex')}`;
    const definition = resourceDefinition(stage);
    const before = {
      ...definition,
      tables: definition.tables.map((table) => (table.key === 'executions' ? { ...table, gsis: table.gsis.filter((gsi) => gsi.name !== 'byWaiting') } : table)),
    };
    try {
      const { tableNames } = await createResources(substrate.clients, before);
      const describe = () => substrate.clients.dynamodb.send(new DescribeTableCommand({ TableName: tableNames.executions }));
      expect((await describe()).Table!.GlobalSecondaryIndexes!.map((gsi) => gsi.IndexName)).not.toContain('byWaiting');
      await substrate.clients.doc.send(new PutCommand({ TableName: tableNames.executions, Item: { id: 'kept', status: 'succeeded' } }));
      await createResources(substrate.clients, stage);
      const { Item } = await substrate.clients.doc.send(new GetCommand({ TableName: tableNames.executions, Key: { id: 'kept' } }));
      expect(Item).toEqual({ id: 'kept', status: 'succeeded' });
      const indexes = (await describe()).Table!.GlobalSecondaryIndexes!;
      expect(indexes.map((gsi) => gsi.IndexName).sort()).toEqual(['byOpen', 'byParent', 'byTime', 'byWaiting']);
      expect(indexes.every((gsi) => gsi.IndexStatus === 'ACTIVE')).toBe(true);
    } finally {
      await deleteResources(substrate.clients, stage);
    }
  });
});
