import { describe, expect, it } from 'vitest';
import { RUNNER_PARAMETERS, canonicalRunnerType, isWorkflowRunner, runnerParameters } from '../../../src/actions/index.ts';

describe('runner parameters', () => {
  it('has st2 defaults for the local shell runners', () => {
    const cmd = runnerParameters('local-shell-cmd');
    expect(cmd.cmd.type).toBe('string');
    expect(cmd.kwarg_op.default).toBe('--');
    expect(cmd.sudo.default).toBe(false);
    expect(cmd.sudo_password.secret).toBe(true);
    expect(cmd.timeout).toMatchObject({ type: 'integer', default: 60 });
    expect(cmd.env.type).toBe('object');
    expect(Object.keys(runnerParameters('local-shell-script'))).not.toContain('cmd');
    expect(runnerParameters('local-shell-script').timeout.default).toBe(60);
  });

  it('has python-script, node-script, noop and orquesta', () => {
    expect(runnerParameters('python-script').timeout.default).toBe(600);
    expect(runnerParameters('python-script').log_level.enum).toContain('DEBUG');
    expect(runnerParameters('node-script').timeout.default).toBe(60);
    expect(runnerParameters('noop')).toEqual({});
    expect(runnerParameters('orquesta')).toEqual({});
  });

  it('returns copies, accepts st2 aliases and rejects unknown runners', () => {
    runnerParameters('local-shell-cmd').timeout.default = 1;
    expect(RUNNER_PARAMETERS['local-shell-cmd'].timeout.default).toBe(60);
    expect(canonicalRunnerType('run-local')).toBe('local-shell-cmd');
    expect(() => runnerParameters('bogus')).toThrow('unknown runner: bogus - expected one of local-shell-cmd');
  });

  it('knows workflow runners', () => {
    expect(isWorkflowRunner('orquesta')).toBe(true);
    expect(isWorkflowRunner('action-chain')).toBe(true);
    expect(isWorkflowRunner('local-shell-cmd')).toBe(false);
    expect(isWorkflowRunner('noop')).toBe(false);
  });
});
