import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadActions } from '../../../src/actions/index.ts';
import {
  ACTION_RUNNER_NAMES,
  RUNNERS,
  RUNNER_ALIASES,
  RUNNER_FACTORIES,
  RUNNER_TYPES,
  canonicalRunnerType,
  getRunner,
  isWorkflowRunner,
  runnerParameterNames,
  runnerParameters,
} from '../../../src/runners/index.ts';
import { PacksFixture } from '../actions/pack-fixture.ts';

describe('runner registry: parameters', () => {
  it('has st2 defaults for the local shell runners', () => {
    const cmd = runnerParameters('local-shell-cmd');
    expect(cmd.cmd.type).toBe('string');
    expect(cmd.kwarg_op.default).toBe('--');
    expect(cmd.sudo.default).toBe(false);
    expect(cmd.sudo_password.secret).toBe(true);
    expect(cmd.timeout).toMatchObject({ type: 'integer', default: 60 });
    expect(cmd.env.type).toBe('object');
    expect(runnerParameterNames('local-shell-script')).toEqual(['debug', 'cwd', 'env', 'kwarg_op', 'sudo', 'sudo_password', 'timeout']);
    expect(runnerParameters('local-shell-script').timeout.default).toBe(60);
  });

  it('has python-script, node-script (both with our cwd), noop and orquesta', () => {
    expect(runnerParameters('python-script').timeout.default).toBe(600);
    expect(runnerParameters('python-script').log_level.enum).toContain('DEBUG');
    expect(runnerParameterNames('python-script')).toEqual(['debug', 'cwd', 'env', 'timeout', 'log_level']);
    expect(runnerParameterNames('node-script')).toEqual(['cwd', 'env', 'timeout']);
    expect(runnerParameters('node-script').timeout.default).toBe(60);
    expect(runnerParameters('noop')).toEqual({});
    expect(runnerParameters('orquesta')).toEqual({});
  });

  it('returns copies, accepts st2 aliases and rejects unknown runners', () => {
    runnerParameters('local-shell-cmd').timeout.default = 1;
    expect(runnerParameters('local-shell-cmd').timeout.default).toBe(60);
    expect(canonicalRunnerType('run-local')).toBe('local-shell-cmd');
    expect(canonicalRunnerType('constructor')).toBeUndefined();
    expect(() => runnerParameters('bogus')).toThrow('unknown runner: bogus - expected one of local-shell-cmd');
    expect(runnerParameterNames('bogus')).toEqual([]);
  });

  it('knows workflow runners: orquesta (and its alias); action-chain is not a runner here', () => {
    expect(isWorkflowRunner('orquesta')).toBe(true);
    expect(isWorkflowRunner('orchestra')).toBe(true);
    expect(isWorkflowRunner('action-chain')).toBe(false);
    expect(isWorkflowRunner('local-shell-cmd')).toBe(false);
    expect(isWorkflowRunner('noop')).toBe(false);
  });
});

describe('runner registry: self-consistency', () => {
  it('every runner of the actions function has a factory, workflow runners have none', () => {
    expect(Object.keys(RUNNER_FACTORIES).sort()).toEqual([...ACTION_RUNNER_NAMES].sort());
    // The inquirer runs no process: the dispatcher takes its executions itself (src/dispatch/inquiry.ts).
    expect(ACTION_RUNNER_NAMES).toEqual(RUNNER_TYPES.filter((name) => !isWorkflowRunner(name) && name !== 'inquirer'));
    expect(Object.hasOwn(RUNNER_FACTORIES, 'inquirer')).toBe(false);
    for (const name of RUNNER_TYPES.filter(isWorkflowRunner)) {
      expect(Object.hasOwn(RUNNER_FACTORIES, name)).toBe(false);
      expect(() => getRunner(name)).toThrow(`unsupported runner: ${name}`);
    }
  });

  it('every alias points at a registered runner and is not itself a runner name', () => {
    for (const [alias, name] of Object.entries(RUNNER_ALIASES)) {
      expect(RUNNER_TYPES).toContain(name);
      expect(RUNNER_TYPES).not.toContain(alias);
      expect(isWorkflowRunner(alias)).toBe(isWorkflowRunner(name));
    }
  });

  it('shell command parameters are runner parameters of a runner that renders a command', () => {
    for (const name of RUNNER_TYPES) {
      const spec = RUNNERS[name];
      const shell: readonly string[] = 'shellCommandParameters' in spec ? spec.shellCommandParameters : [];
      expect(shell.length > 0).toBe(spec.passing === 'command');
      for (const param of shell) expect(Object.keys(spec.parameters)).toContain(param);
    }
  });
});

describe('runner registry: what the loader accepts', () => {
  let packs: PacksFixture;
  beforeEach(() => {
    packs = new PacksFixture();
  });
  afterEach(() => packs.remove());

  it('requires an entry point exactly for the runners the registry says need one', () => {
    const files: Record<string, string> = {};
    for (const name of RUNNER_TYPES) files[`actions/${name}.yaml`] = `name: ${name}\nrunner_type: ${name}\n`;
    packs.pack('x', files);
    const catalog = loadActions({ packsDir: null, packsPaths: [packs.dir] });
    for (const name of RUNNER_TYPES) {
      const problem = catalog.unavailable(`x.${name}`);
      expect({ name, refused: problem?.field === 'entry_point' }).toEqual({ name, refused: RUNNERS[name].entryPoint });
      if (!RUNNERS[name].entryPoint) expect(catalog.get(`x.${name}`)?.runner_type).toBe(name);
    }
  });

  it('loads actions of every alias as their runner, and refuses an unknown runner', () => {
    const files: Record<string, string> = { 'actions/chain.yaml': 'name: chain\nrunner_type: mistral-v2\nentry_point: chain.yaml\n' };
    for (const alias of Object.keys(RUNNER_ALIASES)) files[`actions/${alias}.yaml`] = `name: ${alias}\nrunner_type: ${alias}\nentry_point: entry.txt\n`;
    files['actions/entry.txt'] = 'x';
    packs.pack('x', files);
    const catalog = loadActions({ packsDir: null, packsPaths: [packs.dir] });
    for (const [alias, name] of Object.entries(RUNNER_ALIASES)) {
      expect(catalog.unavailable(`x.${alias}`)).toBeUndefined();
      expect(catalog.get(`x.${alias}`)?.runner_type).toBe(name);
    }
    expect(catalog.unavailable('x.chain')).toMatchObject({ field: 'runner_type' });
  });
});
