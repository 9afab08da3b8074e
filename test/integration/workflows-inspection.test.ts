// Orquesta's inspection through the workflows handler: a workflow with problems fails at start,
// before any task runs, with one error per problem as st2 records them (st2's
// st2tests/integration/orquesta/test_wiring_error_handling.py: test_inspection_error,
// test_task_content_errors), on our equivalents of st2's examples in test/fixtures/packs/st2_examples.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useFunctions } from '../helpers/functions.ts';
import { useSubstrate } from '../helpers/substrate.ts';
import { FAIL_INSPECTION_RESULT, TASK_CONTENTS_RESULT } from '../fixtures/st2-inspection-results.ts';

const PACKS = fileURLToPath(new URL('../fixtures/packs', import.meta.url));
const substrate = useSubstrate({ env: { ACTIONRUNNER_PACKS_PATH: PACKS } });
const functions = useFunctions(substrate);

describe('a workflow that fails inspection', () => {
  it('fails at start with its content, context, expression and syntax errors, sorted as st2 sorts them', async () => {
    const execution = await functions.run('st2_examples.orquesta-fail-inspection');
    expect(execution.status).toBe('failed');
    expect(execution.result).toEqual(FAIL_INSPECTION_RESULT);
    expect(execution.error).toMatch(/^invalid workflow: .*orquesta-fail-inspection\.yaml - content error at tasks\.third\.action: The action "std\.noop"/);
    expect(await functions.runtime.store.list({ parent: execution.id })).toEqual([]);
  });

  it('fails at start on a malformed action reference, an unregistered action, a missing required input and an unexpected one', async () => {
    const execution = await functions.run('st2_examples.orquesta-fail-inspection-task-contents');
    expect(execution.status).toBe('failed');
    expect(execution.result).toEqual(TASK_CONTENTS_RESULT);
  });
});
