/* eslint-disable @typescript-eslint/no-explicit-any -- this test walks the untyped CloudFormation JSON that osls writes */
// `serverless package` works offline, and its CloudFormation matches serverless.yml's definition and the brief's rules.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourceDefinition } from '../../src/resources/index.ts';

const root = join(import.meta.dirname, '..', '..');
const out = mkdtempSync(join(tmpdir(), 'actionrunner-package-'));
const definition = resourceDefinition('dev');

type Resource = { Type: string; Properties: Record<string, unknown> };
let template: { Resources: Record<string, Resource> };

/** Offline, credential-free environment for osls (no telemetry, no notifications, dummy keys). */
const offlineEnv = {
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_REGION: 'us-east-1',
  SLS_TELEMETRY_DISABLED: '1',
  SLS_NOTIFICATIONS_MODE: 'off',
  SLS_DEPRECATION_DISABLE: '*',
  CI: 'true',
};

// The files of a zip, read from its central directory (stored or deflated entries, as osls writes them).
function unzip(file: string): Map<string, Buffer> {
  const zip = readFileSync(file);
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  let offset = zip.readUInt32LE(eocd + 16);
  const files = new Map<string, Buffer>();
  for (let i = 0, count = zip.readUInt16LE(eocd + 10); i < count; i++) {
    const method = zip.readUInt16LE(offset + 10);
    const size = zip.readUInt32LE(offset + 20);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extra = zip.readUInt16LE(offset + 30) + zip.readUInt16LE(offset + 32);
    const local = zip.readUInt32LE(offset + 42);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + size);
    files.set(zip.toString('utf8', offset + 46, offset + 46 + nameLength), method === 8 ? inflateRawSync(data) : data);
    offset += 46 + nameLength + extra;
  }
  return files;
}

function zipEntries(file: string): string[] {
  return [...unzip(file).keys()];
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)).split('\\').join('/'));
}

function ofType(type: string): [string, Resource][] {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

beforeAll(async () => {
  await promisify(execFile)('npx', ['serverless', 'package', '--stage', 'dev', '--package', out], {
    cwd: root,
    env: { ...process.env, ...offlineEnv },
    timeout: 120_000,
  });
  template = JSON.parse(readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8'));
}, 150_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('npm run package', () => {
  it.each(['workflows', 'actions'])('ships the %s handler bundle (ESM) and every file of packs/', (fn) => {
    const entries = zipEntries(join(out, `${fn}.zip`));
    expect(entries).toContain(`functions/${fn}.mjs`);
    const packs = filesUnder(join(root, 'packs'));
    expect(packs.length).toBeGreaterThan(0);
    expect(entries.filter((e) => e.startsWith('packs/')).sort()).toEqual(packs.sort());
    expect(entries.filter((e) => e.startsWith('node_modules/@aws-sdk/'))).toEqual([]);
  });

  it.each(['workflows', 'actions'])('the %s bundle loads as ESM (CommonJS deps included) and answers an empty batch', async (fn) => {
    // Unpacked inside the project so the SDK, left out of the bundle as Lambda provides it, resolves from node_modules.
    mkdirSync(join(root, '.serverless'), { recursive: true });
    const dir = mkdtempSync(join(root, '.serverless', `bundle-${fn}-`));
    try {
      for (const [name, data] of unzip(join(out, `${fn}.zip`))) {
        if (name.endsWith('/')) continue;
        mkdirSync(dirname(join(dir, name)), { recursive: true });
        writeFileSync(join(dir, name), data);
      }
      const script = `const m = await import(${JSON.stringify(join(dir, 'functions', `${fn}.mjs`))});
        const context = { getRemainingTimeInMillis: () => 60000, awsRequestId: 'r', functionName: '${fn}' };
        process.stdout.write(JSON.stringify(await m.handler({ Records: [] }, context)));`;
      const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
        env: {
          ...process.env,
          ...offlineEnv,
          ACTIONRUNNER_STAGE: 'dev',
          ACTIONRUNNER_LOG_LEVEL: 'error',
          ACTIONRUNNER_ACTIONS_QUEUE_URL: 'http://127.0.0.1:9/000000000000/a',
          ACTIONRUNNER_WORKFLOWS_QUEUE_URL: 'http://127.0.0.1:9/000000000000/w',
          AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
          LAMBDA_TASK_ROOT: dir,
        },
        timeout: 30_000,
      });
      expect(JSON.parse(stdout.trim().split('\n').pop()!)).toEqual({ batchItemFailures: [] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('configures both functions from stage params: runtime, timeout, reserved concurrency, env', () => {
    const expected = { workflows: { timeout: 60, reserved: 40 }, actions: { timeout: 900, reserved: 60 } };
    for (const [fn, want] of Object.entries(expected)) {
      const [, f] = ofType('AWS::Lambda::Function').find(([id]) => id.toLowerCase() === `${fn}lambdafunction`)!;
      const p = f.Properties as Record<string, any>;
      expect(p).toMatchObject({
        Handler: `functions/${fn}.handler`,
        Runtime: 'nodejs22.x',
        Timeout: want.timeout,
        ReservedConcurrentExecutions: want.reserved,
      });
      expect(p.Environment.Variables).toMatchObject({
        ACTIONRUNNER_STAGE: 'dev',
        ACTIONRUNNER_EXECUTIONS_TABLE: { Ref: 'ExecutionsTable' },
        ACTIONRUNNER_OUTPUT_TABLE: { Ref: 'OutputTable' },
        ACTIONRUNNER_ACTIONS_QUEUE_URL: { Ref: 'ActionsQueue' },
        ACTIONRUNNER_WORKFLOWS_QUEUE_URL: { Ref: 'WorkflowsQueue' },
        ACTIONRUNNER_FUNCTION_TIMEOUT: String(want.timeout),
        ACTIONRUNNER_PARALLELISM: expect.stringMatching(/^\d+$/),
        ACTIONRUNNER_ACTIONS_POOL_SIZE: '60',
        ACTIONRUNNER_WORKFLOWS_POOL_SIZE: '40',
      });
    }
  });

  it('runs the sweeper every minute, one at a time, from its own bundle', () => {
    expect(zipEntries(join(out, 'sweeper.zip'))).toContain('functions/sweeper.mjs');
    const [, fn] = ofType('AWS::Lambda::Function').find(([id]) => id === 'SweeperLambdaFunction')!;
    expect(fn.Properties).toMatchObject({ Handler: 'functions/sweeper.handler', ReservedConcurrentExecutions: 1 });
    const rules = ofType('AWS::Events::Rule').map(([, rule]) => rule.Properties as Record<string, any>);
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({ ScheduleExpression: 'rate(1 minute)', State: 'ENABLED' });
    expect(rules[0].Targets[0].Arn).toEqual({ 'Fn::GetAtt': ['SweeperLambdaFunction', 'Arn'] });
  });

  it('triggers each function from its queue with partial batch responses, capped below reserved concurrency', () => {
    const functions = Object.fromEntries(ofType('AWS::Lambda::Function'));
    const queues = Object.fromEntries(ofType('AWS::SQS::Queue'));
    const mappings = ofType('AWS::Lambda::EventSourceMapping').map(([, m]) => m.Properties as Record<string, any>);
    expect(mappings).toHaveLength(2);
    for (const m of mappings) {
      const fn = functions[m.FunctionName['Fn::GetAtt'][0]].Properties as Record<string, any>;
      const queue = queues[m.EventSourceArn['Fn::GetAtt'][0]].Properties as Record<string, any>;
      expect(m.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
      expect(m.ScalingConfig.MaximumConcurrency).toBeGreaterThanOrEqual(2);
      expect(m.ScalingConfig.MaximumConcurrency).toBeLessThanOrEqual(fn.ReservedConcurrentExecutions);
      expect(m.BatchSize).toBeGreaterThanOrEqual(1);
      // AWS: the queue's visibility timeout must be >= 6 x function timeout + batching window.
      expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * fn.Timeout + (m.MaximumBatchingWindowInSeconds ?? 0));
      expect(String(queue.QueueName)).toMatch(new RegExp(`-(${fn.Handler.match(/functions\/(\w+)\./)[1]})$`));
    }
  });

  it('creates exactly the queues, DLQs and tables of the normalized definition', () => {
    const queues = Object.fromEntries(ofType('AWS::SQS::Queue'));
    const arnOf = (v: any) => v['Fn::GetAtt'][0];
    const fromTemplate = Object.entries(queues)
      .filter(([, q]) => q.Properties.RedrivePolicy)
      .map(([logicalId, q]) => {
        const p = q.Properties as Record<string, any>;
        const dlqId = arnOf(p.RedrivePolicy.deadLetterTargetArn);
        return {
          logicalId,
          name: p.QueueName,
          visibilityTimeout: p.VisibilityTimeout,
          retention: p.MessageRetentionPeriod,
          dlq: {
            logicalId: dlqId,
            name: queues[dlqId].Properties.QueueName,
            retention: queues[dlqId].Properties.MessageRetentionPeriod,
            maxReceiveCount: p.RedrivePolicy.maxReceiveCount,
          },
        };
      });
    expect(fromTemplate).toEqual(definition.queues.map(({ key: _key, ...q }) => q));
    expect(Object.keys(queues).sort()).toEqual(definition.queues.flatMap((q) => [q.logicalId, q.dlq!.logicalId]).sort());
    for (const q of definition.queues) {
      expect(q.dlq!.maxReceiveCount).toBeGreaterThanOrEqual(5);
      expect(q.dlq!.retention).toBeGreaterThan(q.retention!);
    }

    const tables = ofType('AWS::DynamoDB::Table').map(([logicalId, t]) => {
      const p = t.Properties as Record<string, any>;
      const types = new Map(p.AttributeDefinitions.map((a: any) => [a.AttributeName, a.AttributeType]));
      const keys = (schema: any[]) => {
        const attr = (kt: string) => schema.filter((k) => k.KeyType === kt).map((k) => ({ name: k.AttributeName, type: types.get(k.AttributeName) }))[0];
        return attr('RANGE') ? { partition: attr('HASH'), sort: attr('RANGE') } : { partition: attr('HASH') };
      };
      return {
        logicalId,
        name: p.TableName,
        billingMode: p.BillingMode,
        ttlAttribute: p.TimeToLiveSpecification?.Enabled ? p.TimeToLiveSpecification.AttributeName : undefined,
        keys: keys(p.KeySchema),
        gsis: (p.GlobalSecondaryIndexes ?? []).map((g: any) => ({ name: g.IndexName, keys: keys(g.KeySchema), projection: g.Projection.ProjectionType })),
      };
    });
    expect(tables).toEqual(definition.tables.map(({ key: _key, ...t }) => t));
    expect(tables.map((t) => t.billingMode)).toEqual(['PAY_PER_REQUEST', 'PAY_PER_REQUEST']);
  });

  it('grants least privilege: listed actions on our queues and tables only, no wildcard action or resource', () => {
    const [, role] = ofType('AWS::IAM::Role')[0];
    const statements = (role.Properties.Policies as any[]).flatMap((p) => p.PolicyDocument.Statement as any[]);
    const all = (v: unknown) => (Array.isArray(v) ? v : [v]);
    for (const s of statements) {
      for (const action of all(s.Action)) expect(action).not.toMatch(/(^\*$|:\*$)/);
      for (const resource of all(s.Resource)) expect(resource).not.toBe('*');
    }
    const ours = statements.filter((s) => all(s.Action).some((a: string) => /^(sqs|dynamodb):/.test(a)));
    const actions = new Set(ours.flatMap((s) => all(s.Action)));
    expect([...actions].sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:ConditionCheckItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:TransactWriteItems',
      'dynamodb:UpdateItem',
      'sqs:ChangeMessageVisibility',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:ReceiveMessage',
      'sqs:SendMessage',
    ]);
    const resources = JSON.stringify(ours.flatMap((s) => all(s.Resource)));
    for (const table of definition.tables) {
      expect(resources).toContain(`{"Fn::GetAtt":["${table.logicalId}","Arn"]}`);
      expect(resources).toContain(`{"Fn::Sub":"\${${table.logicalId}.Arn}/index/*"}`);
    }
    const referenced = new Set([...resources.matchAll(/"Fn::GetAtt":\["(\w+)"|\$\{(\w+)\.Arn\}/g)].map((m) => m[1] ?? m[2]));
    const allowed = new Set([...definition.tables.map((t) => t.logicalId), ...definition.queues.flatMap((q) => [q.logicalId, q.dlq!.logicalId])]);
    for (const id of referenced) expect(allowed).toContain(id);
  });
});
