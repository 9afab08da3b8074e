// What an execution costs in AWS requests, counted by the SDK middleware (`meterBilling`) on the
// requester's and the actions function's clients, as budgets: the counts are deterministic (the
// event source mapping's own polls are Lambda's, left out here; the bench counts them).
// The lease is scaled down (9 s, renewed every 6 s; heartbeat 0.5 s) so that a run spans renewals.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createClients } from '../../src/config/clients.ts';
import { leaseRenewalMs } from '../../src/config/index.ts';
import { meterBilling, type BilledRequest } from '../../src/config/request-meter.ts';
import { createRuntime, type Runtime } from '../../src/dispatch/runtime.ts';
import { createLogger } from '../../src/log/index.ts';
import type { Execution } from '../../src/model/execution.ts';
import { isTerminal } from '../../src/model/status.ts';
import { WorkflowEngine } from '../../src/workflow/engine.ts';
import { deliver } from '../helpers/lambda.ts';
import { eventually, useSubstrate } from '../helpers/substrate.ts';

// A workflow of three `core.local cmd="true"` tasks in a chain.
const packs = mkdtempSync(join(tmpdir(), 'cost-packs-'));
mkdirSync(join(packs, 'costs', 'actions', 'workflows'), { recursive: true });
writeFileSync(join(packs, 'costs', 'actions', 'chain.yaml'), 'name: chain\nrunner_type: orquesta\nentry_point: workflows/chain.yaml\n');
writeFileSync(
  join(packs, 'costs', 'actions', 'workflows', 'chain.yaml'),
  [
    'version: 1.0',
    'tasks:',
    ...[0, 1, 2].flatMap((i) => [`  t${i}:`, '    action: core.local cmd="true"', ...(i < 2 ? [`    next: [{ do: t${i + 1} }]`] : [])]),
  ].join('\n'),
);

const HEARTBEAT_MS = 500;
const KILL_GRACE_MS = 500;
const substrate = useSubstrate({
  env: {
    ACTIONRUNNER_LEASE_MS: '9000',
    ACTIONRUNNER_HEARTBEAT_MS: String(HEARTBEAT_MS),
    ACTIONRUNNER_KILL_GRACE_MS: String(KILL_GRACE_MS),
    ACTIONRUNNER_IN_FLIGHT_VISIBILITY_SECONDS: '15',
    ACTIONRUNNER_PACKS_PATH: packs,
  },
});

const count = (operations: string[], operation: string) => operations.filter((sent) => sent === operation).length;

/** From the claim to the outcome. */
const runningMs = (execution: Execution) =>
  Date.parse(execution.end_timestamp!) - Date.parse(execution.log.find((entry) => entry.status === 'running')!.timestamp);

interface Counts {
  reads: number;
  writes: number;
  sqs: number;
}

describe('requests per execution', () => {
  let requester: Runtime;
  let actions: Runtime;
  let workflows: Runtime;
  let observer: Runtime;
  let billed: BilledRequest[] = [];
  const handler = (...args: Parameters<Runtime['processor']['process']>) => actions.processor.process(...args);

  beforeAll(async () => {
    const log = createLogger({}, 'warn');
    const metered = () => {
      const clients = createClients(substrate.config);
      meterBilling(clients, (request) => billed.push(request));
      return clients;
    };
    requester = createRuntime({ config: substrate.config, clients: metered(), log });
    actions = createRuntime({ config: substrate.config, clients: metered(), log });
    workflows = createRuntime({ config: substrate.config, clients: metered(), log, workflows: (deps) => new WorkflowEngine(deps) });
    observer = createRuntime({ config: substrate.config, clients: createClients(substrate.config), log });
    // The first action of a container also writes its pool's size once: not part of any execution's bill.
    await runAndCount('core.local', { cmd: 'true' });
  });

  /** Requests `action`, delivers its message to the actions function, and counts what both sent. */
  async function runAndCount(action: string, parameters: Record<string, unknown>, whileRunning?: (id: string) => Promise<void>) {
    billed = [];
    const { execution } = await requester.service.request({ action, parameters });
    const delivered = deliver(substrate, 'actions', handler, 120_000);
    if (whileRunning) await whileRunning(execution.id);
    await delivered;
    const done = (await observer.store.get(execution.id))!;
    const counts: Counts = { reads: 0, writes: 0, sqs: 0 };
    for (const request of billed)
      counts[request.kind === 'read' ? 'reads' : request.kind === 'write' ? 'writes' : 'sqs'] += request.kind === 'sqs' ? request.units : 1;
    return { done, counts, operations: billed.map((request) => request.operation) };
  }

  it('a short core.local: create and enqueue, then the claim (no read), outcome, its pool slot taken and freed; no visibility change', async () => {
    const { done, counts, operations } = await runAndCount('core.local', { cmd: 'true' });
    expect(done.status).toBe('succeeded');
    // + the mapping's receive and delete (Lambda's): 8 billable requests at a batch size of 1. Nobody waits
    // for the pool: its release is not counted on the pool's item (only a watched slot's release is).
    expect(counts.writes, operations.join(' ')).toBe(5);
    // SendMessage only: the batch ended before ACTIONRUNNER_IN_FLIGHT_AFTER_SECONDS, so it never changed its visibility.
    expect(count(operations, 'sqs:ChangeMessageVisibilityBatch'), operations.join(' ')).toBe(0);
    expect(counts.sqs, operations.join(' ')).toBe(1);
    // No read of the execution: its message names its action, so the claim (a conditional write) returns the record.
    // On a loaded machine `true` may outlive a heartbeat: one look for a cancel each.
    expect(counts.reads, operations.join(' ')).toBeLessThanOrEqual(Math.floor(runningMs(done) / HEARTBEAT_MS));
  });

  it('a running action writes only when its lease and pool slot are due for renewal, and reads for a cancel every heartbeat', async () => {
    const seconds = 13;
    const { done, counts, operations } = await runAndCount('core.local', { cmd: `sleep ${seconds}` });
    expect(done.status).toBe('succeeded');
    const renewalMs = leaseRenewalMs(substrate.config);
    expect(renewalMs).toBe(6000);
    // Two renewals (at 6 s and 12 s) of the execution's lease and of its pool slot; a heartbeat write
    // would be 2 x 26 more.
    const renewals = Math.ceil((seconds * 1000) / renewalMs);
    expect(counts.writes, operations.join(' ')).toBeLessThanOrEqual(5 + 2 * renewals);
    // Every other heartbeat is a cheap read (eventually consistent, two attributes).
    expect(counts.reads).toBeGreaterThanOrEqual((seconds * 1000) / HEARTBEAT_MS / 2);
    expect(operations.filter((operation) => operation === 'dynamodb:GetItem').length).toBe(counts.reads);
    // Past ACTIONRUNNER_IN_FLIGHT_AFTER_SECONDS (10 s) its batch got its in-flight visibility, once (renewed every 5 s: none due by 13 s).
    expect(count(operations, 'sqs:ChangeMessageVisibilityBatch'), operations.join(' ')).toBe(1);
  });

  it('a cancel is noticed within a heartbeat, not at the next lease renewal', async () => {
    let asked = 0;
    const { done } = await runAndCount('core.local', { cmd: 'sleep 60' }, async (id) => {
      // Right after the claim: the next renewal of the lease is 6 s away.
      await eventually(async () => expect((await observer.store.get(id))!.status).toBe('running'), { timeoutMs: 20_000, intervalMs: 20 });
      asked = Date.now();
      expect((await requester.service.cancel(id)).status).toBe('canceling');
    });
    expect(done.status).toBe('canceled');
    const ended = await eventually(async () => {
      const current: Execution = (await observer.store.get(done.id))!;
      expect(isTerminal(current.status)).toBe(true);
      return current;
    });
    // Noticed at the next heartbeat (0.5 s), then SIGTERM (and SIGKILL after the grace) and the outcome written.
    expect(Date.parse(ended.end_timestamp!) - asked).toBeLessThan(HEARTBEAT_MS + KILL_GRACE_MS + 1500);
  });

  it('a 3-task workflow: per engine step one read of the workflow with the task that ended, its state saved, its outbox cleared', async () => {
    // The first use of the workflows pool writes its size once: not part of this bill.
    await workflows.gate!.tryEnter('warm-up');
    await workflows.gate!.leave('warm-up');
    billed = [];
    const { execution } = await requester.service.request({ action: 'costs.chain', parameters: {} });
    const handle =
      (queue: 'actions' | 'workflows') =>
      (...args: Parameters<Runtime['processor']['process']>) =>
        (queue === 'actions' ? actions : workflows).processor.process(...args);
    // Start, then each task and the step it ends.
    await deliver(substrate, 'workflows', handle('workflows'));
    for (let task = 0; task < 3; task++) {
      await deliver(substrate, 'actions', handle('actions'));
      await deliver(substrate, 'workflows', handle('workflows'));
    }
    const done = (await observer.store.get(execution.id))!;
    expect(done.status, done.error).toBe('succeeded');
    const operations = billed.map((request) => request.operation);
    const trace = operations.join(' ');
    // Start: one read of the workflow. Each of the three steps a task ends: the workflow and that task in one
    // consistent BatchGetItem (it was a GetItem each). The end: its tasks' secrets (one Query), not its own
    // parameters again (the engine holds its record).
    expect(count(operations, 'dynamodb:GetItem'), trace).toBe(1);
    expect(count(operations, 'dynamodb:BatchGetItem'), trace).toBe(3);
    expect(count(operations, 'dynamodb:Query'), trace).toBe(1);
    // The workflow's own item: started with its state, then per step its state saved and its outbox cleared, except
    // the last step's, which the write that ends it clears (8 writes, not 9).
    const onWorkflow = billed.filter((request) => request.operation === 'dynamodb:UpdateItem' && request.item === execution.id);
    expect(onWorkflow, trace).toHaveLength(8);
  });
});
