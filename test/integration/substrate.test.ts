// Smoke test of the substrate: real SDK clients over HTTP against the emulators (or LocalStack/AWS).
import { ConditionalCheckFailedException, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { describe, expect, inject, it } from 'vitest';
import { startEmulators } from '../../src/substrate/index.ts';
import { eventually, useSubstrate } from '../helpers/substrate.ts';

const substrate = useSubstrate();

async function receiveOne(queueUrl: string, visibilityTimeout = 30) {
  const { Messages = [] } = await substrate.clients.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 1,
      WaitTimeSeconds: 0,
      VisibilityTimeout: visibilityTimeout,
      MessageSystemAttributeNames: ['ApproximateReceiveCount'],
    }),
  );
  return Messages[0];
}

describe('substrate', () => {
  it('gives each test file its own stage, config and resources', () => {
    const { config, stage, queueUrls, tableNames } = substrate;
    expect(stage).toMatch(/^t[0-9a-f]{8}$/);
    expect(config.stage).toBe(stage);
    expect(config.executionsTable).toBe(`lambda-actionrunner-${stage}-executions`);
    expect(tableNames).toEqual({
      executions: config.executionsTable,
      output: config.outputTable,
      keyvalue: config.keyValueTable,
      apikeys: config.apiKeysTable,
    });
    expect(config.actionsQueueUrl).toBe(queueUrls.actions);
    expect(queueUrls.workflows).toContain(`lambda-actionrunner-${stage}-workflows`);
    expect(queueUrls.actionsDlq).toContain(`lambda-actionrunner-${stage}-actions-dlq`);
  });

  it.each(['actions', 'workflows'] as const)('sends, receives and deletes on the %s queue', async (queue) => {
    const url = substrate.queueUrls[queue];
    const body = JSON.stringify({ v: 1, hello: queue });
    await substrate.clients.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
    const message = await eventually(async () => {
      const m = await receiveOne(url);
      expect(m).toBeDefined();
      return m!;
    });
    expect(message.Body).toBe(body);
    await substrate.clients.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }));
    await substrate.clients.sqs
      .send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 0 }))
      .catch(() => undefined); // deleted: either an error or a no-op, never a redelivery
    expect(await receiveOne(url, 0)).toBeUndefined();
  });

  it('redrives a message received more than maxReceiveCount times to the DLQ', async () => {
    const { queueUrls, resources, clients } = substrate;
    const maxReceiveCount = resources.definition.queues.find((q) => q.key === 'actions')!.dlq!.maxReceiveCount;
    const { Attributes } = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrls.actions, AttributeNames: ['RedrivePolicy'] }));
    expect(JSON.parse(Attributes!.RedrivePolicy!)).toMatchObject({ maxReceiveCount: expect.anything() });
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: queueUrls.actions, MessageBody: 'poison' }));
    const counts: number[] = [];
    // Each receive with VisibilityTimeout 0 is a failed delivery; the one after the last allowed moves it.
    await eventually(
      async () => {
        const m = await receiveOne(queueUrls.actions, 0);
        if (m) counts.push(Number(m.Attributes?.ApproximateReceiveCount));
        const dead = await receiveOne(queueUrls.actionsDlq);
        expect(dead?.Body).toBe('poison');
      },
      { timeoutMs: 15_000, intervalMs: 20 },
    );
    expect(counts.length).toBe(maxReceiveCount);
    expect(await receiveOne(queueUrls.actions, 0)).toBeUndefined();
    await substrate.purgeQueues();
  });

  it('fails a conditional put that must fail', async () => {
    const { clients, tableNames } = substrate;
    const item = { id: '01J0000000000000000000000A', listKey: 'execution', status: 'requested' };
    await clients.doc.send(new PutCommand({ TableName: tableNames.executions, Item: item, ConditionExpression: 'attribute_not_exists(id)' }));
    const again = clients.doc.send(
      new PutCommand({
        TableName: tableNames.executions,
        Item: { ...item, status: 'running' },
        ConditionExpression: 'attribute_not_exists(id)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    await expect(again).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    const { Item } = await clients.doc.send(new GetCommand({ TableName: tableNames.executions, Key: { id: item.id } }));
    expect(Item?.status).toBe('requested');
  });

  it('has TTL enabled on expires_at on the tables whose items expire (API keys do not)', async () => {
    const { executions, output, keyvalue, apikeys } = substrate.tableNames;
    for (const table of [executions, output, keyvalue]) {
      const { TimeToLiveDescription } = await substrate.clients.dynamodb.send(new DescribeTimeToLiveCommand({ TableName: table }));
      expect(TimeToLiveDescription).toMatchObject({ TimeToLiveStatus: expect.stringMatching(/^ENABL(ED|ING)$/), AttributeName: 'expires_at' });
    }
    const { TimeToLiveDescription } = await substrate.clients.dynamodb.send(new DescribeTimeToLiveCommand({ TableName: apikeys }));
    expect(TimeToLiveDescription?.TimeToLiveStatus).toBe('DISABLED');
  });

  it("lists executions newest-first and a workflow's children through the GSIs", async () => {
    const { clients, tableNames } = substrate;
    const ids = ['01J1000000000000000000000A', '01J1000000000000000000000C', '01J1000000000000000000000B'];
    for (const id of ids) {
      await clients.doc.send(new PutCommand({ TableName: tableNames.executions, Item: { id, listKey: 'execution', parent: 'wf-1' } }));
    }
    const { Items = [] } = await clients.doc.send(
      new QueryCommand({
        TableName: tableNames.executions,
        IndexName: 'byTime',
        KeyConditionExpression: 'listKey = :k',
        ExpressionAttributeValues: { ':k': 'execution' },
        ScanIndexForward: false,
        Limit: 3,
      }),
    );
    expect(Items.map((i) => i.id)).toEqual([...ids].sort().reverse());
    const children = await clients.doc.send(
      new QueryCommand({
        TableName: tableNames.executions,
        IndexName: 'byParent',
        KeyConditionExpression: 'parent = :p',
        ExpressionAttributeValues: { ':p': 'wf-1' },
      }),
    );
    expect(children.Items?.map((i) => i.id)).toEqual([...ids].sort());
  });

  it('stores output items under execution_id + seq in order', async () => {
    const { clients, tableNames } = substrate;
    for (const seq of [2, 0, 1]) {
      await clients.doc.send(new PutCommand({ TableName: tableNames.output, Item: { execution_id: 'e1', seq, data: `line ${seq}` } }));
    }
    const { Items = [] } = await clients.doc.send(
      new QueryCommand({
        TableName: tableNames.output,
        KeyConditionExpression: 'execution_id = :e',
        ExpressionAttributeValues: { ':e': 'e1' },
      }),
    );
    expect(Items.map((i) => i.data)).toEqual(['line 0', 'line 1', 'line 2']);
  });
});

// Pids of DynamoDB Local JVMs listening on `port` (Linux /proc).
function javaPidsOnPort(port: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((pid) => {
      try {
        const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        return args.some((a) => a.endsWith('DynamoDBLocal.jar')) && args[args.indexOf('-port') + 1] === port ? [Number(pid)] : [];
      } catch {
        return [];
      }
    });
}

const child = `
import { startEmulators } from ${JSON.stringify(new URL('../../src/substrate/index.ts', import.meta.url).pathname)};
const emulators = await startEmulators({ env: { PATH: process.env.PATH, JAVA_HOME: process.env.JAVA_HOME } });
console.log(JSON.stringify({ port: new URL(emulators.dynamodbEndpoint).port }));
setInterval(() => {}, 1000);
`;

describe.skipIf(process.platform !== 'linux' || inject('externalSubstrate'))('emulator lifecycle', () => {
  it.concurrent.for(['SIGTERM', 'SIGINT', 'SIGKILL'] as const)('leaves no JVM behind when the parent gets %s', async (signal, { expect }) => {
    const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', child], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const [line] = (await once(createInterface({ input: parent.stdout }), 'line')) as [string];
      const { port } = JSON.parse(line) as { port: string };
      expect(javaPidsOnPort(port)).toHaveLength(1);
      parent.kill(signal);
      await eventually(() => expect(javaPidsOnPort(port)).toEqual([]), { timeoutMs: 10_000, intervalMs: 100 });
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('stops DynamoDB Local on stop(), twice safely', async () => {
    const emulators = await startEmulators({ env: { PATH: process.env.PATH, JAVA_HOME: process.env.JAVA_HOME } });
    const port = new URL(emulators.dynamodbEndpoint).port;
    expect(javaPidsOnPort(port)).toHaveLength(1);
    await Promise.all([emulators.stop(), emulators.stop()]);
    await emulators.stop();
    expect(javaPidsOnPort(port)).toEqual([]);
  });

  it('names java when it is missing', async () => {
    await expect(startEmulators({ env: { PATH: '/nonexistent' } })).rejects.toThrow(/java not found: DynamoDB Local needs Java >= 17/);
  });

  it('starts nothing when AWS_ENDPOINT_URL is set', async () => {
    const emulators = await startEmulators({ env: { AWS_ENDPOINT_URL: 'http://localhost:4566' } });
    expect(emulators).toMatchObject({ sqsEndpoint: 'http://localhost:4566', dynamodbEndpoint: 'http://localhost:4566', external: true });
    await emulators.stop();
  });
});
