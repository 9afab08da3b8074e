import { readdirSync } from 'node:fs';
// An Exchange-style pack (test/fixtures/packs/exchange_style, written for these tests): the metadata
// shapes of popular StackStorm Exchange packs (aws, pagerduty, ansible, github) load and resolve as st2
// accepts them; an action of a runner this bundle lacks is listed unavailable, alone.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { actionContext, loadActions, resolveParameters } from '../../../src/actions/index.ts';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/packs');
const catalog = loadActions({ packsDir: null, packsPaths: [fixtures], packs: ['exchange_style'] });
const errorOf = (fn: () => unknown): Error => {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
};

describe('an Exchange-style pack', () => {
  it('loads every action whose runner exists here', () => {
    expect(catalog.list().map((a) => a.ref)).toEqual([
      'exchange_style.chain',
      'exchange_style.create_deployment',
      'exchange_style.create_escalation_policy',
      'exchange_style.describe_instances',
      'exchange_style.playbook',
      'exchange_style.remote',
      'exchange_style.tag_resource',
    ]);
  });

  it('lists the actions of st2 runners it lacks as unavailable, naming the runner', () => {
    const unavailable = catalog.listUnavailable();
    expect(unavailable.map((u) => [u.ref, u.field])).toEqual([['exchange_style.winrm', 'runner_type']]);
    expect(errorOf(() => catalog.getRunnable('exchange_style.winrm')).message).toMatch(
      /^action unavailable: exchange_style.winrm - invalid action metadata: .*winrm.yaml - field "runner_type": runner "winrm-ps-cmd" is an st2 runner/,
    );
  });

  it('takes null for optional fields as absent: description, enabled, tags, output_schema, a parameter description', () => {
    const action = catalog.getRunnable('exchange_style.describe_instances');
    expect(action.description).toBe('');
    expect(action.enabled).toBe(true);
    expect(action.tags).toBeUndefined();
    expect(action.parameters.headers).toEqual({ type: 'string' });
    expect(catalog.getRunnable('exchange_style.tag_resource').enabled).toBe(true);
  });

  describe('draft-3 required inside nested properties (pagerduty)', () => {
    const action = catalog.getRunnable('exchange_style.create_escalation_policy');
    const rule = { escalation_delay_in_minutes: 30, targets: [{ id: 'P1', type: 'user' }] };

    it('accepts a complete value, a property with a default counting as given', () => {
      const { values } = resolveParameters(action, { from_email: 'a@b.c', data: { name: 'p', escalation_rules: [rule] } });
      expect(values.data).toEqual({ name: 'p', escalation_rules: [rule] });
    });

    it('refuses a nested object missing a required property, saying where', () => {
      expect(errorOf(() => resolveParameters(action, { from_email: 'a@b.c', data: { escalation_rules: [rule] } })).message).toBe(
        `invalid parameter: data - value must have required property 'name', got ${JSON.stringify({ escalation_rules: [rule] })}`,
      );
      const noId = { escalation_delay_in_minutes: 1, targets: [{ type: 'user' }] };
      expect(errorOf(() => resolveParameters(action, { from_email: 'a@b.c', data: { name: 'p', escalation_rules: [noId] } })).message).toMatch(
        /^invalid parameter: data - value at \/escalation_rules\/0\/targets\/0 must have required property 'id'/,
      );
    });

    it('does not require what says required: false', () => {
      const noType = { escalation_delay_in_minutes: 1, targets: [{ id: 'x' }] };
      expect(() => resolveParameters(action, { from_email: 'a@b.c', data: { name: 'p', escalation_rules: [noType] } })).not.toThrow();
    });
  });

  describe('defaults that read action_context', () => {
    it("a top-level execution: st2's system user, the action's own pack, no parent, no api_user", () => {
      const { values } = resolveParameters(catalog.getRunnable('exchange_style.playbook'), {});
      expect(values.cwd).toBe('/tmp/exchange_style');
      expect(values.cmd).toBe('echo "playbook=${ST2_ARG_1} pack=${ST2_ARG_2} user=${ST2_ARG_3} cwd=$PWD"');
      const deployment = resolveParameters(catalog.getRunnable('exchange_style.create_deployment'), { repository: 'r' });
      expect(deployment.values.api_user).toBe('stanley');
    });

    it("a workflow's task: the parent workflow's pack and execution id, the requester's user", () => {
      const action = catalog.getRunnable('exchange_style.playbook');
      const context = actionContext(action, { parent: '01WF', parentAction: 'ops.deploy', task: 'run', user: 'ada' });
      expect(context).toEqual({
        user: 'ada',
        pack: 'exchange_style',
        parent: { execution_id: '01WF', user: 'ada', pack: 'ops' },
        orquesta: { workflow_execution_id: '01WF', task_name: 'run', task_id: 'run' },
      });
      const { values, commandEnv } = resolveParameters(action, { playbook: 'x.yml' }, { actionContext: context });
      expect(values.cwd).toBe('/tmp/ops');
      expect(commandEnv).toEqual({ ST2_ARG_1: 'x.yml', ST2_ARG_2: 'exchange_style', ST2_ARG_3: 'ada' });
    });

  });
});

it('the st2_examples fixture pack (our equivalents of st2 example workflows) loads whole', () => {
  const examples = loadActions({ packsDir: null, packsPaths: [fixtures], packs: ['st2_examples'] });
  expect(examples.listUnavailable()).toEqual([]);
  const metadataFiles = readdirSync(path.join(fixtures, 'st2_examples', 'actions')).filter((name) => name.endsWith('.yaml'));
  expect(examples.list()).toHaveLength(metadataFiles.length);
});
