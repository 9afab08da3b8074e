import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadActions } from '../../../src/actions/index.ts';
import { parsePolicyMetadata } from '../../../src/policies/index.ts';
import { PacksFixture } from '../actions/pack-fixture.ts';

const echo = 'name: echo\nrunner_type: local-shell-cmd\nparameters:\n  cmd:\n    default: echo hi\n';

describe('policies in packs', () => {
  let fixture: PacksFixture;
  beforeEach(() => (fixture = new PacksFixture()));
  afterEach(() => fixture.remove());
  const load = () => loadActions({ packsDir: null, packsPaths: [fixture.dir] });

  it("loads st2's policy files with each type's defaults", () => {
    fixture.pack('p', {
      'actions/echo.yaml': echo,
      'policies/concurrency.yaml':
        'name: echo.concurrency\npack: p\ndescription: two at a time\nenabled: true\nresource_ref: p.echo\npolicy_type: action.concurrency\nparameters:\n  threshold: 2\n',
      'policies/by-host.yaml':
        'name: by-host\nresource_ref: p.echo\npolicy_type: action.concurrency.attr\nparameters:\n  threshold: 1\n  action: cancel\n  attributes: [host]\n',
      'policies/retry.yml': 'name: echo.retry\nresource_ref: p.echo\npolicy_type: action.retry\nparameters:\n  retry_on: timeout\n',
    });
    const policies = load().policies!();
    expect(policies.listUnavailable()).toEqual([]);
    expect(policies.list().map((p) => [p.ref, p.policy_type, p.parameters])).toEqual([
      ['p.by-host', 'action.concurrency.attr', { threshold: 1, action: 'cancel', attributes: ['host'] }],
      ['p.echo.concurrency', 'action.concurrency', { threshold: 2, action: 'delay', attributes: [] }],
      ['p.echo.retry', 'action.retry', { retry_on: 'timeout', max_retry_count: 2, delay: 0 }],
    ]);
    expect(policies.list()[1]).toMatchObject({ pack: 'p', description: 'two at a time', enabled: true, resource_ref: 'p.echo' });
    const applying = policies.forAction('p.echo');
    expect(applying.concurrency.map((p) => p.ref)).toEqual(['p.by-host', 'p.echo.concurrency']);
    expect(applying.retry.map((p) => p.ref)).toEqual(['p.echo.retry']);
    expect(policies.forAction('p.other')).toEqual({ concurrency: [], retry: [] });
  });

  it('lists a disabled policy but never applies it', () => {
    fixture.pack('p', {
      'actions/echo.yaml': echo,
      // (`name: off` would be the boolean false, as PyYAML reads it.)
      'policies/off.yaml': 'name: stopped\nenabled: false\nresource_ref: p.echo\npolicy_type: action.concurrency\nparameters: { threshold: 1 }\n',
    });
    const policies = load().policies!();
    expect(policies.list().map((p) => [p.ref, p.enabled])).toEqual([['p.stopped', false]]);
    expect(policies.forAction('p.echo').concurrency).toEqual([]);
  });

  it("reports a bad policy file with its file and field, and keeps the pack's actions and other policies", () => {
    fixture.pack('p', {
      'actions/echo.yaml': echo,
      'policies/bad.yaml': 'name: bad\nresource_ref: p.echo\npolicy_type: action.concurrency\nparameters: { threshold: two }\n',
      'policies/broken.yaml': 'name: [unclosed\n',
      'policies/good.yaml': 'name: good\nresource_ref: p.echo\npolicy_type: action.retry\nparameters: { retry_on: failure }\n',
    });
    const catalog = load();
    expect(catalog.get('p.echo')?.ref).toBe('p.echo');
    expect(catalog.listUnavailable()).toEqual([]);
    const policies = catalog.policies!();
    expect(policies.list().map((p) => p.ref)).toEqual(['p.good']);
    const [bad, broken] = policies.listUnavailable();
    expect(bad).toEqual({
      ref: 'p.bad',
      file: fixture.file('p', 'policies/bad.yaml'),
      field: 'parameters.threshold',
      reason: `invalid policy metadata: ${fixture.file('p', 'policies/bad.yaml')} - field "parameters.threshold": expected an integer >= 1 (required), got "two"`,
    });
    expect(broken).toMatchObject({ ref: 'p.broken', file: fixture.file('p', 'policies/broken.yaml') });
    expect(broken.reason).toMatch(/^invalid policy metadata: .*broken\.yaml - not valid YAML: /);
  });

  it('refuses two policy files of one name (both)', () => {
    const policy = 'name: twice\nresource_ref: p.echo\npolicy_type: action.concurrency\nparameters: { threshold: 1 }\n';
    fixture.pack('p', { 'actions/echo.yaml': echo, 'policies/a.yaml': policy, 'policies/b.yaml': policy });
    const policies = load().policies!();
    expect(policies.list()).toEqual([]);
    expect(policies.listUnavailable()).toEqual([expect.objectContaining({ ref: 'p.twice', field: 'name', reason: expect.stringContaining('is defined in') })]);
  });
});

describe('parsePolicyMetadata: each bad field says what was expected and what was given', () => {
  const file = '/packs/p/policies/x.yaml';
  const base = { name: 'x', resource_ref: 'p.echo', policy_type: 'action.concurrency', parameters: { threshold: 1 } };
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['not a mapping', [] as unknown as Record<string, unknown>, `invalid policy metadata: ${file} - expected a mapping of policy fields, got []`],
    ['unknown field', { ...base, tresholds: 1 }, 'field "tresholds": unknown field - expected one of'],
    ['missing name', { ...base, name: undefined }, 'field "name": expected a name of letters, digits, "_", "-" or "." (required), got nothing'],
    ['other pack', { ...base, pack: 'q' }, 'field "pack": expected "p" (the pack the file is in), got "q"'],
    ['enabled', { ...base, enabled: 'yes' }, 'field "enabled": expected true or false, got "yes"'],
    ['resource_ref', { ...base, resource_ref: 'echo' }, 'field "resource_ref": expected an action ref "pack.name" (required), got "echo"'],
    [
      'policy_type',
      { ...base, policy_type: 'action.throttle' },
      'field "policy_type": expected one of action.concurrency, action.concurrency.attr, action.retry, got "action.throttle"',
    ],
    ['threshold 0', { ...base, parameters: { threshold: 0 } }, 'field "parameters.threshold": expected an integer >= 1 (required), got 0'],
    ['action', { ...base, parameters: { threshold: 1, action: 'drop' } }, 'field "parameters.action": expected "delay" or "cancel", got "drop"'],
    ['attributes on plain concurrency', { ...base, parameters: { threshold: 1, attributes: ['host'] } }, 'field "parameters.attributes": unknown field'],
    [
      'attributes',
      { ...base, policy_type: 'action.concurrency.attr', parameters: { threshold: 1, attributes: ['host', 'host'] } },
      'field "parameters.attributes": expected a list of distinct parameter names, got ["host","host"]',
    ],
    [
      'retry_on',
      { ...base, policy_type: 'action.retry', parameters: {} },
      'field "parameters.retry_on": expected "failure" or "timeout" (required), got nothing',
    ],
    [
      'max_retry_count',
      { ...base, policy_type: 'action.retry', parameters: { retry_on: 'failure', max_retry_count: 9 } },
      'field "parameters.max_retry_count": expected an integer from 1 to 5, got 9',
    ],
    [
      'delay',
      { ...base, policy_type: 'action.retry', parameters: { retry_on: 'failure', delay: -1 } },
      'field "parameters.delay": expected seconds from 0 to 120, got -1',
    ],
  ];
  it.each(cases)('%s', (_label, raw, message) => {
    expect(() => parsePolicyMetadata(raw, { file, pack: 'p' })).toThrow(message);
  });
});
