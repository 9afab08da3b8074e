// Orquesta's inspection through the workflows handler: a workflow with problems fails at start,
// before any task runs, with one error per problem as st2 records them (st2's
// st2tests/integration/orquesta/test_wiring_error_handling.py: test_inspection_error,
// test_task_content_errors), on our equivalents of st2's examples in test/fixtures/packs/st2_examples.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useFunctions } from '../helpers/functions.ts';
import { useSubstrate } from '../helpers/substrate.ts';

const PACKS = fileURLToPath(new URL('../fixtures/packs', import.meta.url));
const substrate = useSubstrate({ env: { ACTIONRUNNER_PACKS_PATH: PACKS } });
const functions = useFunctions(substrate);

const TASK = String.raw`properties.tasks.patternProperties.^\w+$`;

describe('a workflow that fails inspection', () => {
  it('fails at start with its content, context, expression and syntax errors, sorted as st2 sorts them', async () => {
    const execution = await functions.run('st2_examples.orquesta-fail-inspection');
    expect(execution.status).toBe('failed');
    expect(execution.result).toEqual({
      errors: [
        {
          type: 'content',
          message: 'The action "std.noop" is not registered in the database.',
          schema_path: `${TASK}.properties.action`,
          spec_path: 'tasks.third.action',
        },
        {
          type: 'context',
          language: 'yaql',
          expression: '<% ctx().undefined_here %>',
          message: 'Variable "undefined_here" is referenced before assignment.',
          schema_path: `${TASK}.properties.input`,
          spec_path: 'tasks.first.input',
        },
        {
          type: 'expression',
          language: 'yaql',
          expression: '<% <% succeeded() %>',
          message: "Parse error: unexpected '<' at position 0 of expression '<% succeeded()'",
          schema_path: `${TASK}.properties.next.items.properties.when`,
          spec_path: 'tasks.second.next[0].when',
        },
        {
          type: 'syntax',
          message: "[{'cmd': 'echo <% ctx().greeting %>'}] is not valid under any of the given schemas",
          schema_path: `${TASK}.properties.input.oneOf`,
          spec_path: 'tasks.second.input',
        },
      ],
      output: null,
    });
    expect(execution.error).toMatch(/^invalid workflow: .*orquesta-fail-inspection\.yaml - content error at tasks\.third\.action: The action "std\.noop"/);
    expect(await functions.runtime.store.list({ parent: execution.id })).toEqual([]);
  });

  it('fails at start on a malformed action reference, an unregistered action, a missing required input and an unexpected one', async () => {
    const execution = await functions.run('st2_examples.orquesta-fail-inspection-task-contents');
    expect(execution.status).toBe('failed');
    expect(execution.result).toEqual({
      errors: [
        {
          type: 'content',
          message: 'The action reference "echo" is not formatted correctly.',
          schema_path: `${TASK}.properties.action`,
          spec_path: 'tasks.ask.action',
        },
        {
          type: 'content',
          message: 'The action "core.echoz" is not registered in the database.',
          schema_path: `${TASK}.properties.action`,
          spec_path: 'tasks.answer.action',
        },
        {
          type: 'content',
          message: 'Action "core.echo" is missing required input "message".',
          schema_path: `${TASK}.properties.input`,
          spec_path: 'tasks.repeat.input',
        },
        {
          type: 'content',
          message: 'Action "core.echo" has unexpected input "messages".',
          schema_path: `${TASK}.properties.input.patternProperties.^\\w+$`,
          spec_path: 'tasks.repeat.input.messages',
        },
      ],
      output: null,
    });
  });
});
