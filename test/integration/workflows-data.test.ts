// What users and actions supply is data, end to end: functions/workflows.ts and
// functions/actions.ts fed by event source mappings over the SQS emulator, state in DynamoDB
// Local, real child processes. (The pentest: a member named "{{ 7*7 }}" was greeted as 49.)
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Execution } from '../../src/model/execution.ts';
import { useFunctions } from '../helpers/functions.ts';
import { useSubstrate } from '../helpers/substrate.ts';

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
// Set before the functions load: a template that reached process.env would find it.
beforeAll(() => void (process.env.HOSTILE_CANARY_SECRET = SECRET));
const functions = useFunctions(substrate);
const runWorkflow = (action: string, parameters: Record<string, unknown> = {}) => functions.run(action, parameters);

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
