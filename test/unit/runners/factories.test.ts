import { describe, expect, it } from 'vitest';
import { ACTION_RUNNER_NAMES, createRunners, getRunner } from '../../../src/runners/index.ts';
import { action, request } from './helpers.ts';

describe('runner factories', () => {
  it('builds a runner for every runner of the actions function', () => {
    for (const name of ACTION_RUNNER_NAMES) expect(getRunner(name).name).toBe(name);
    const runners = createRunners();
    expect([...runners.keys()]).toEqual(ACTION_RUNNER_NAMES);
    for (const [name, runner] of runners) expect(runner.name).toBe(name);
  });

  it('rejects unknown runners and workflow runners with clear messages', () => {
    expect(() => getRunner('mistral-v2')).toThrow(
      'unknown runner: mistral-v2 - expected one of local-shell-cmd, local-shell-script, python-script, node-script, remote-shell-cmd, remote-shell-script, noop, http-request, action-chain',
    );
    expect(() => getRunner('orquesta')).toThrow('unsupported runner: orquesta - workflows run in the workflow engine');
    expect(() => getRunner('toString')).toThrow('unknown runner: toString');
  });

  it("noop succeeds with st2's result", async () => {
    const outcome = await getRunner('noop').run(request(action('noop'), {}));
    expect(outcome).toEqual({ status: 'succeeded', result: { failed: false, succeeded: true, return_code: 0, stdout: '', stderr: '' } });
  });
});
