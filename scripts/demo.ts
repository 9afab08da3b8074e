// `npm run demo`: the local runtime under a mixed workload, with the pools' use shown live.
// Knobs: DEMO_ACTIONS (default 300), ACTIONRUNNER_BATCH_SIZE (default 1 here: one action per pool slot, as in st2).
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import pLimit from 'p-limit';
import pc from 'picocolors';

process.env.ACTIONRUNNER_LOG_LEVEL ??= 'warn';
process.env.ACTIONRUNNER_BATCH_SIZE ??= '1';
process.env.ACTIONRUNNER_BATCHING_WINDOW ??= '0';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { startLocal } = await import('../src/local/runtime.ts');
const { concurrencyCap } = await import('../src/local/function-settings.ts');
const { createRuntime } = await import('../src/dispatch/runtime.ts');
const { createLogger } = await import('../src/log/index.ts');
const { isTerminal } = await import('../src/model/status.ts');
const { formatDuration, table } = await import('../src/cli/format.ts');
const { DynamoSlotPool } = await import('../src/pool/index.ts');

const total = Number(process.env.DEMO_ACTIONS ?? 300);
const tty = Boolean(process.stdout.isTTY);
const c = pc.createColors(tty);

type Kind = 'short' | 'failing' | 'timeout' | 'chatty';
function workload(): { kind: Kind; parameters: Record<string, unknown> }[] {
  const items: { kind: Kind; parameters: Record<string, unknown> }[] = [
    { kind: 'chatty', parameters: { cmd: 'for i in $(seq 1 60); do echo "chatty line $i"; sleep 0.2; done' } },
  ];
  for (let i = 1; i < total; i++) {
    if (i % 10 === 0) items.push({ kind: 'failing', parameters: { cmd: `echo "failing #${i}" >&2; exit 1` } });
    else if (i % 15 === 0) items.push({ kind: 'timeout', parameters: { cmd: 'sleep 30', timeout: 2 } });
    else items.push({ kind: 'short', parameters: { cmd: `sleep ${(0.5 + (i % 7) * 0.25).toFixed(2)}` } });
  }
  return items;
}

const local = await startLocal({ graceMs: 2000 });
const runtime = createRuntime({ config: local.config, log: createLogger({ component: 'demo' }, 'warn') });
console.log(`${c.green('local runtime ready')} - sqs ${local.sqsEndpoint}, dynamodb ${local.dynamodbEndpoint}`);
console.log(`submitting ${total} actions of core.local (short, failing, timing out, one long chatty one)...`);

const started = Date.now();
const ids = new Map<string, Kind>();
const submit = pLimit(16);
const submitted = Promise.all(
  workload().map((item) =>
    submit(async () => {
      const { execution } = await runtime.service.request({ action: 'core.local', parameters: item.parameters });
      ids.set(execution.id, item.kind);
    }),
  ),
);

async function queued(url: string): Promise<number> {
  const { Attributes = {} } = await local.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }));
  return Number(Attributes.ApproximateNumberOfMessages ?? 0);
}

function bar(done: number, of: number, width = 24): string {
  const full = of === 0 ? 0 : Math.round((done / of) * width);
  return c.green('█'.repeat(full)) + c.dim('░'.repeat(width - full));
}

let lines = 0;
let peakRunning = 0;
// The stage-wide pools (what bounds running actions), read as the runners see them.
const slots = new DynamoSlotPool({ doc: runtime.clients.doc, tableName: local.config.executionsTable });
const poolSize = { actions: local.config.actionsPoolSize, workflows: local.config.workflowsPoolSize };
const peakPool = { actions: 0, workflows: 0 };
function draw(text: string[]): void {
  if (tty && lines) process.stdout.write(`\u001b[${lines}A`);
  process.stdout.write(text.map((line) => `${tty ? '\u001b[2K' : ''}${line}\n`).join(''));
  lines = text.length;
}

let ticks = 0;
let finalStatuses = new Map<string, string>();
for (;;) {
  const executions = await runtime.store.list({ limit: total + 50 });
  const mine = executions.filter((e) => ids.has(e.id));
  finalStatuses = new Map(mine.map((e) => [e.id, e.status]));
  const running = mine.filter((e) => e.status === 'running').length;
  peakRunning = Math.max(peakRunning, running);
  const done = mine.filter((e) => isTerminal(e.status)).length;
  const rows: string[] = [];
  for (const name of ['actions', 'workflows'] as const) {
    const m = local.mappings[name].metrics;
    const cap = concurrencyCap(local.settings[name]);
    const isActions = name === 'actions';
    const inPool = await slots.running(name);
    peakPool[name] = Math.max(peakPool[name], inPool);
    rows.push(
      `${name.padEnd(9)} ${bar(isActions ? done : 0, isActions ? total : 0)} ` +
        `running ${c.bold(String(inPool).padStart(2))}/${poolSize[name]} (peak ${peakPool[name]})  ` +
        `containers ${String(m.inFlight).padStart(2)}/${cap}  ` +
        `queued ${String(await queued(local.queueUrls[name])).padStart(3)}  ` +
        `done ${isActions ? done : 0}/${isActions ? total : 0}`,
    );
  }
  rows.push(c.dim(`elapsed ${formatDuration(Date.now() - started)}, submitted ${ids.size}/${total}`));
  // On a terminal the bars redraw in place; in a log, one block every ~2 s.
  if (tty || lines === 0 || ++ticks % 4 === 0) draw(rows);
  if (ids.size === total && done === total) break;
  await new Promise((resolve) => setTimeout(resolve, 500));
}
await submitted;
const wallMs = Date.now() - started;

const byKind = new Map<string, Map<string, number>>();
for (const [id, kind] of ids) {
  const status = finalStatuses.get(id) ?? '?';
  const counts = byKind.get(kind) ?? new Map<string, number>();
  counts.set(status, (counts.get(status) ?? 0) + 1);
  byKind.set(kind, counts);
}
console.log(`\n${c.bold('summary')}`);
console.log(
  table(
    ['KIND', 'COUNT', 'STATUSES'],
    [...byKind].map(([kind, counts]) => [kind, String([...counts.values()].reduce((a, b) => a + b, 0)), [...counts].map(([s, n]) => `${s} ${n}`).join(', ')]),
    c,
  ),
);
const m = local.mappings.actions.metrics;
console.log(
  `\n${total} actions in ${formatDuration(wallMs)} (${(total / (wallMs / 1000)).toFixed(1)}/s); ` +
    `actions running at most ${peakPool.actions}/${poolSize.actions} (peak running executions seen ${peakRunning}), ` +
    `peak containers ${m.peakInFlight}/${concurrencyCap(local.settings.actions)}; ` +
    `${local.pools.actions.containers} containers started`,
);
runtime.clients.sqs.destroy();
runtime.clients.dynamodb.destroy();
await local.stop('demo done');
