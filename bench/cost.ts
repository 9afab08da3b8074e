// Cost per execution (issue 12): every AWS request an execution makes, by kind, counted with the SDK
// middleware (`meterBilling`), for a short `core.local`, a long-running action and a 3-task workflow;
// then the cost per million executions at on-demand prices, beside AWS Step Functions Standard; and what
// actions cost while they wait for a full pool (issue 10): 50 short actions behind one that holds a pool of 1.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Context, SQSEvent } from 'aws-lambda';
import { loadConfig } from '../src/config/index.ts';
import { createClients } from '../src/config/clients.ts';
import { meterBilling, type BilledRequest } from '../src/config/request-meter.ts';
import { createRuntime, type Runtime } from '../src/dispatch/runtime.ts';
import { EventSourceMapping } from '../src/local/event-source-mapping.ts';
import { createLogger } from '../src/log/index.ts';
import { createResources } from '../src/resources/index.ts';
import { emulatorEnv } from '../src/substrate/index.ts';
import { WorkflowEngine } from '../src/workflow/engine.ts';
import { line, sharedEmulators, waitAllEnded } from './harness.ts';

/**
 * On-demand list prices, us-east-1, USD, as published on the AWS pricing pages (read 2025-11; the
 * bench prints them so that a change is one edit here):
 * https://aws.amazon.com/lambda/pricing/ (arm64), https://aws.amazon.com/dynamodb/pricing/on-demand/,
 * https://aws.amazon.com/sqs/pricing/ (standard queue), https://aws.amazon.com/step-functions/pricing/ (Standard).
 */
export const PRICES = {
  date: '2025-11',
  lambdaArmPerGbSecond: 0.0000133334,
  lambdaPerRequest: 0.2 / 1e6,
  dynamodbPerWriteUnit: 0.625 / 1e6,
  dynamodbPerReadUnit: 0.125 / 1e6,
  sqsPerRequest: 0.4 / 1e6,
  stepFunctionsPerTransition: 0.025 / 1000,
};
/** The actions and workflows functions' memory (serverless.yml `memorySize`). */
const MEMORY_GB = 1024 / 1024;
const LONG_SECONDS = Number(process.env.BENCH_COST_LONG_SECONDS ?? 60);
/** Concurrent invocations of each function's event source mapping, each in a container of its own. */
const CONTAINERS = 2;
/** The waiting case: how many actions wait, and how long the action holding the pool's one slot runs. */
const WAITERS = 50;
const HOLD_SECONDS = Number(process.env.BENCH_COST_HOLD_SECONDS ?? 30);

/** What one case billed: requests by kind, and the functions' invocations and their time. */
export interface Bill {
  reads: number;
  writes: number;
  /** DynamoDB read and write request units as reported by DynamoDB. */
  readUnits: number;
  writeUnits: number;
  /** SQS billed requests (64 KiB chunks), the event source mapping's polls that brought messages and its deletes included. */
  sqs: number;
  invocations: number;
  invocationMs: number;
  byOperation: Record<string, number>;
  /** The same requests by who sent them: `requester`, `actions`, `workflows` (the functions' handlers), `lambda` (the event source mappings). */
  bySender: Record<string, Record<string, number>>;
}

const emptyBill = (): Bill => ({ reads: 0, writes: 0, readUnits: 0, writeUnits: 0, sqs: 0, invocations: 0, invocationMs: 0, byOperation: {}, bySender: {} });

/** Requests a case made: DynamoDB requests plus SQS billed requests. */
export const billable = (bill: Bill) => bill.reads + bill.writes + bill.sqs;

function add(bill: Bill, billed: BilledRequest, sender: string): void {
  if (billed.kind === 'read') {
    bill.reads++;
    bill.readUnits += billed.units;
  } else if (billed.kind === 'write') {
    bill.writes++;
    bill.writeUnits += billed.units;
  } else bill.sqs += billed.units;
  bill.byOperation[billed.operation] = (bill.byOperation[billed.operation] ?? 0) + 1;
  const sent = (bill.bySender[sender] ??= {});
  sent[billed.operation] = (sent[billed.operation] ?? 0) + 1;
}

/** A pack with one workflow: `length` `core.local cmd="true"` tasks in a chain. */
function chainPack(length: number): string {
  const packs = mkdtempSync(join(tmpdir(), 'bench-cost-'));
  const actions = join(packs, 'benchcost', 'actions');
  mkdirSync(join(actions, 'workflows'), { recursive: true });
  writeFileSync(join(actions, 'chain.yaml'), 'name: chain\nrunner_type: orquesta\nentry_point: workflows/chain.yaml\n');
  // `cmd="true"`: unquoted, the inline parameter would be the boolean true, which `cmd` (a string) refuses.
  const tasks = Array.from({ length }, (_, i) => `  t${i}:\n    action: core.local cmd="true"\n${i + 1 < length ? `    next: [{ do: t${i + 1} }]\n` : ''}`);
  writeFileSync(join(actions, 'workflows', 'chain.yaml'), `version: 1.0\ntasks:\n${tasks.join('')}`);
  return packs;
}

/**
 * A fresh stage where the requester, the actions function, the workflows function and the event
 * source mappings each have their own clients, all metered into `bill` (a mapping's empty polls are
 * left out: they cost the same whether or not anything runs).
 */
async function costStage(env: Record<string, string>) {
  const endpoints = await sharedEmulators();
  const stage = `c${randomBytes(3).toString('hex')}`;
  const base = { ...emulatorEnv(endpoints), ACTIONRUNNER_STAGE: stage, ACTIONRUNNER_LOG_LEVEL: 'warn', ...env };
  const resources = await createResources(createClients(loadConfig(base)), stage);
  const config = loadConfig({
    ...base,
    ACTIONRUNNER_ACTIONS_QUEUE_URL: resources.queueUrls.actions,
    ACTIONRUNNER_WORKFLOWS_QUEUE_URL: resources.queueUrls.workflows,
  });
  const log = createLogger({}, 'warn');
  let bill = emptyBill();
  const metered = (sender: string) => {
    const clients = createClients(config);
    meterBilling(clients, (billed) => add(bill, billed, sender));
    return clients;
  };
  const requester = createRuntime({ config, clients: metered('requester'), log });
  // Watches the executions for the bench (not metered: nobody polls like this in production).
  const observer = createRuntime({ config, clients: createClients(config), log });
  // A container per concurrent invocation (each its own runtime: its own pool gate and waitlist, as in Lambda),
  // the last one freed taken first.
  const containers = (make: () => Runtime) => Array.from({ length: CONTAINERS }, make);
  const idle: Record<'actions' | 'workflows', Runtime[]> = {
    actions: containers(() => createRuntime({ config, clients: metered('actions'), log })),
    workflows: containers(() => createRuntime({ config, clients: metered('workflows'), log, workflows: (deps) => new WorkflowEngine(deps) })),
  };
  const mappings = (['actions', 'workflows'] as const).map((queue) => {
    const sqs = createClients(config).sqs;
    meterBilling({ sqs, dynamodb: createClients(config).dynamodb }, (billed) => {
      if (billed.operation !== 'sqs:ReceiveMessage' || billed.messages) add(bill, billed, 'lambda');
    });
    return new EventSourceMapping({
      sqs,
      queueUrl: resources.queueUrls[queue],
      functionName: queue,
      handler: async (event: SQSEvent, context: Context) => {
        const t0 = performance.now();
        try {
          const container = idle[queue].pop()!;
          try {
            return await container.processor.process(event, context);
          } finally {
            idle[queue].push(container);
          }
        } finally {
          bill.invocations++;
          bill.invocationMs += performance.now() - t0;
        }
      },
      log,
      batchSize: 10,
      pollWaitSeconds: 1,
      maxConcurrency: CONTAINERS,
    });
  });
  mappings.forEach((mapping) => mapping.start());
  const settled = () => mappings.every((m) => m.metrics.inFlight === 0 && m.metrics.received === m.metrics.deleted + m.metrics.retried);
  return {
    requester,
    observer,
    /** Runs `work` and returns what it billed. */
    async measure(work: () => Promise<void>): Promise<Bill> {
      // The last deletes happen just after the outcome is written: the previous case's are not this one's.
      const settle = async () => {
        while (!settled()) await new Promise((resolve) => setTimeout(resolve, 20));
      };
      await settle();
      bill = emptyBill();
      await work();
      await settle();
      return bill;
    },
    stop: () => Promise.all(mappings.map((mapping) => mapping.stop())),
  };
}

/**
 * What waiting costs: a pool of 1 held by one `sleep HOLD_SECONDS` action while WAITERS short actions are
 * requested; everything they bill beyond what they would have cost with a free pool (WAITERS + 1 short
 * actions) is the price of their wait, given per waiting action and minute.
 */
async function waitingCost(shortBillable: number): Promise<void> {
  const stage = await costStage({ ACTIONRUNNER_ACTIONS_POOL_SIZE: '1' });
  const { service } = stage.requester;
  let waitedMs = 0;
  const bill = await stage.measure(async () => {
    const holder = (await service.request({ action: 'core.local', parameters: { cmd: `sleep ${HOLD_SECONDS}`, timeout: HOLD_SECONDS + 60 } })).execution;
    while ((await stage.observer.store.get(holder.id))?.status !== 'running') await new Promise((resolve) => setTimeout(resolve, 50));
    const ids = (await Promise.all(Array.from({ length: WAITERS }, () => service.request({ action: 'core.local', parameters: { cmd: 'true' } })))).map(
      (request) => request.execution.id,
    );
    await waitAllEnded(stage.observer, [holder.id, ...ids], 600_000);
    // From each request to its start.
    for (const id of ids) {
      const ended = (await stage.observer.store.get(id))!;
      const started = ended.log.find((entry) => entry.status === 'running');
      if (ended.status !== 'succeeded' || !started) throw new Error(`bench: a waiting action ended ${ended.status} - ${ended.error ?? ''}`);
      waitedMs += Date.parse(started.timestamp) - Date.parse(ended.start_timestamp);
    }
  });
  await stage.stop();
  const ofWaiting = billable(bill) - (WAITERS + 1) * shortBillable;
  line(`cost: ${WAITERS} actions waiting for a pool of 1 held ${HOLD_SECONDS} s`, {
    billable: billable(bill),
    ofWaiting,
    waitedMinutes: Number((waitedMs / 60_000).toFixed(1)),
    perWaitingActionMinute: Number((ofWaiting / (waitedMs / 60_000)).toFixed(1)),
    invocations: bill.invocations,
    note: `requests beyond ${WAITERS + 1} short actions, per minute an action waited`,
  });
  line(`cost: waiting requests`, { ops: JSON.stringify(bill.byOperation) });
}

/** Cost in USD of one execution that billed `bill`, on Lambda with SQS and DynamoDB. */
export function costOf(bill: Bill): { lambda: number; dynamodb: number; sqs: number; total: number } {
  const lambda = (bill.invocationMs / 1000) * MEMORY_GB * PRICES.lambdaArmPerGbSecond + bill.invocations * PRICES.lambdaPerRequest;
  const dynamodb = bill.writeUnits * PRICES.dynamodbPerWriteUnit + bill.readUnits * PRICES.dynamodbPerReadUnit;
  const sqs = bill.sqs * PRICES.sqsPerRequest;
  return { lambda, dynamodb, sqs, total: lambda + dynamodb + sqs };
}

/**
 * The same work on Step Functions Standard: one state transition per task state (plus the start
 * and end of the state machine), and the same Lambda compute for the actions themselves (one
 * invocation per task, each as long as the action ran).
 */
export function stepFunctionsCostOf(tasks: number, actionMs: number): number {
  const transitions = tasks + 2;
  return transitions * PRICES.stepFunctionsPerTransition + tasks * PRICES.lambdaPerRequest + (actionMs / 1000) * MEMORY_GB * PRICES.lambdaArmPerGbSecond;
}

const perMillion = (usd: number) => `$${(usd * 1e6).toFixed(2)}`;

export async function costBench(): Promise<void> {
  const stage = await costStage({ ACTIONRUNNER_PACKS_PATH: chainPack(3) });
  const { service } = stage.requester;
  const { store } = stage.observer;
  const run = async (action: string, parameters: Record<string, unknown>) => {
    const { execution } = await service.request({ action, parameters });
    await waitAllEnded(stage.observer, [execution.id], 600_000);
    const ended = (await store.get(execution.id))!;
    // A case that failed would count the requests of a failure, not of the work it stands for.
    if (ended.status !== 'succeeded') throw new Error(`bench: ${action} ended ${ended.status}, not succeeded - ${ended.error ?? ''}`);
    return ended;
  };
  const durationMs = (e: { start_timestamp: string; end_timestamp?: string }) => Date.parse(e.end_timestamp!) - Date.parse(e.start_timestamp);
  // One warm-up, so that no case pays for a first use (the pool's size item, the catalog).
  await run('core.local', { cmd: 'true' });

  let short = { ms: 0 };
  const shortBill = await stage.measure(async () => void (short = { ms: durationMs(await run('core.local', { cmd: 'true' })) }));
  let long = { ms: 0 };
  const longBill = await stage.measure(
    async () => void (long = { ms: durationMs(await run('core.local', { cmd: `sleep ${LONG_SECONDS}`, timeout: LONG_SECONDS + 60 })) }),
  );
  let flowTasksMs = 0;
  const flowBill = await stage.measure(async () => {
    const flow = await run('benchcost.chain', {});
    const children = await store.list({ parent: flow.id, limit: 10 });
    flowTasksMs = children.reduce((sum, child) => sum + durationMs(child), 0);
  });
  await stage.stop();

  const print = (name: string, bill: Bill) =>
    line(`cost: ${name}`, {
      billable: billable(bill),
      reads: bill.reads,
      writes: bill.writes,
      RRU: bill.readUnits,
      WRU: bill.writeUnits,
      sqs: bill.sqs,
      invocations: bill.invocations,
    });
  print('short core.local', shortBill);
  line('cost: short core.local requests', { ops: JSON.stringify(shortBill.byOperation), target: 'billable <= 6' });
  line('cost: short core.local by sender', { ops: JSON.stringify(shortBill.bySender) });
  print(`${LONG_SECONDS} s action`, longBill);
  const minutes = LONG_SECONDS / 60;
  const runningWrites = longBill.writes - shortBill.writes;
  line(`cost: ${LONG_SECONDS} s action while running`, {
    writesPerMinute: runningWrites / minutes,
    readsPerMinute: (longBill.reads - shortBill.reads) / minutes,
    sqsPerMinute: (longBill.sqs - shortBill.sqs) / minutes,
    note: 'beyond the short action',
    target: 'writes <= 6 per minute',
  });
  line(`cost: ${LONG_SECONDS} s action requests`, { ops: JSON.stringify(longBill.byOperation) });
  print('3-task workflow', flowBill);
  // A transition: one engine step (start, then one per task that ended), tasks' own runs left out.
  const steps = 4;
  const transition = (billable(flowBill) - 3 * billable(shortBill)) / steps;
  line('cost: workflow per transition', { billable: transition, steps, note: 'workflow total minus 3 short actions, per engine step', target: '<= 4' });
  line('cost: 3-task workflow requests', { ops: JSON.stringify(flowBill.byOperation) });
  line('cost: 3-task workflow by sender', { ops: JSON.stringify(flowBill.bySender) });
  await waitingCost(billable(shortBill));

  console.log(`\nCost per million executions, USD, on-demand us-east-1 prices of ${PRICES.date} (${MEMORY_GB * 1024} MB arm64 functions):\n`);
  console.log('| case | requests (reads / writes / SQS) | Lambda | DynamoDB | SQS | total | Step Functions Standard, same work |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
  for (const [name, bill, tasks, actionMs] of [
    ['short `core.local cmd=true`', shortBill, 1, short.ms],
    [`${LONG_SECONDS} s action`, longBill, 1, long.ms],
    ['3-task workflow', flowBill, 3, flowTasksMs],
  ] as const) {
    const cost = costOf(bill);
    console.log(
      `| ${name} | ${billable(bill)} (${bill.reads} / ${bill.writes} / ${bill.sqs}) | ${perMillion(cost.lambda)} | ${perMillion(cost.dynamodb)} | ${perMillion(cost.sqs)} | ${perMillion(cost.total)} | ${perMillion(stepFunctionsCostOf(tasks, actionMs))} |`,
    );
  }
  console.log('');
}
