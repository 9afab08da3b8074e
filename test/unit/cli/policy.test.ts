import pc from 'picocolors';
import { describe, expect, it } from 'vitest';
import { parsePolicyMetadata, PolicyCatalog } from '../../../src/policies/index.ts';
import { policyRows, policyTable } from '../../../src/cli/commands/policy.ts';

const c = pc.createColors(false);
const policy = (pack: string, raw: Record<string, unknown>) => parsePolicyMetadata(raw, { file: `/packs/${pack}/policies/${String(raw.name)}.yaml`, pack });
const catalog = new PolicyCatalog(
  [
    policy('ops', {
      name: 'deploy.one-per-host',
      resource_ref: 'ops.deploy',
      policy_type: 'action.concurrency.attr',
      parameters: { threshold: 1, attributes: ['host'] },
    }),
    policy('ops', { name: 'deploy.retry', resource_ref: 'ops.deploy', policy_type: 'action.retry', enabled: false, parameters: { retry_on: 'failure' } }),
    policy('web', { name: 'http.retry', resource_ref: 'core.http', policy_type: 'action.retry', parameters: { retry_on: 'timeout', delay: 2 } }),
  ],
  [
    {
      ref: 'ops.bad',
      file: '/packs/ops/policies/bad.yaml',
      field: 'policy_type',
      reason: 'invalid policy metadata: /packs/ops/policies/bad.yaml - field "policy_type": ...',
    },
  ],
);

describe('policy list', () => {
  it("prints st2's columns, unavailable policies with their reason", () => {
    expect(policyTable(policyRows(catalog, {}, c), c).split('\n')).toEqual([
      'REF                      RESOURCE_REF  POLICY_TYPE              ENABLED',
      'ops.bad (unavailable)                                           invalid policy metadata: /packs/ops/policies/bad.yaml - field "policy_type": ...',
      'ops.deploy.one-per-host  ops.deploy    action.concurrency.attr  true',
      'ops.deploy.retry         ops.deploy    action.retry             false',
      'web.http.retry           core.http     action.retry             true',
    ]);
  });

  it('filters by --pack and --resource-ref', () => {
    expect(policyRows(catalog, { pack: 'web' }, c).map((row) => row.ref)).toEqual(['web.http.retry']);
    expect(policyRows(catalog, { resourceRef: 'ops.deploy' }, c).map((row) => row.ref)).toEqual(['ops.deploy.one-per-host', 'ops.deploy.retry']);
    expect(policyTable(policyRows(catalog, { pack: 'none' }, c), c)).toBe('(no policies)');
  });

  it('--json documents: the policy with its parameters and file, or why it is unavailable', () => {
    const docs = policyRows(catalog, { pack: 'ops' }, c).map((row) => row.document);
    expect(docs[0]).toEqual({ ref: 'ops.bad', available: false, reason: expect.any(String), file: '/packs/ops/policies/bad.yaml', field: 'policy_type' });
    expect(docs[1]).toEqual({
      ref: 'ops.deploy.one-per-host',
      pack: 'ops',
      name: 'deploy.one-per-host',
      description: '',
      enabled: true,
      resource_ref: 'ops.deploy',
      policy_type: 'action.concurrency.attr',
      parameters: { threshold: 1, action: 'delay', attributes: ['host'] },
      metadata_file: '/packs/ops/policies/deploy.one-per-host.yaml',
    });
  });
});
