import { loadConfig } from '../../../src/config/index.ts';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCfnYaml, resolveValue, resourceDefinition, SERVERLESS_FILE } from '../../../src/resources/index.ts';
import { CHILD_ATTRIBUTES, LISTING_ATTRIBUTES } from '../../../src/store/keys.ts';

describe('resourceDefinition', () => {
  const dev = resourceDefinition('dev');

  it('normalizes the queues of serverless.yml, each with its DLQ', () => {
    expect(dev.service).toBe('lambda-actionrunner');
    expect(dev.queues).toEqual([
      {
        logicalId: 'WorkflowsQueue',
        name: 'lambda-actionrunner-dev-workflows',
        key: 'workflows',
        visibilityTimeout: 360,
        retention: 345600,
        dlq: { logicalId: 'WorkflowsDLQ', name: 'lambda-actionrunner-dev-workflows-dlq', retention: 1209600, maxReceiveCount: 5 },
      },
      {
        logicalId: 'ActionsQueue',
        name: 'lambda-actionrunner-dev-actions',
        key: 'actions',
        visibilityTimeout: 5401,
        retention: 345600,
        dlq: { logicalId: 'ActionsDLQ', name: 'lambda-actionrunner-dev-actions-dlq', retention: 1209600, maxReceiveCount: 5 },
      },
    ]);
  });

  it('normalizes the tables: keys, GSIs, TTL', () => {
    const [executions, output] = dev.tables;
    expect(executions).toEqual({
      logicalId: 'ExecutionsTable',
      name: 'lambda-actionrunner-dev-executions',
      key: 'executions',
      billingMode: 'PAY_PER_REQUEST',
      keys: { partition: { name: 'id', type: 'S' } },
      gsis: [
        {
          name: 'byTime',
          keys: { partition: { name: 'listKey', type: 'S' }, sort: { name: 'id', type: 'S' } },
          projection: 'INCLUDE',
          nonKeyAttributes: [...LISTING_ATTRIBUTES],
        },
        {
          name: 'byParent',
          keys: { partition: { name: 'parent', type: 'S' }, sort: { name: 'id', type: 'S' } },
          projection: 'INCLUDE',
          nonKeyAttributes: CHILD_ATTRIBUTES,
        },
        { name: 'byOpen', keys: { partition: { name: 'open', type: 'S' }, sort: { name: 'id', type: 'S' } }, projection: 'KEYS_ONLY' },
        { name: 'byWaiting', keys: { partition: { name: 'waiting_for', type: 'S' }, sort: { name: 'id', type: 'S' } }, projection: 'KEYS_ONLY' },
      ],
      ttlAttribute: 'expires_at',
    });
    expect(output).toMatchObject({
      name: 'lambda-actionrunner-dev-output',
      key: 'output',
      keys: { partition: { name: 'execution_id', type: 'S' }, sort: { name: 'seq', type: 'N' } },
      gsis: [],
      ttlAttribute: 'expires_at',
    });
  });

  it('uses the names loadConfig derives for the same stage', () => {
    const names = resourceDefinition('t1234').tables.map((t) => t.name);
    expect(names).toEqual([
      'lambda-actionrunner-t1234-executions',
      'lambda-actionrunner-t1234-output',
      'lambda-actionrunner-t1234-keyvalue',
      'lambda-actionrunner-t1234-apikeys',
    ]);
    const config = loadConfig({ ACTIONRUNNER_STAGE: 't1234' });
    expect(names).toEqual([config.executionsTable, config.outputTable, config.keyValueTable, config.apiKeysTable]);
  });

  it("names the functions' roles within IAM's 64 characters for a 19-character stage in the longest region", () => {
    const document = parseCfnYaml(readFileSync(SERVERLESS_FILE, 'utf8')) as { service: string; custom: { roleNames: Record<string, string> } };
    const names = Object.values(document.custom.roleNames).map((name) =>
      name.replace('${self:service}', document.service).replace('${sls:stage}', 'production-eu-west1').replace('${self:provider.region}', 'ap-southeast-2'),
    );
    expect(names).toHaveLength(3);
    for (const name of names) {
      expect(name).toMatch(/^[\w+=,.@-]+$/);
      expect(name.length, name).toBeLessThanOrEqual(64);
    }
  });

  it('applies stage params over the defaults', () => {
    const source = readFileSync(SERVERLESS_FILE, 'utf8').replace(/^params:\n/m, 'params:\n  prod:\n    maxReceiveCount: 8\n');
    expect(resourceDefinition('prod', { source }).queues[0].dlq?.maxReceiveCount).toBe(8);
    expect(resourceDefinition('dev', { source }).queues[0].dlq?.maxReceiveCount).toBe(5);
  });

  it('rejects an invalid stage and an unresolved variable with a clear message', () => {
    expect(() => resourceDefinition('a b')).toThrow('invalid stage: "a b" - expected letters, digits and dashes');
    const source = 'service: s\nresources:\n  Resources:\n    Q:\n      Type: AWS::SQS::Queue\n      Properties:\n        QueueName: ${param:missing}\n';
    expect(() => resourceDefinition('dev', { source })).toThrow('unresolved variable: ${param:missing} - no value for stage "dev"');
  });

  it('rejects a redrive policy that does not point at a queue of the file', () => {
    const source =
      'service: s\nresources:\n  Resources:\n    Q:\n      Type: AWS::SQS::Queue\n      Properties:\n        QueueName: q\n        RedrivePolicy: { deadLetterTargetArn: arn:aws:sqs:x, maxReceiveCount: 5 }\n';
    expect(() => resourceDefinition('dev', { source })).toThrow(/invalid RedrivePolicy: Q/);
  });
});

describe('parseCfnYaml + resolveValue', () => {
  it('reads CloudFormation short tags as their long form', () => {
    const doc = parseCfnYaml('a: !GetAtt T.Arn\nb: !Sub "${T.Arn}/index/*"\nc: !Join [":", [!Ref X, "y"]]\nd: !If [C, 1, 2]\n');
    expect(doc).toEqual({
      a: { 'Fn::GetAtt': ['T', 'Arn'] },
      b: { 'Fn::Sub': '${T.Arn}/index/*' },
      c: { 'Fn::Join': [':', [{ Ref: 'X' }, 'y']] },
      d: { 'Fn::If': ['C', 1, 2] },
    });
  });

  it('resolves serverless variables, keeps types, and leaves CloudFormation ones alone', () => {
    const document = { service: 'svc', params: { default: { n: 5, s: 'x' }, prod: { n: 9 } }, custom: { name: '${self:service}-${sls:stage}' } };
    const value = {
      a: '${param:n}',
      b: 'q-${param:n}',
      c: '${self:custom.name}',
      d: '${T.Arn}/x',
      e: '${AWS::Region}',
      f: "${opt:region, 'us-east-1'}",
      g: '${param:nope, 3}',
    };
    expect(resolveValue(value, { document, stage: 'prod' })).toEqual({
      a: 9,
      b: 'q-9',
      c: 'svc-prod',
      d: '${T.Arn}/x',
      e: '${AWS::Region}',
      f: 'us-east-1',
      g: 3,
    });
    expect(() => resolveValue('${sls:instanceId}', { document, stage: 'dev' })).toThrow(/unsupported variable/);
  });
});
