// Shared pieces of the benchmarks: embedded emulators, a fresh stage, a runtime, event source mappings.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { loadConfig, type Config } from '../src/config/index.ts';
import { createClients } from '../src/config/clients.ts';
import { createRuntime, type Runtime, type RuntimeOptions } from '../src/dispatch/runtime.ts';
import { EventSourceMapping } from '../src/local/event-source-mapping.ts';
import { createLogger } from '../src/log/index.ts';
import { createResources } from '../src/resources/index.ts';
import { emulatorEnv, type Emulators } from '../src/substrate/index.ts';
import { isTerminal } from '../src/model/status.ts';

export interface Bench {
  emulators: Endpoints;
  config: Config;
  /** Environment that yields `config`: for child processes. */
  env: Record<string, string>;
  runtime: Runtime;
  mappings: EventSourceMapping[];
  stop(): Promise<void>;
}

type Endpoints = Pick<Emulators, 'sqsEndpoint' | 'dynamodbEndpoint' | 'external'>;
let emulators: { endpoints: Promise<Endpoints>; child: ChildProcess } | undefined;

/** The emulators, started once for the whole benchmark run, in a process of their own. */
export async function sharedEmulators(): Promise<Endpoints> {
  if (!emulators) {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./emulators-process.ts', import.meta.url))], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const endpoints = new Promise<Endpoints>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', (line) => resolve({ ...(JSON.parse(line) as Endpoints), external: false }));
      child.once('exit', (code) => reject(new Error(`bench: the emulators process exited with ${code} before it was ready`)));
    });
    emulators = { endpoints, child };
  }
  const endpoints = await emulators.endpoints;
  for (const [name, value] of Object.entries(emulatorEnv(endpoints))) process.env[name] ??= value;
  return endpoints;
}

export async function stopEmulators(): Promise<void> {
  if (!emulators) return;
  const { child } = emulators;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.stdin!.end();
  await exited;
}

export interface MappingPlan {
  maxConcurrency: number;
  batchSize?: number;
  maximumBatchingWindowSeconds?: number;
}

/**
 * A fresh stage with its own queues and tables, a runtime over it, and event source mappings
 * feeding its handler (started unless `start` is false).
 */
export async function startBench(
  env: Record<string, string>,
  plan: { actions: MappingPlan; workflows?: MappingPlan; start?: boolean },
  options: Pick<RuntimeOptions, 'workflows'> = {},
): Promise<Bench> {
  const started = await sharedEmulators();
  const stage = `b${randomBytes(3).toString('hex')}`;
  const base = { ...emulatorEnv(started), ACTIONRUNNER_STAGE: stage, ACTIONRUNNER_LOG_LEVEL: 'warn', ...env };
  const clients = createClients(loadConfig(base));
  const resources = await createResources(clients, stage);
  const env2 = { ...base, ACTIONRUNNER_ACTIONS_QUEUE_URL: resources.queueUrls.actions, ACTIONRUNNER_WORKFLOWS_QUEUE_URL: resources.queueUrls.workflows };
  const config = loadConfig(env2);
  const log = createLogger({}, 'warn');
  // One runtime per function, as deployed: each function runs only its own kind of execution.
  const runtime = createRuntime({ config, clients, log });
  const runtimes = { actions: runtime, workflows: options.workflows ? createRuntime({ config, clients, log, ...options }) : runtime };
  const mapping = (queue: 'actions' | 'workflows', mappingPlan: MappingPlan) =>
    new EventSourceMapping({
      sqs: clients.sqs,
      queueUrl: resources.queueUrls[queue],
      functionName: queue,
      handler: (event, context) => runtimes[queue].processor.process(event, context),
      log,
      batchSize: config.batchSize,
      pollWaitSeconds: 1,
      ...mappingPlan,
    });
  const mappings = [mapping('actions', plan.actions), ...(plan.workflows ? [mapping('workflows', plan.workflows)] : [])];
  if (plan.start !== false) mappings.forEach((m) => m.start());
  return {
    emulators: started,
    config,
    env: env2,
    runtime,
    mappings,
    stop: async () => {
      await Promise.all(mappings.map((m) => m.stop()));
    },
  };
}

/** Waits until `mapping` has deleted `count` messages: each is deleted only once its outcome is recorded. */
export async function waitDeleted(mapping: EventSourceMapping, count: number, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (mapping.metrics.deleted < count) {
    if (Date.now() > deadline) throw new Error(`bench: only ${mapping.metrics.deleted} of ${count} messages done after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Waits until every execution in `ids` has ended; polls the store. */
export async function waitAllEnded(runtime: Runtime, ids: string[], timeoutMs = 600_000): Promise<void> {
  const pending = new Set(ids);
  const deadline = Date.now() + timeoutMs;
  while (pending.size > 0) {
    if (Date.now() > deadline) throw new Error(`bench: ${pending.size} executions still not ended after ${timeoutMs} ms`);
    for (const id of [...pending].slice(0, 200)) {
      const execution = await runtime.store.get(id);
      if (execution && isTerminal(execution.status)) pending.delete(id);
    }
    if (pending.size > 0) await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export const median = (values: number[]) => percentile(values, 50);

export function line(name: string, fields: Record<string, string | number>): void {
  console.log(
    `${name.padEnd(34)} ${Object.entries(fields)
      .map(([k, v]) => `${k}=${typeof v === 'number' ? (Number.isInteger(v) ? v : v.toFixed(2)) : v}`)
      .join('  ')}`,
  );
}
