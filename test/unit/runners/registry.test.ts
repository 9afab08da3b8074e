import { describe, expect, it } from 'vitest';
import { getRunner, RUNNER_NAMES } from '../../../src/runners/index.ts';
import { action, request } from './helpers.ts';

describe('runner registry', () => {
  it('has a runner for every name', () => {
    for (const name of RUNNER_NAMES) expect(getRunner(name).name).toBe(name);
  });

  it('rejects unknown runners and orquesta with clear messages', () => {
    expect(() => getRunner('action-chain')).toThrow('unknown runner: action-chain - expected one of local-shell-cmd, local-shell-script, python-script, node-script, noop');
    expect(() => getRunner('orquesta')).toThrow('unsupported runner: orquesta - workflows run in the workflow engine');
  });

  it('noop succeeds with st2\'s result', async () => {
    const outcome = await getRunner('noop').run(request(action('noop'), {}));
    expect(outcome).toEqual({ status: 'succeeded', result: { failed: false, succeeded: true, return_code: 0, stdout: '', stderr: '' } });
  });
});
