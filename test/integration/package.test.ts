/* eslint-disable @typescript-eslint/no-explicit-any -- this test walks the untyped CloudFormation JSON that osls writes */
// `serverless package` works offline, and its CloudFormation matches serverless.yml's definition and the brief's rules.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { createApiHandler } from '../../src/api/handler.ts';
import { createApiServices } from '../../src/api/services.ts';
import { createServices } from '../../src/app/services.ts';
import { ApiKeyStore } from '../../src/auth/index.ts';
import { KeyValueStore, KmsCipher } from '../../src/datastore/index.ts';
import { createClients } from '../../src/config/clients.ts';
import { meterRequests, type AwsRequest } from '../../src/config/request-meter.ts';
import { createLogger } from '../../src/log/index.ts';
import { isTerminal } from '../../src/model/status.ts';
import { resourceDefinition } from '../../src/resources/index.ts';
import { Sweeper } from '../../src/sweep/index.ts';
import { deliver } from '../helpers/lambda.ts';
import { writePythonPack } from '../helpers/python-packs.ts';
import { installPack } from '../../src/pack-manager/index.ts';
import { loadActions } from '../../src/actions/loader.ts';
import { PythonScriptRunner } from '../../src/runners/python-script.ts';
import { eventually, useSubstrate } from '../helpers/substrate.ts';
import { startKmsStandIn, type KmsStandIn } from '../helpers/kms-server.ts';

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

function unpack(file: string, dir: string): void {
  for (const [name, data] of unzip(file)) {
    if (name.endsWith('/')) continue;
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), data);
  }
}

const slsPackage = (args: string[]) =>
  promisify(execFile)('npx', ['serverless', 'package', '--stage', 'dev', ...args], { cwd: root, env: { ...process.env, ...offlineEnv }, timeout: 120_000 });

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

/**
 * Unpacks `<fn>.zip` inside the project (so the SDK, left out of the bundle as Lambda provides it, resolves from
 * node_modules), runs `call` (module code given `m`, the handler's module) in a fresh Node and returns the last
 * line it printed, parsed.
 */
async function answerOfBundle(fn: string, call: string, env: Record<string, string> = {}): Promise<any> {
  mkdirSync(join(root, '.serverless'), { recursive: true });
  const dir = mkdtempSync(join(root, '.serverless', `bundle-${fn}-`));
  try {
    unpack(join(out, `${fn}.zip`), dir);
    const script = `const m = await import(${JSON.stringify(join(dir, 'functions', `${fn}.mjs`))});
      process.stdout.write(JSON.stringify(await ${call}));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      env: {
        ...process.env,
        ...offlineEnv,
        ACTIONRUNNER_STAGE: 'dev',
        ACTIONRUNNER_LOG_LEVEL: 'error',
        AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
        LAMBDA_TASK_ROOT: dir,
        ...env,
      },
      timeout: 30_000,
    });
    return JSON.parse(stdout.trim().split('\n').pop()!);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

beforeAll(async () => {
  await slsPackage(['--package', out]);
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
    const context = `{ getRemainingTimeInMillis: () => 60000, awsRequestId: 'r', functionName: '${fn}' }`;
    const answer = await answerOfBundle(fn, `m.handler({ Records: [] }, ${context})`, {
      ACTIONRUNNER_ACTIONS_QUEUE_URL: 'http://127.0.0.1:9/000000000000/a',
      ACTIONRUNNER_WORKFLOWS_QUEUE_URL: 'http://127.0.0.1:9/000000000000/w',
    });
    expect(answer).toEqual({ batchItemFailures: [] });
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
        ACTIONRUNNER_KEYVALUE_TABLE: { Ref: 'KeyValueTable' },
        ACTIONRUNNER_ACTIONS_QUEUE_URL: { Ref: 'ActionsQueue' },
        ACTIONRUNNER_WORKFLOWS_QUEUE_URL: { Ref: 'WorkflowsQueue' },
        ACTIONRUNNER_FUNCTION_TIMEOUT: String(want.timeout),
        ACTIONRUNNER_PARALLELISM: expect.stringMatching(/^\d+$/),
        ACTIONRUNNER_ACTIONS_POOL_SIZE: '60',
        ACTIONRUNNER_WORKFLOWS_POOL_SIZE: '40',
      });
    }
  });

  it('ships the api bundle with the web page, behind an HTTP API (payload v2) that sends every path to it', async () => {
    const entries = zipEntries(join(out, 'api.zip'));
    expect(entries).toContain('functions/api.mjs');
    const web = filesUnder(join(root, 'web'));
    expect(entries.filter((e) => e.startsWith('web/')).sort()).toEqual(web.sort());
    const [api] = ofType('AWS::ApiGatewayV2::Api').map(([, a]) => a.Properties as Record<string, any>);
    expect(api.ProtocolType).toBe('HTTP');
    const integrations = ofType('AWS::ApiGatewayV2::Integration').map(([, i]) => i.Properties as Record<string, any>);
    expect(integrations).toHaveLength(1);
    expect(integrations[0]).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
    expect(ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey)).toEqual(['$default']);
    // The bundle loads as ESM and answers: a request without a key is refused before anything is read.
    const event = `{ rawPath: '/v1/executions', headers: {}, requestContext: { http: { method: 'GET', sourceIp: '127.0.0.1' } } }`;
    const answer = await answerOfBundle('api', `m.handler(${event})`);
    expect(answer.statusCode).toBe(401);
    expect(JSON.parse(answer.body).code).toBe('unauthorized');
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
        gsis: (p.GlobalSecondaryIndexes ?? []).map((g: any) => ({
          name: g.IndexName,
          keys: keys(g.KeySchema),
          projection: g.Projection.ProjectionType,
          ...(g.Projection.NonKeyAttributes ? { nonKeyAttributes: g.Projection.NonKeyAttributes } : {}),
        })),
      };
    });
    expect(tables).toEqual(definition.tables.map(({ key: _key, ...t }) => t));
    expect(tables.map((t) => t.billingMode)).toEqual(['PAY_PER_REQUEST', 'PAY_PER_REQUEST', 'PAY_PER_REQUEST', 'PAY_PER_REQUEST']);
  });

  it('grants no wildcard action or resource in any role', () => {
    const all = (v: unknown) => (Array.isArray(v) ? v : [v]);
    const roles = ofType('AWS::IAM::Role');
    expect(roles.length).toBeGreaterThanOrEqual(3);
    for (const [, role] of roles)
      for (const s of (role.Properties.Policies as any[]).flatMap((p) => p.PolicyDocument.Statement as any[])) {
        for (const action of all(s.Action)) expect(action).not.toMatch(/(^\*$|:\*$)/);
        for (const resource of all(s.Resource)) expect(resource).not.toBe('*');
      }
  });

  it('runs on arm64, leaves tracing and source maps off by default (zips without .map files)', () => {
    for (const [, f] of ofType('AWS::Lambda::Function')) {
      expect(f.Properties.Architectures).toEqual(['arm64']);
      expect(f.Properties.TracingConfig).toBeUndefined();
    }
    for (const fn of ['workflows', 'actions', 'sweeper', 'api']) expect(zipEntries(join(out, `${fn}.zip`)).filter((e) => e.endsWith('.map'))).toEqual([]);
  });

  it('keeps the tables (and their point-in-time recovery) when the stack is removed or a table replaced', () => {
    for (const [, t] of ofType('AWS::DynamoDB::Table')) {
      expect(t).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      expect(t.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    }
  });

  it('alarms on dead letters, old messages, errors, throttles and saturation, to the stage topic when there is one', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties as Record<string, any>);
    const metrics = alarms.map((a) => `${a.MetricName} ${JSON.stringify(a.Dimensions[0].Value)}`);
    for (const queue of ['ActionsDLQ', 'WorkflowsDLQ']) expect(metrics).toContain(`ApproximateNumberOfMessagesVisible {"Fn::GetAtt":["${queue}","QueueName"]}`);
    for (const queue of ['ActionsQueue', 'WorkflowsQueue']) expect(metrics).toContain(`ApproximateAgeOfOldestMessage {"Fn::GetAtt":["${queue}","QueueName"]}`);
    for (const fn of ['Actions', 'Workflows', 'Sweeper'])
      for (const metric of ['Errors', 'Throttles']) expect(metrics).toContain(`${metric} {"Ref":"${fn}LambdaFunction"}`);
    const saturation = alarms.filter((a) => a.MetricName === 'ConcurrentExecutions').map((a) => a.Threshold);
    expect(saturation.sort()).toEqual([40, 60]);
    for (const a of alarms) expect(a.AlarmActions).toEqual({ 'Fn::If': ['HasAlarmTopic', [''], { Ref: 'AWS::NoValue' }] });
    expect((template as any).Conditions.HasAlarmTopic).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] });
  });

  it("keeps the datastore's secrets under a KMS key of the stage: rotated, kept like the tables, its ARN in every function's environment", () => {
    const keys = ofType('AWS::KMS::Key');
    expect(keys.map(([id]) => id)).toEqual(['DatastoreKey']);
    const [[, key]] = keys;
    expect(key).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(key.Properties).toMatchObject({ KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT', EnableKeyRotation: true });
    for (const [, f] of ofType('AWS::Lambda::Function'))
      expect(f.Properties.Environment).toMatchObject({ Variables: { ACTIONRUNNER_DATASTORE_KMS_KEY: { 'Fn::GetAtt': ['DatastoreKey', 'Arn'] } } });
    expect((template as any).Outputs.DatastoreKeyArn.Value).toEqual({ 'Fn::GetAtt': ['DatastoreKey', 'Arn'] });
  });

  it("the key's policy: the account administers it but cannot use it; the functions' roles (by name) and the stage's operators use it, only with the datastore's context", () => {
    const policy = (template.Resources.DatastoreKey.Properties as any).KeyPolicy;
    const statements = policy.Statement as any[];
    const all = (v: unknown) => (Array.isArray(v) ? v : [v]);
    const account = { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } };
    const [admin] = statements.filter((s) => s.Sid === 'AccountAdministersTheKey');
    expect(admin).toMatchObject({ Effect: 'Allow', Principal: account, Resource: '*' });
    // No use of the key, no grant (a grant could give that use away), no wildcard that would include them.
    for (const action of all(admin.Action)) expect(action).toMatch(/^kms:[A-Za-z]+$/);
    for (const use of ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:CreateGrant'])
      expect(all(admin.Action)).not.toContain(use);
    expect(all(admin.Action)).toEqual(expect.arrayContaining(['kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion', 'kms:EnableKeyRotation']));
    // Each function's role by the name the role resource really gets.
    const roleName = (fn: string) => {
      const [, lambda] = ofType('AWS::Lambda::Function').find(([id]) => id.toLowerCase() === `${fn}lambdafunction`)!;
      return template.Resources[(lambda.Properties.Role as any)['Fn::GetAtt'][0]].Properties.RoleName as string;
    };
    const principals = (sid: string) => {
      const [statement] = statements.filter((s) => s.Sid === sid);
      expect(statement).toMatchObject({ Effect: 'Allow', Principal: account, Resource: '*', Condition: { Null: { 'kms:EncryptionContext:key': 'false' } } });
      expect(Object.keys(statement.Condition).sort()).toEqual(['ArnEquals', 'Null']);
      return { action: statement.Action, roles: (statement.Condition.ArnEquals['aws:PrincipalArn'] as any[]).map((arn) => arn['Fn::Sub']).sort() };
    };
    const arn = (fn: string) => `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${roleName(fn)}`;
    expect(principals('FunctionsDecrypt')).toEqual({ action: 'kms:Decrypt', roles: ['actions', 'workflows', 'api'].map(arn).sort() });
    expect(principals('FunctionsEncrypt')).toEqual({ action: 'kms:GenerateDataKey', roles: ['actions', 'api'].map(arn).sort() });
    // datastoreOperators: none by default (the statement is left out), else those principals, with the same condition.
    const operators = statements.find((s) => s['Fn::If']);
    expect(operators['Fn::If'][0]).toBe('HasDatastoreOperators');
    expect(operators['Fn::If'][1]).toMatchObject({
      Principal: { AWS: { 'Fn::Split': [',', ''] } },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Condition: { Null: { 'kms:EncryptionContext:key': 'false' } },
    });
    expect(operators['Fn::If'][2]).toEqual({ Ref: 'AWS::NoValue' });
    expect((template as any).Conditions.HasDatastoreOperators).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] });
    expect(statements).toHaveLength(4);
  });
});

// Each function's role against what that function really sends: a workflow with a subworkflow, a
// with-items fan-out, an action that fails with output, poison messages, and both kinds of sweep,
// through the real handlers on the emulators, every request recorded with the function that sent it.
describe('each function has its own least-privilege role', () => {
  const substrate = useSubstrate({ env: { ACTIONRUNNER_HEARTBEAT_MS: '200', ACTIONRUNNER_KILL_GRACE_MS: '200' } });
  // The stage's DatastoreKey: a KMS key of the stand-in (test/helpers/kms-server.ts), reached by the real SDK.
  let kms: KmsStandIn;
  let keyArn: string;
  afterAll(() => kms?.stop());
  type Fn = 'actions' | 'workflows' | 'sweeper' | 'api';
  const sent: Record<Fn, AwsRequest[]> = { actions: [], workflows: [], sweeper: [], api: [] };
  // What Lambda's event source mapping does with the function's role: the poll of its own queue.
  const besidesTheScenario = (fn: Fn): AwsRequest[] => {
    if (fn === 'sweeper' || fn === 'api') return [];
    const queue = `${fn[0].toUpperCase()}${fn.slice(1)}Queue`;
    return [
      ...['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'].map((action) => ({ action, resources: [queue] })),
      // The pool's slots are read (one BatchGetItem) only when a blind take of a free one fails: a full pool.
      { action: 'dynamodb:BatchGetItem', resources: ['ExecutionsTable'] },
      // The pool's waitlist is read only when work waited for it: a full pool.
      ...(fn === 'actions' ? [{ action: 'dynamodb:Query', resources: ['ExecutionsTable/index/byWaiting'] }] : []),
      // A batch's in-flight visibility is set once it has run ACTIONRUNNER_IN_FLIGHT_AFTER_SECONDS (10 s), and a failed
      // record's retry delay too: the scenario's batches are shorter and do not fail.
      { action: 'sqs:ChangeMessageVisibility', resources: [queue] },
    ];
  };

  /** `resources` of a recorded request as logical ids (ExecutionsTable, ExecutionsTable/index/byOpen, ActionsDLQ). */
  let logical: (name: string) => string;

  beforeAll(async () => {
    kms = await startKmsStandIn();
    keyArn = kms.createKey();
    // A pack whose python action seals a secret and reads it back through self.action_service (GenerateDataKey, Decrypt).
    const packs = mkdtempSync(join(tmpdir(), 'package-kms-packs-'));
    mkdirSync(join(packs, 'secrets', 'actions'), { recursive: true });
    writeFileSync(join(packs, 'secrets', 'pack.yaml'), 'name: secrets\nversion: 1.0.0\n');
    writeFileSync(join(packs, 'secrets', 'actions', 'seal.yaml'), 'name: seal\nrunner_type: python-script\nentry_point: seal.py\n');
    writeFileSync(
      join(packs, 'secrets', 'actions', 'seal.py'),
      [
        'from st2common.runners.base_action import Action',
        'class Seal(Action):',
        '    def run(self):',
        "        self.action_service.set_value('sealed', 'v', encrypt=True, local=False)",
        "        return self.action_service.get_value('sealed', decrypt=True, local=False) == 'v'",
        '',
      ].join('\n'),
    );
    Object.assign(process.env, substrate.env, {
      ACTIONRUNNER_DATASTORE_KMS_KEY: keyArn,
      AWS_ENDPOINT_URL_KMS: kms.endpoint,
      ACTIONRUNNER_PACKS_PATH: packs,
    });
    const config = { ...substrate.config, datastoreKmsKey: keyArn, kmsEndpoint: kms.endpoint };
    const stageDefinition = resourceDefinition(substrate.config.stage);
    const ids = new Map<string, string>([
      ...stageDefinition.tables.map((t) => [t.name, t.logicalId] as const),
      ...stageDefinition.queues.flatMap((q) => [[q.name, q.logicalId] as const, [q.dlq!.name, q.dlq!.logicalId] as const]),
    ]);
    logical = (name) => {
      if (name === keyArn) return 'DatastoreKey';
      const [table, ...index] = name.split('/');
      const id = ids.get(table);
      if (!id) throw new Error(`a request named ${name}, which is none of the stage's tables or queues`);
      return [id, ...index].join('/');
    };
    const actions = await import('../../functions/actions.ts');
    const workflows = await import('../../functions/workflows.ts');
    meterRequests(actions.runtime.clients, (r) => sent.actions.push(r));
    meterRequests(workflows.runtime.clients, (r) => sent.workflows.push(r));
    const sweeperServices = createServices({ config, log: createLogger({}, 'warn') });
    meterRequests(sweeperServices.clients, (r) => sent.sweeper.push(r));
    const sweeper = new Sweeper(sweeperServices);
    const { service, store } = actions.runtime;
    // The keys examples.st2kv-login reads, written beside the scenario (not by a function).
    const operator = createClients(config);
    const kv = new KeyValueStore({
      doc: substrate.clients.doc,
      tableName: substrate.tableNames.keyvalue,
      cipher: new KmsCipher({ kms: operator.kms, keyId: keyArn }),
    });
    await kv.set({ scope: 'system', name: 'login_user' }, 'ann');
    await kv.set({ scope: 'system', name: 'login_password' }, 'pw', { encrypt: true });

    const drive = async (ids: string[]) => {
      await eventually(
        async () => {
          for (const [queue, handler] of [
            ['workflows', workflows.handler],
            ['actions', actions.handler],
          ] as const)
            await deliver(substrate, queue, handler).catch(() => undefined);
          for (const id of ids) expect(isTerminal((await store.get(id))!.status), id).toBe(true);
        },
        { timeoutMs: 60_000, intervalMs: 10 },
      );
    };
    const requested = await Promise.all(
      [
        { action: 'examples.orquesta-subworkflow', parameters: {} },
        { action: 'examples.orquesta-with-items', parameters: { members: ['a', 'b'] } },
        { action: 'core.local', parameters: { cmd: 'echo some output; exit 3' } },
        // The datastore: a workflow's st2kv() (workflows function) and a parameter template's st2kv (actions function).
        { action: 'examples.orquesta-st2kv-default', parameters: { key_name: 'system.missing', default: 'stone' } },
        { action: 'examples.st2kv-login', parameters: {} },
        { action: 'examples.kv_counter', parameters: {} },
        { action: 'secrets.seal', parameters: {} },
      ].map((request) => service.request(request)),
    );
    await drive(requested.map((r) => r.execution.id));
    // The datastore's scenarios succeeded, so the KMS requests below are the ones that work needs.
    for (const { execution } of requested.slice(3)) expect((await store.get(execution.id))!.status, execution.action).toBe('succeeded');
    for (const queue of ['actions', 'workflows'] as const) {
      await substrate.clients.sqs.send(new SendMessageCommand({ QueueUrl: substrate.queueUrls[queue], MessageBody: 'not json' }));
      await deliver(substrate, queue, queue === 'actions' ? actions.handler : workflows.handler);
    }
    // A runner that died, a message that was lost, a workflow whose task-completed message was lost.
    const { execution: dead } = await store.create({ action: 'core.local', runner: 'local-shell-cmd', parameters: { cmd: 'true' }, secretParameters: [] });
    await store.claim(dead.id, 'dead-runner', 1);
    await store.create({ action: 'core.local', runner: 'local-shell-cmd', parameters: { cmd: 'true' }, secretParameters: [] });
    const { execution: flow } = await service.request({ action: 'examples.orquesta-basic', parameters: { cmd: 'echo swept' } });
    await deliver(substrate, 'workflows', workflows.handler);
    await deliver(substrate, 'actions', actions.handler);
    await substrate.purgeQueues();
    expect(await sweeper.sweep({ waitingAfterMs: 0 })).toMatchObject({ expired: 1, waiting: 1, workflows: 1 });
    await drive([dead.id, flow.id]);
    await driveApi(drive, config);
    operator.kms.destroy();
  }, 180_000);

  /** Every route of the API through the api function's handler, its requests recorded. */
  async function driveApi(drive: (ids: string[]) => Promise<void>, config: typeof substrate.config): Promise<void> {
    const api = createApiServices({ config, log: createLogger({}, 'error') });
    meterRequests(api.services.clients, (r) => sent.api.push(r));
    const handler = createApiHandler(api);
    // The CLI creates the keys (the function only checks them).
    const keys = new ApiKeyStore({ doc: substrate.clients.doc, tableName: substrate.tableNames.apikeys });
    const { key } = await keys.create({ user: 'ann', allowDecrypt: true });
    const call = async (method: string, path: string, body?: unknown) => {
      const [rawPath, query] = path.split('?');
      const answer = await handler({
        rawPath,
        headers: { 'st2-api-key': key },
        ...(query ? { queryStringParameters: Object.fromEntries(new URLSearchParams(query)) } : {}),
        ...(body ? { body: JSON.stringify(body) } : {}),
        requestContext: { http: { method } },
      } as never);
      expect(answer.statusCode, `${method} ${path}: ${answer.body}`).toBeLessThan(500);
      return answer.body ? JSON.parse(answer.body) : undefined;
    };
    const created = await call('POST', '/v1/executions', { action: 'core.local', parameters: { cmd: 'echo api' } });
    const flow = await call('POST', '/v1/executions', { action: 'examples.orquesta-basic', parameters: { cmd: 'echo api' } });
    await drive([created.id, flow.id]);
    await call('GET', '/v1/executions?limit=5&status=succeeded&action=core.local');
    await call('GET', `/v1/executions?parent=${flow.id}`);
    await call('GET', `/v1/executions/${flow.id}?show_tasks=true`);
    await call('GET', `/v1/executions/${created.id}/output?offset=0`);
    const waiting = await call('POST', '/v1/executions', { action: 'core.local', parameters: { cmd: 'true' } });
    await call('DELETE', `/v1/executions/${waiting.id}`);
    await call('POST', `/v1/executions/${created.id}/re_run`, {});
    await call('GET', '/v1/actions');
    await call('GET', '/v1/actions/core.local');
    await call('PUT', '/v1/keys/api_key', { value: 'v', secret: true });
    await call('GET', '/v1/keys/api_key?decrypt=true');
    await call('GET', '/v1/keys');
    await call('DELETE', '/v1/keys/api_key');
    await call('GET', '/v1/openapi.json');
    // A dead letter on each DLQ to list and redrive (messages naming an execution, so they go back to their queue).
    const { GetQueueUrlCommand } = await import('@aws-sdk/client-sqs');
    for (const [kind, id] of [
      ['actions', waiting.id],
      ['workflows', flow.id],
    ]) {
      const dlq = resourceDefinition(substrate.config.stage).queues.find((q) => q.key === kind)!.dlq!.name;
      const dlqUrl = (await substrate.clients.sqs.send(new GetQueueUrlCommand({ QueueName: dlq }))).QueueUrl!;
      await substrate.clients.sqs.send(new SendMessageCommand({ QueueUrl: dlqUrl, MessageBody: JSON.stringify({ executionId: id }) }));
    }
    const letters = await eventually(async () => {
      const list = await call('GET', '/v1/dlq');
      expect(new Set(list.map((l: { queue: string }) => l.queue))).toEqual(new Set(['actions', 'workflows']));
      return list;
    });
    await call('POST', '/v1/dlq/redrive', { ids: letters.map((l: { message_id: string }) => l.message_id) });
  }

  /** Each statement of `fn`'s role as (action, logical resource) pairs, resources as `Id` or `Id/index/*`. */
  function grants(fn: Fn): { action: string; resource: string }[] {
    const [, lambda] = ofType('AWS::Lambda::Function').find(([id]) => id.toLowerCase() === `${fn}lambdafunction`)!;
    const roleId = (lambda.Properties.Role as any)['Fn::GetAtt'][0];
    const role = template.Resources[roleId];
    const all = (v: unknown) => (Array.isArray(v) ? v : [v]);
    const named = (resource: any): string => {
      if (resource['Fn::GetAtt']) return resource['Fn::GetAtt'][0];
      const sub = /^\$\{(\w+)\.Arn\}(\/.*)?$/.exec(resource['Fn::Sub'] ?? '');
      return sub ? `${sub[1]}${sub[2] ?? ''}` : JSON.stringify(resource);
    };
    return (role.Properties.Policies as any[])
      .flatMap((p) => p.PolicyDocument.Statement as any[])
      .filter((s) => all(s.Action).some((a: string) => /^(sqs|dynamodb|kms):/.test(a)))
      .flatMap((s) => all(s.Action).flatMap((action: string) => all(s.Resource).map((r) => ({ action, resource: named(r) }))));
  }

  const allows = (granted: { action: string; resource: string }[], action: string, resource: string) =>
    granted.some((g) => g.action === action && (g.resource === resource || (g.resource.endsWith('/*') && resource.startsWith(g.resource.slice(0, -1)))));

  it.each(['actions', 'workflows', 'sweeper', 'api'] as const)('the %s role allows every request the function sent, and nothing it did not', (fn) => {
    const granted = grants(fn);
    const needed = [...sent[fn].map((r) => ({ action: r.action, resources: r.resources.map((name) => logical(name)) })), ...besidesTheScenario(fn)];
    expect(needed.length).toBeGreaterThan(3);
    const refused = needed.flatMap((r) => r.resources.filter((res) => !allows(granted, r.action, res)).map((res) => `${r.action} on ${res}`));
    expect([...new Set(refused)]).toEqual([]);
    const unused = granted.filter((g) => !needed.some((r) => r.action === g.action && r.resources.some((res) => allows([g], r.action, res))));
    expect(unused.map((g) => `${g.action} on ${g.resource}`)).toEqual([]);
  });

  it('the functions that used the DatastoreKey are the ones its policy names, for what each used', () => {
    const statements = (template.Resources.DatastoreKey.Properties as any).KeyPolicy.Statement as any[];
    const roleOf = (fn: Fn) => {
      const [, lambda] = ofType('AWS::Lambda::Function').find(([id]) => id.toLowerCase() === `${fn}lambdafunction`)!;
      return template.Resources[(lambda.Properties.Role as any)['Fn::GetAtt'][0]].Properties.RoleName as string;
    };
    for (const action of ['kms:Decrypt', 'kms:GenerateDataKey']) {
      const used = (['actions', 'workflows', 'sweeper', 'api'] as const).filter((fn) => sent[fn].some((r) => r.action === action)).map(roleOf);
      const named = statements
        .filter((s) => s.Action === action)
        .flatMap((s) => s.Condition.ArnEquals['aws:PrincipalArn'].map((arn: any) => String(arn['Fn::Sub']).split('/').pop()));
      expect(named.sort(), action).toEqual(used.sort());
    }
    // Every request carried the datastore's encryption context, which the policy requires.
    const requests = kms.requests.filter((r) => r.operation !== 'Encrypt');
    expect(requests.length).toBeGreaterThan(3);
    for (const r of requests) expect(Object.keys(r.context ?? {})).toEqual(['key']);
  });

  it('no two functions share a role', () => {
    const roles = ofType('AWS::Lambda::Function').map(([, f]) => JSON.stringify(f.Properties.Role));
    expect(new Set(roles).size).toBe(roles.length);
  });
});

describe("packsPath: an operator's own packs in the zips", () => {
  const packs = mkdtempSync(join(tmpdir(), 'operator-packs-'));
  const userOut = mkdtempSync(join(tmpdir(), 'actionrunner-package-user-'));
  mkdirSync(join(packs, 'ops', 'actions'), { recursive: true });
  writeFileSync(
    join(packs, 'ops', 'actions', 'hello.yaml'),
    'name: hello\nrunner_type: local-shell-cmd\nparameters:\n  cmd:\n    default: echo hello from ops\n',
  );
  writeFileSync(join(packs, 'ops', 'pack.yaml'), 'name: ops\nversion: 1.0.0\n');

  afterAll(() => [packs, userOut, join(root, 'user-packs')].forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('packages a pack from outside the project into every function, and the function loads it', async () => {
    await slsPackage(['--package', userOut, '--param', `packsPath=${packs}`]);
    for (const fn of ['workflows', 'actions'])
      expect(zipEntries(join(userOut, `${fn}.zip`))).toEqual(expect.arrayContaining(['user-packs/ops/actions/hello.yaml', 'packs/core/pack.yaml']));
    const userTemplate = JSON.parse(readFileSync(join(userOut, 'cloudformation-template-update-stack.json'), 'utf8'));
    expect(userTemplate.Resources.ActionsLambdaFunction.Properties.Environment.Variables.ACTIONRUNNER_PACKS_PATH).toBe('user-packs');
    mkdirSync(join(root, '.serverless'), { recursive: true });
    const dir = mkdtempSync(join(root, '.serverless', 'bundle-user-'));
    try {
      unpack(join(userOut, 'actions.zip'), dir);
      const script = `const m = await import(${JSON.stringify(join(dir, 'functions', 'actions.mjs'))});
        const unavailable = (m.runtime.catalog.listUnavailable?.() ?? []).filter((a) => a.file.includes('user-packs'));
        process.stdout.write(JSON.stringify({ ops: m.runtime.catalog.get('ops.hello')?.ref ?? null, core: m.runtime.catalog.get('core.local')?.ref ?? null, unavailable }));`;
      const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
        cwd: tmpdir(),
        env: {
          ...process.env,
          ...offlineEnv,
          ACTIONRUNNER_STAGE: 'dev',
          ACTIONRUNNER_LOG_LEVEL: 'error',
          ACTIONRUNNER_PACKS_PATH: 'user-packs',
          LAMBDA_TASK_ROOT: dir,
        },
        timeout: 30_000,
      });
      expect(JSON.parse(stdout.trim().split('\n').pop()!)).toEqual({ ops: 'ops.hello', core: 'core.local', unavailable: [] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);

  it("ships an installed pack's python dependencies (its virtualenv's site-packages, without pip) and its action imports them from the artifact", async () => {
    const installed = mkdtempSync(join(tmpdir(), 'operator-installed-'));
    const depsOut = mkdtempSync(join(tmpdir(), 'actionrunner-package-deps-'));
    const dir = mkdtempSync(join(tmpdir(), 'bundle-deps-'));
    try {
      await installPack(writePythonPack(join(installed, 'src')), { packsDir: join(installed, 'packs') });
      await slsPackage(['--package', depsOut, '--param', `packsPath=${join(installed, 'packs')}`]);
      const entries = zipEntries(join(depsOut, 'actions.zip'));
      expect(entries).toEqual(
        expect.arrayContaining(['user-packs/pydeps/actions/greet.py', 'user-packs/.virtualenvs/pydeps/site-packages/tinydep/__init__.py']),
      );
      expect(entries.filter((e) => /site-packages\/(pip|setuptools)\//.test(e))).toEqual([]);
      // The artifact's pack and libraries, run as a deployed function would: python3 (the image's) with the shipped site-packages.
      unpack(join(depsOut, 'actions.zip'), dir);
      const greet = loadActions({ packsDir: null, packsPaths: [join(dir, 'user-packs')] }).get('pydeps.greet')!;
      const outcome = await new PythonScriptRunner().run({
        executionId: 'pkg',
        action: greet,
        parameters: { who: 'lambda' },
        timeoutMs: 30_000,
        signal: new AbortController().signal,
        output: { write: () => {} },
        killGraceMs: 300,
        resultMaxBytes: 65536,
      });
      expect(outcome).toMatchObject({
        status: 'succeeded',
        result: {
          result: {
            greeting: 'hello from tinydep 1.0',
            who: 'lambda',
            tinydep_file: join(dir, 'user-packs', '.virtualenvs', 'pydeps', 'site-packages', 'tinydep', '__init__.py'),
          },
        },
      });
    } finally {
      [installed, depsOut, dir].forEach((d) => rmSync(d, { recursive: true, force: true }));
    }
  }, 240_000);

  it('refuses a packsPath that is not a folder of packs, saying what it expected', async () => {
    const error = await slsPackage(['--package', userOut, '--param', `packsPath=${join(packs, 'nope')}`]).catch((e: { stdout: string; stderr: string }) => e);
    // osls prints the error on stdout or stderr (by terminal), wrapping long lines.
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    expect(`${stdout}${stderr}`.replace(/\s+/g, ' ')).toMatch(/packsPath: \S*nope is not a folder - expected folders of st2 packs/);
  }, 150_000);
});

// The actions function as a container image (image/Dockerfile): no Docker engine here, so the Dockerfile is checked
// against what the zip of the same function holds, and the template against what Lambda needs for an image.
describe('actionsImage: the actions function as a container image with python3', () => {
  const imageOut = mkdtempSync(join(tmpdir(), 'actionrunner-package-image-'));
  const uri = `123456789012.dkr.ecr.us-east-1.amazonaws.com/lambda-actionrunner-actions@sha256:${'ab'.repeat(32)}`;
  let imageTemplate: { Resources: Record<string, Resource> };
  const dockerfile = readFileSync(join(root, 'image', 'Dockerfile'), 'utf8');
  // Instructions with their continuation lines joined, comments dropped.
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));

  beforeAll(async () => {
    await slsPackage(['--package', imageOut, '--param', `actionsImage=${uri}`]);
    imageTemplate = JSON.parse(readFileSync(join(imageOut, 'cloudformation-template-update-stack.json'), 'utf8'));
  }, 150_000);
  afterAll(() => rmSync(imageOut, { recursive: true, force: true }));

  it('deploys the actions function as PackageType Image with its own role, settings and trigger intact', () => {
    const image = imageTemplate.Resources.ActionsLambdaFunction.Properties as Record<string, any>;
    const zip = template.Resources.ActionsLambdaFunction.Properties as Record<string, any>;
    expect(image).toMatchObject({ PackageType: 'Image', Code: { ImageUri: uri }, ImageConfig: { Command: ['functions/actions.handler'] } });
    expect(image).not.toHaveProperty('Handler');
    expect(image).not.toHaveProperty('Runtime');
    // Everything but the code is the zip's: role, timeout, memory, concurrency, architecture, environment.
    const { Code: _imageCode, PackageType: _type, ImageConfig: _config, ...imageRest } = image;
    const { Code: _zipCode, Handler: _handler, Runtime: _runtime, ...zipRest } = zip;
    expect(imageRest).toEqual(zipRest);
    expect(image.Role).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ActionsIamRoleLambdaExecution/), 'Arn'] });
    const roleOf = (t: typeof template) => t.Resources[(t.Resources.ActionsLambdaFunction.Properties as any).Role['Fn::GetAtt'][0]];
    expect(roleOf(imageTemplate)).toEqual(roleOf(template));
    const mapping = (t: typeof template) =>
      Object.values(t.Resources).find((r) => r.Type === 'AWS::Lambda::EventSourceMapping' && JSON.stringify(r).includes('ActionsQueue'));
    expect(mapping(imageTemplate)).toEqual(mapping(template));
    // The other functions stay zips; the actions function has no zip to upload.
    expect(imageTemplate.Resources.WorkflowsLambdaFunction.Properties).toMatchObject({ Runtime: 'nodejs22.x', Handler: 'functions/workflows.handler' });
    expect(readdirSync(imageOut)).not.toContain('actions.zip');
    expect(readdirSync(imageOut)).toContain('workflows.zip');
  });

  it('is a zip by default', () => {
    expect(template.Resources.ActionsLambdaFunction.Properties).toMatchObject({ Runtime: 'nodejs22.x', Handler: 'functions/actions.handler' });
    expect(template.Resources.ActionsLambdaFunction.Properties).not.toHaveProperty('PackageType', 'Image');
  });

  it('refuses an image given by tag, saying it wants the digest that push-actions-image.sh prints', async () => {
    const tagged = '123456789012.dkr.ecr.us-east-1.amazonaws.com/lambda-actionrunner-actions:latest';
    const error = await slsPackage(['--package', imageOut, '--param', `actionsImage=${tagged}`]).catch((e: { stdout: string; stderr: string }) => e);
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    expect(`${stdout}${stderr}`.replace(/\s+/g, ' ')).toMatch(/actionsImage: expected an ECR image URI with its digest .* got "\S+:latest"/);
  }, 150_000);

  it("Dockerfile: Lambda's Node.js 22 base image, python3 and bash installed with dnf, the zip's handler as command", () => {
    expect(instructions[0]).toBe('FROM public.ecr.aws/lambda/nodejs:22');
    const run = instructions.filter((line) => line.startsWith('RUN ')).join(' ');
    expect(run).toMatch(/\bdnf install -y\b[^&]*\bpython3\b/);
    expect(run).toMatch(/\bdnf install -y\b[^&]*\bbash\b/);
    const cmd = instructions.find((line) => line.startsWith('CMD '))!;
    expect(JSON.parse(cmd.slice(4))).toEqual([(template.Resources.ActionsLambdaFunction.Properties as any).Handler]);
  });

  it('Dockerfile: copies every file of the actions zip into the task root, and nothing the zip lacks', () => {
    const copies = instructions
      .filter((line) => line.startsWith('COPY '))
      .map((line) => {
        const [source, dest, ...rest] = line.split(/\s+/).slice(1);
        expect(rest, line).toEqual([]);
        expect(dest, line).toBe(`\${LAMBDA_TASK_ROOT}/${source}`);
        return source;
      });
    const entries = zipEntries(join(out, 'actions.zip')).filter((e) => !e.endsWith('/'));
    // The operator's packs (packsPath) are staged in user-packs/, as the packsPath test above shows.
    const needed = [...entries, 'user-packs/ops/actions/hello.yaml'];
    const uncovered = needed.filter((entry) => !copies.some((source) => entry.startsWith(source)));
    expect(uncovered).toEqual([]);
    expect(entries).toContain('functions/actions.mjs');
    for (const source of copies)
      expect(
        needed.some((entry) => entry.startsWith(source)),
        `${source} is in no zip`,
      ).toBe(true);
  });
});
