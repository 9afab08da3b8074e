// What users and actions supply is data, end to end: functions/workflows.ts and
// functions/actions.ts fed by event source mappings over the SQS emulator, state in DynamoDB
// Local, real child processes. (The pentest: a member named "{{ 7*7 }}" was greeted as 49.)
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type Runtime } from '../../src/dispatch/runtime.ts';
import { createLogger } from '../../src/log/index.ts';
import { EventSourceMapping } from '../../src/local/event-source-mapping.ts';
import { isTerminal } from '../../src/model/status.ts';
import type { Execution } from '../../src/model/execution.ts';
import { eventually, useSubstrate } from '../helpers/substrate.ts';

const HOSTILE = '{{ range.constructor("return process.env.HOSTILE_CANARY_SECRET")() }}';
const SECRET = 'integration-canary-secret';

// A task that prints a template: printf's octal escapes write the braces, so the workflow's
// own text (which the engine evaluates) holds no expression.
const packs = mkdtempSync(join(tmpdir(), 'wf-data-packs-'));
const actions = join(packs, 'wfdata', 'actions');
mkdirSync(join(actions, 'workflows'), { recursive: true });
writeFileSync(join(actions, 'speak.yaml'), 'name: speak\nrunner_type: orquesta\nentry_point: workflows/speak.yaml\n');
writeFileSync(
  join(actions, 'workflows', 'speak.yaml'),
  stringify({
    version: '1.0',
    tasks: {
      speak: {
        action: 'core.local',
        input: { cmd: String.raw`printf '\173\173 range.constructor("return process.env.HOSTILE_CANARY_SECRET")() \175\175'` },
        next: [{ when: '<% succeeded() %>', publish: [{ yaql: '<% result().stdout %>' }, { jinja: '{{ result().stdout }}' }] }],
      },
    },
    output: [{ yaql: '<% ctx(yaql) %>' }, { jinja: '{{ ctx("jinja") }}' }, { text: 'said: {{ ctx("jinja") }}' }],
  }),
);

const substrate = useSubstrate({ env: { ACTIONRUNNER_PACKS_PATH: packs } });
let runtime: Runtime;
let mappings: EventSourceMapping[];

beforeAll(async () => {
  Object.assign(process.env, substrate.env, { HOSTILE_CANARY_SECRET: SECRET });
  const log = createLogger({}, 'warn');
  const { handler: actionsHandler } = await import('../../functions/actions.ts');
  const { handler: workflowsHandler } = await import('../../functions/workflows.ts');
  runtime = createRuntime({ config: substrate.config, clients: substrate.clients, log });
  const mapping = (queue: 'actions' | 'workflows', handler: typeof actionsHandler) =>
    new EventSourceMapping({
      sqs: substrate.clients.sqs,
      queueUrl: substrate.queueUrls[queue],
      functionName: queue,
      handler,
      log,
      maxConcurrency: 4,
      pollWaitSeconds: 1,
      functionTimeoutMs: 120_000,
    });
  mappings = [mapping('workflows', workflowsHandler), mapping('actions', actionsHandler)];
  mappings.forEach((m) => m.start());
});

afterAll(async () => {
  await Promise.all(mappings.map((m) => m.stop()));
});

async function runWorkflow(action: string, parameters: Record<string, unknown> = {}): Promise<Execution> {
  const { execution } = await runtime.service.request({ action, parameters });
  return eventually(
    async () => {
      const current = (await runtime.store.get(execution.id))!;
      expect(isTerminal(current.status), `${execution.id} is ${current.status}`).toBe(true);
      return current;
    },
    { timeoutMs: 30_000, intervalMs: 100 },
  );
}

const output = (execution: Execution) => (execution.result as { output?: Record<string, unknown> }).output;

describe('user input and action output are data through the workflows handler', () => {
  it('members=["{{ 7*7 }}", ...] greets the literal text', async () => {
    const members = ['{{ 7*7 }}', HOSTILE, '<% 7*7 %>'];
    const execution = await runWorkflow('examples.orquesta-with-items', { members });
    expect(execution.status).toBe('succeeded');
    expect(output(execution)).toEqual({ items: members.map((m) => `${m}, resistance is futile!`) });
    expect(JSON.stringify(execution)).not.toContain(SECRET);
  });

  it('a template printed by a task and published with result().stdout stays literal', async () => {
    const execution = await runWorkflow('wfdata.speak');
    expect(execution.status).toBe('succeeded');
    expect(output(execution)).toEqual({ yaql: HOSTILE, jinja: HOSTILE, text: `said: ${HOSTILE}` });
    expect(JSON.stringify(execution)).not.toContain(SECRET);
  });
});
